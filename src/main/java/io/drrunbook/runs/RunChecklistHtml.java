package io.drrunbook.runs;

import static io.drrunbook.runs.RunReportHtml.esc;
import static io.drrunbook.runs.RunReportHtml.nonNull;
import static io.drrunbook.runs.RunReportHtml.time;

import io.drrunbook.runs.RunChecklist.Checklist;
import io.drrunbook.runs.RunChecklist.NextStep;
import io.drrunbook.runs.RunViews.FailureDecision;
import io.drrunbook.runs.RunViews.ManualTask;
import java.util.List;
import java.util.Set;

/**
 * The printable checklist page ({@code GET /api/runs/{id}/checklist.html}): one printed page per
 * phase of the run (done, now, next), no script and nothing loaded, every value escaped.
 */
final class RunChecklistHtml {

  /** The kinds of history entry that are steps a person would tick off. */
  private static final Set<String> STEPS = Set.of("serviceTask", "userTask", "callActivity", "task",
      "sendTask", "receiveTask", "manualTask", "businessRuleTask", "scriptTask");

  private static final String CSS = """
      body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:13px;color:#1d2433;margin:24px;max-width:1100px}
      h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:0 0 8px;border-bottom:2px solid #1d2433;padding-bottom:3px}
      table{border-collapse:collapse;width:100%} th,td{text-align:left;vertical-align:top;padding:4px 6px;border:1px solid #c8cfdb}
      th{background:#f2f4f8} td.box{width:18px;text-align:center;font-size:16px} td.blank{width:130px}
      .muted{color:#667085} .over{color:#b3261e;font-weight:600} section.phase{margin-top:22px}
      @page{size:A4 portrait;margin:12mm}
      @media print{body{margin:0;font-size:11px;max-width:none} section.phase{page-break-after:always;margin-top:0}
        section.phase:last-of-type{page-break-after:auto} tr{page-break-inside:avoid} a{color:inherit;text-decoration:none}}
      """;

  private RunChecklistHtml() {}

  static String render(Checklist checklist) {
    RunReport.Header h = checklist.report().header();
    String procedure = nonNull(h.procedureName(), h.procedure());
    StringBuilder out = new StringBuilder(8_192);
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Checklist ")
        .append(esc(h.ticket().id())).append(" – ").append(esc(procedure)).append("</title><style>")
        .append(CSS).append("</style></head><body>\n");
    String header = "<p class=\"muted\">" + esc(procedure) + " · ticket " + esc(h.ticket().system()) + " "
        + esc(h.ticket().id()) + " · run " + esc(h.runId()) + " (" + esc(h.mode()) + ", " + esc(h.state())
        + ") · printed " + esc(time(checklist.printedAt())) + "</p>\n";

    out.append("<section class=\"phase\" id=\"done\"><h1>Checklist: ").append(esc(procedure)).append("</h1>")
        .append(header).append("<h2>1. Done</h2>\n<table><thead><tr><th>Step</th><th>Outcome</th><th>By</th>")
        .append("<th>Started</th><th>Ended</th></tr></thead><tbody>");
    int done = 0;
    for (RunReport.Step step : checklist.report().steps()) {
      if (STEPS.contains(step.type()) && step.end() != null) {
        done++;
        out.append("<tr><td>").append(esc(step.name())).append("</td><td>").append(esc(step.outcome()))
            .append("</td><td>").append(esc(step.actor())).append("</td><td>").append(esc(time(step.start())))
            .append("</td><td>").append(esc(time(step.end()))).append("</td></tr>");
      }
    }
    if (done == 0) {
      out.append("<tr><td colspan=\"5\" class=\"muted\">nothing done yet</td></tr>");
    }
    out.append("</tbody></table></section>\n");

    out.append("<section class=\"phase\" id=\"now\">").append(header).append("<h2>2. Now</h2>\n")
        .append("<table><thead><tr><th>Step</th><th>State</th><th>Who may do it</th><th>Since</th></tr></thead><tbody>");
    int now = 0;
    for (RunReport.Step step : checklist.report().steps()) {
      if (STEPS.contains(step.type()) && step.end() == null && !"userTask".equals(step.type())) {
        now++;
        row(out, step.name(), "running", "the step worker", time(step.start()));
      }
    }
    for (ManualTask task : checklist.detail().waiting()) {
      now++;
      row(out, task.name(), task.assignee() == null ? "waiting for a person" : "claimed by " + task.assignee(),
          String.join(", ", task.candidateGroups()), time(task.created()));
    }
    List<FailureDecision> decisions = checklist.detail().failureDecisions() == null ? List.of()
        : checklist.detail().failureDecisions();
    for (FailureDecision decision : decisions) {
      if ("WAITING".equals(decision.state())) {
        now++;
        out.append("<tr><td>").append(esc(decision.stepName())).append("</td><td class=\"over\">failed: ")
            .append(esc(decision.error())).append("</td><td>dr-operators (retry, skip, done by hand, abort)</td><td>")
            .append(esc(time(decision.created()))).append("</td></tr>");
      }
    }
    if (now == 0) {
      out.append("<tr><td colspan=\"4\" class=\"muted\">nothing in hand</td></tr>");
    }
    out.append("</tbody></table></section>\n");

    out.append("<section class=\"phase\" id=\"next\">").append(header).append("<h2>3. Next</h2>\n")
        .append("<p class=\"muted\">Steps not reached yet, in the order the procedure reaches them; some"
            + " happen only on one branch. Tick each when done and write who and when.</p>")
        .append("<table><thead><tr><th></th><th>Step</th><th>Part of</th><th>Done by</th><th>At</th></tr></thead><tbody>");
    for (NextStep step : checklist.next()) {
      out.append("<tr><td class=\"box\">☐</td><td>").append(esc(step.name())).append("</td><td>")
          .append(esc(step.within() == null ? "" : step.within()))
          .append("</td><td class=\"blank\"></td><td class=\"blank\"></td></tr>");
    }
    if (checklist.next().isEmpty()) {
      out.append("<tr><td colspan=\"5\" class=\"muted\">no step left</td></tr>");
    }
    out.append("</tbody></table></section>\n</body></html>\n");
    return out.toString();
  }

  private static void row(StringBuilder out, String step, String state, String who, String since) {
    out.append("<tr><td>").append(esc(step)).append("</td><td>").append(esc(state)).append("</td><td>")
        .append(esc(who)).append("</td><td>").append(esc(since)).append("</td></tr>");
  }
}
