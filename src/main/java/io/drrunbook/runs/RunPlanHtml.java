package io.drrunbook.runs;

import static io.drrunbook.runs.RunReportHtml.esc;

import io.drrunbook.prechecks.PrecheckResults;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/** The plan document as one printable HTML page (no script, no external resource). */
final class RunPlanHtml {

  private static final String CSS_PLAN = """
      ol.plan>li{margin:0 0 10px;page-break-inside:avoid} ol.plan pre{max-height:none;background:#f7f8fa;padding:4px 6px}
      .kind{display:inline-block;font-size:11px;padding:0 5px;border-radius:3px;background:#e3e7ee;margin-right:6px}
      .manual{background:#fde8c8}
      .instructions{border-left:3px solid #e3e7ee;padding:0 8px;margin:4px 0} .instructions h1{font-size:15px}
      .instructions h2,.instructions h3{font-size:13px}
      """;

  /** The prefix of a manual step's action that holds a text element of its form (Markdown). */
  static final String INSTRUCTIONS = "instructions: ";
  private static final Parser PARSER = Parser.builder().build();
  private static final HtmlRenderer MARKDOWN = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();

  private RunPlanHtml() {}

  static String render(RunPlanDocument plan) {
    RunViews.Run run = plan.run();
    StringBuilder out = new StringBuilder(16_384);
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Plan ").append(esc(run.ticket().id())).append(" – ").append(esc(run.procedure()))
        .append("</title><style>").append(RunReportHtml.CSS).append(CSS_PLAN).append("</style></head><body>\n");
    out.append("<h1>Plan: ").append(esc(run.procedure())).append("</h1>\n<dl class=\"header\">");
    dt(out, "Ticket", esc(String.valueOf(run.ticket().system())) + " " + esc(run.ticket().id()));
    dt(out, "Mode", esc(run.mode()));
    dt(out, "Run", esc(run.id()) + (plan.walkRunId().equals(run.id()) ? "" : " (precheck walk " + esc(plan.walkRunId()) + ")"));
    dt(out, "Started by", esc(String.valueOf(run.startedBy())));
    dt(out, "Walk", plan.complete() ? "complete" : "<span class=\"over\">not complete</span>");
    dt(out, "Generated", esc(String.valueOf(plan.generatedAt())));
    out.append("</dl>\n<p class=\"muted\">Nothing was sent to any system while this plan was made: every"
        + " command line, SQL statement, DNS change and HTTP request below is what a real run would"
        + " send, in this order, on the main path of the procedure.</p>\n");
    if (plan.precheck() != null) {
      out.append("<h2>Precheck: ").append(esc(plan.precheck().state())).append("</h2>\n");
      if (!plan.precheck().problems().isEmpty()) {
        out.append("<ul>");
        plan.precheck().problems().forEach(p -> out.append("<li class=\"over\">").append(esc(p)).append("</li>"));
        out.append("</ul>\n");
      }
      out.append("<table><tr><th>System</th><th>Result</th><th>Detail</th><th>First step</th></tr>");
      for (PrecheckResults.Result check : plan.precheck().checks()) {
        out.append("<tr><td>").append(esc(check.kind() + " " + check.target())).append("</td><td class=\"")
            .append(check.ok() ? "ok\">ok" : "over\">failed").append("</td><td>").append(esc(check.detail()))
            .append("</td><td>").append(esc(check.firstStep())).append("</td></tr>");
      }
      out.append("</table>\n");
      if (plan.precheck().overriddenBy() != null) {
        out.append("<p>Overridden by ").append(esc(plan.precheck().overriddenBy())).append(" at ")
            .append(esc(plan.precheck().overriddenAt())).append(": ").append(esc(plan.precheck().overrideNote()))
            .append("</p>\n");
      }
    }
    out.append("<h2>Steps</h2>\n<ol class=\"plan\">");
    for (RunPlanDocument.Step step : plan.steps()) {
      out.append("<li><span class=\"kind").append("manual".equals(step.kind()) ? " manual" : "").append("\">")
          .append(esc(step.kind())).append("</span><strong>").append(esc(step.name())).append("</strong>");
      if (step.route() != null) {
        out.append(" <span class=\"muted\">(").append(esc(step.route())).append(")</span>");
      }
      StringBuilder lines = new StringBuilder();
      for (String action : step.actions()) {
        if (action.startsWith(INSTRUCTIONS)) {
          flush(out, lines);
          // the form's text as the person sees it: Markdown rendered, any HTML in it shown as text
          out.append("<div class=\"instructions\">")
              .append(MARKDOWN.render(PARSER.parse(action.substring(INSTRUCTIONS.length())))).append("</div>");
        } else {
          lines.append(esc(action)).append('\n');
        }
      }
      flush(out, lines);
      out.append("</li>\n");
    }
    out.append("</ol>\n</body></html>\n");
    return out.toString();
  }

  private static void flush(StringBuilder out, StringBuilder lines) {
    if (!lines.isEmpty()) {
      out.append("<pre>").append(lines).append("</pre>");
      lines.setLength(0);
    }
  }

  private static void dt(StringBuilder out, String term, String escapedValue) {
    out.append("<dt>").append(esc(term)).append("</dt><dd>").append(escapedValue).append("</dd>");
  }
}
