package io.drrunbook.runs;

import io.drrunbook.runs.RunReport.Decision;
import io.drrunbook.runs.RunReport.Incident;
import io.drrunbook.runs.RunReport.Step;
import io.drrunbook.runs.RunViews.FailureDecision;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.springframework.web.util.HtmlUtils;

/**
 * The run report as one self-contained, printable HTML page: no script, no external resource (the
 * timeline is an inline SVG drawn here), every value from the run escaped.
 */
final class RunReportHtml {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final long[] TICKS_SECONDS = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
      3600, 7200, 10800, 21600, 43200, 86400};
  private static final int LABEL_WIDTH = 330;
  private static final int CHART_WIDTH = 640;
  private static final int ROW = 18;
  private static final int AXIS = 28;

  static final String CSS = """
      body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:13px;color:#1d2433;margin:24px;max-width:1100px}
      h1{font-size:20px;margin:0 0 4px} h2{font-size:15px;margin:22px 0 6px;border-bottom:1px solid #c8cfdb;padding-bottom:3px}
      table{border-collapse:collapse;width:100%} th,td{text-align:left;vertical-align:top;padding:3px 6px;border-bottom:1px solid #e3e7ee}
      th{background:#f2f4f8;font-weight:600} td.num{text-align:right;white-space:nowrap}
      dl.header{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
      dl.header dt{font-weight:600} dl.header dd{margin:0}
      .ok{color:#1e7b34;font-weight:600} .over{color:#b3261e;font-weight:600}
      tr.critical td:first-child{border-left:4px solid #c0392b}
      pre{white-space:pre-wrap;word-break:break-word;margin:0;font-size:11px;max-height:14em;overflow:auto}
      .muted{color:#667085} .legend span{display:inline-block;margin-right:14px}
      .swatch{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
      svg text{font-family:"DejaVu Sans",Arial,sans-serif}
      @page{size:A4 landscape;margin:12mm}
      @media print{body{margin:0;font-size:10px;max-width:none} h2{page-break-after:avoid}
        tr,.decision{page-break-inside:avoid} pre{max-height:none;overflow:visible} a{color:inherit;text-decoration:none}}
      """;

  private RunReportHtml() {}

  static String render(RunReport report) {
    RunReport.Header h = report.header();
    StringBuilder out = new StringBuilder(16_384);
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Run report ").append(esc(h.ticket().id())).append(" – ")
        .append(esc(nonNull(h.procedureName(), h.procedure()))).append("</title><style>")
        .append(CSS).append("</style></head><body>\n");
    out.append("<h1>Run report: ").append(esc(nonNull(h.procedureName(), h.procedure()))).append("</h1>\n");
    out.append("<dl class=\"header\">");
    dt(out, "Procedure", esc(h.procedure()));
    dt(out, "Ticket", esc(nonNull(h.ticket().system(), "")) + " " + esc(h.ticket().id())
        + (h.ticket().url() == null ? "" : " (" + esc(h.ticket().url()) + ")"));
    dt(out, "Mode", esc(h.mode()));
    dt(out, "State", esc(h.state()));
    dt(out, "Started by", esc(h.startedBy()));
    dt(out, "Start", esc(time(h.start())));
    dt(out, "End", h.end() == null ? "<span class=\"muted\">still running</span>" : esc(time(h.end())));
    dt(out, "Run", esc(h.runId()));
    out.append("</dl>\n");

    RunReport.Elapsed e = report.elapsed();
    out.append("<p id=\"rto\"><strong>Elapsed ").append(e.ended() ? "" : "so far ").append(esc(duration(e.elapsedMs())))
        .append("</strong>");
    if (e.rtoMinutes() == null) {
      out.append(" <span class=\"muted\">(no RTO target given: run parameter rtoMinutes)</span>");
    } else {
      out.append(" against an RTO target of ").append(e.rtoMinutes()).append(" min: ")
          .append(Boolean.TRUE.equals(e.withinRto())
              ? "<span class=\"ok\">within target, " + esc(duration(e.marginMs())) + " to spare</span>"
              : "<span class=\"over\">over target by " + esc(duration(-e.marginMs())) + "</span>");
    }
    out.append("</p>\n");
    forecast(out, e.forecast());

    out.append("<h2>Timeline</h2>\n");
    timeline(out, report);

    out.append("<h2>Critical path</h2>\n<p class=\"muted\">The chain of steps that determined the end time.</p><ol id=\"critical-path\">");
    report.criticalPath().forEach(c -> out.append("<li>").append(esc(c.name())).append(" <span class=\"muted\">")
        .append(esc(duration(c.durationMs()))).append("</span></li>"));
    out.append("</ol>\n");

    out.append("<h2>Steps</h2>\n<table id=\"steps\"><thead><tr><th>Step</th><th>Type</th><th>Start</th><th>End</th>")
        .append("<th>Duration</th><th>Actor</th><th>Outcome</th></tr></thead><tbody>");
    for (Step s : report.steps()) {
      out.append("<tr").append(s.critical() ? " class=\"critical\"" : "").append("><td>").append(esc(s.name()))
          .append("</td><td>").append(esc(s.type())).append("</td><td>").append(esc(time(s.start())))
          .append("</td><td>").append(esc(time(s.end()))).append("</td><td class=\"num\">")
          .append(esc(duration(s.durationMs()))).append("</td><td>").append(esc(s.actor()))
          .append("</td><td>").append(esc(s.outcome())).append("</td></tr>");
    }
    out.append("</tbody></table>\n");

    out.append("<h2>Manual decisions</h2>\n");
    if (report.decisions().isEmpty()) {
      out.append("<p class=\"muted\">None.</p>");
    } else {
      out.append("<table id=\"decisions\"><thead><tr><th>Task</th><th>Decided by</th><th>At</th><th>Evidence</th></tr></thead><tbody>");
      for (Decision d : report.decisions()) {
        out.append("<tr class=\"decision\"><td>").append(esc(d.taskName())).append(d.approval() ? " (approval)" : "")
            .append("</td><td>").append(esc(d.by())).append("</td><td>").append(esc(time(d.at()))).append("</td><td>");
        for (Map.Entry<String, Object> field : d.evidence().entrySet()) {
          out.append("<div><strong>").append(esc(field.getKey())).append(":</strong> ")
              .append(esc(String.valueOf(field.getValue()))).append("</div>");
        }
        out.append("</td></tr>");
      }
      out.append("</tbody></table>\n");
    }

    out.append("<h2>Failed steps and their decisions</h2>\n");
    if (report.failureDecisions().isEmpty()) {
      out.append("<p class=\"muted\">None.</p>");
    } else {
      out.append("<table id=\"failure-decisions\"><thead><tr><th>Step</th><th>Failed at</th><th>Error</th>"
          + "<th>Decision</th><th>Note</th><th>Decided by</th><th>At</th></tr></thead><tbody>");
      for (FailureDecision d : report.failureDecisions()) {
        out.append("<tr class=\"failure-decision\"><td>").append(esc(nonNull(d.stepName(), d.activityId())))
            .append("</td><td>").append(esc(time(d.created()))).append("</td><td>").append(esc(d.error()))
            .append("</td><td>").append(esc(d.choice() != null ? d.choice() : d.state().toLowerCase()))
            .append("</td><td>").append(esc(d.note())).append("</td><td>").append(esc(d.decidedBy()))
            .append("</td><td>").append(esc(time(d.decidedAt()))).append("</td></tr>");
      }
      out.append("</tbody></table>\n");
    }

    if (report.precheck() != null) {
      var precheck = report.precheck();
      out.append("<h2>Precheck</h2>\n<p id=\"precheck\">").append(esc(precheck.state()))
          .append(" – ").append(precheck.checks().size()).append(" systems and checks, ")
          .append(precheck.problems().size()).append(" problems.");
      if (precheck.overriddenBy() != null) {
        out.append(" Overridden by ").append(esc(precheck.overriddenBy())).append(" at ")
            .append(esc(precheck.overriddenAt())).append(": ").append(esc(precheck.overrideNote()));
      }
      out.append("</p>");
      if (!precheck.problems().isEmpty()) {
        out.append("<ul>");
        precheck.problems().forEach(p -> out.append("<li class=\"over\">").append(esc(p)).append("</li>"));
        out.append("</ul>");
      }
      out.append("<p class=\"muted\">Every check: plan.html of this run.</p>\n");
    }

    out.append("<h2>Incidents</h2>\n");
    if (report.incidents().isEmpty()) {
      out.append("<p class=\"muted\">None.</p>");
    } else {
      out.append("<table id=\"incidents\"><thead><tr><th>Step</th><th>Created</th><th>Ended</th><th>State</th><th>Message</th></tr></thead><tbody>");
      for (Incident i : report.incidents()) {
        out.append("<tr><td>").append(esc(nonNull(i.stepName(), i.activityId()))).append("</td><td>")
            .append(esc(time(i.created()))).append("</td><td>").append(esc(time(i.ended()))).append("</td><td>")
            .append(esc(i.state())).append("</td><td>").append(esc(i.message())).append("</td></tr>");
      }
      out.append("</tbody></table>\n");
    }

    out.append("<h2>Outputs</h2>\n<table id=\"outputs\"><thead><tr><th>Step</th><th>Outcome and result (masked, bounded)</th></tr></thead><tbody>");
    for (Step s : report.steps()) {
      if (s.output() != null) {
        out.append("<tr><td>").append(esc(s.name())).append("</td><td><pre>").append(esc(s.output()))
            .append("</pre></td></tr>");
      }
    }
    out.append("</tbody></table>\n");
    out.append("<p class=\"muted\">Generated ").append(esc(time(report.generatedAt())))
        .append(" from the engine's history and the decision record.</p>\n</body></html>\n");
    return out.toString();
  }

  /** One bar per step on a time axis from the run's start to its end (or now). */
  /** The live projection of an active run: its finish, what it is based on, the RTO warning. */
  private static void forecast(StringBuilder out, RtoForecast.Forecast f) {
    if (f == null) {
      return;
    }
    out.append("<p id=\"forecast\">");
    if (f.projectedEnd() == null) {
      out.append("<span class=\"muted\">No projected finish: the procedure has no completed drill yet.</span>");
    } else {
      out.append("<strong>Projected finish ").append(esc(time(f.projectedEnd()))).append("</strong> (")
          .append(esc(duration(f.projectedTotalMs()))).append(" in all; median of ").append(f.basedOnDrills())
          .append(" earlier drill").append(f.basedOnDrills() == 1 ? "" : "s")
          .append(f.anchorStep() == null ? "" : " from the end of " + esc(f.anchorStep())).append(")");
    }
    if (f.warning() != null) {
      out.append(" <span class=\"over\">").append(esc(f.warning())).append("</span>");
    }
    out.append("</p>\n");
  }

  private static void timeline(StringBuilder out, RunReport report) {
    List<Step> steps = report.steps();
    Instant t0 = report.header().start();
    long span = Math.max(1, report.elapsed().elapsedMs());
    Instant now = report.generatedAt();
    int height = AXIS + steps.size() * ROW + 8;
    int width = LABEL_WIDTH + CHART_WIDTH + 20;
    out.append("<div class=\"legend\"><span><i class=\"swatch\" style=\"background:#c0392b\"></i>critical path</span>")
        .append("<span><i class=\"swatch\" style=\"background:#2f6fb0\"></i>automated step</span>")
        .append("<span><i class=\"swatch\" style=\"background:#d99a00\"></i>manual step</span>")
        .append("<span><i class=\"swatch\" style=\"background:#8a94a6\"></i>event</span></div>\n");
    out.append("<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(width)
        .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
        .append("\" aria-label=\"timeline of the run's steps\">");
    long tick = TICKS_SECONDS[TICKS_SECONDS.length - 1] * 1000;
    for (long seconds : TICKS_SECONDS) {
      if (span / (seconds * 1000) <= 8) {
        tick = seconds * 1000;
        break;
      }
    }
    for (long t = 0; t <= span; t += tick) {
      double x = LABEL_WIDTH + (double) t / span * CHART_WIDTH;
      out.append("<line x1=\"").append(fmt(x)).append("\" y1=\"").append(AXIS - 6).append("\" x2=\"").append(fmt(x))
          .append("\" y2=\"").append(height - 4).append("\" stroke=\"#e3e7ee\"/>")
          .append("<text x=\"").append(fmt(x)).append("\" y=\"").append(AXIS - 10)
          .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"#667085\">+").append(esc(clock(t))).append("</text>");
    }
    Integer rto = report.elapsed().rtoMinutes();
    if (rto != null && Duration.ofMinutes(rto).toMillis() <= span) {
      double x = LABEL_WIDTH + (double) Duration.ofMinutes(rto).toMillis() / span * CHART_WIDTH;
      out.append("<line x1=\"").append(fmt(x)).append("\" y1=\"").append(AXIS - 6).append("\" x2=\"").append(fmt(x))
          .append("\" y2=\"").append(height - 4).append("\" stroke=\"#b3261e\" stroke-dasharray=\"4 3\"/>")
          .append("<text x=\"").append(fmt(x + 3)).append("\" y=\"").append(height - 6)
          .append("\" font-size=\"10\" fill=\"#b3261e\">RTO</text>");
    }
    int row = 0;
    for (Step s : steps) {
      int y = AXIS + row * ROW;
      Instant end = s.end() == null ? now : s.end();
      double x1 = LABEL_WIDTH + (double) Math.max(0, Duration.between(t0, s.start()).toMillis()) / span * CHART_WIDTH;
      double x2 = LABEL_WIDTH + (double) Math.max(0, Duration.between(t0, end).toMillis()) / span * CHART_WIDTH;
      String colour = s.critical() ? "#c0392b" : "userTask".equals(s.type()) ? "#d99a00"
          : s.type() != null && s.type().toLowerCase().contains("event") ? "#8a94a6" : "#2f6fb0";
      out.append("<text x=\"").append(LABEL_WIDTH - 6).append("\" y=\"").append(y + 12)
          .append("\" font-size=\"11\" text-anchor=\"end\" fill=\"#1d2433\">").append(esc(label(s.name())))
          .append("</text><rect x=\"").append(fmt(x1)).append("\" y=\"").append(y + 3).append("\" width=\"")
          .append(fmt(Math.max(2, x2 - x1))).append("\" height=\"").append(ROW - 6).append("\" rx=\"2\" fill=\"")
          .append(colour).append("\"><title>").append(esc(s.name())).append(": ")
          .append(esc(duration(s.durationMs()))).append("</title></rect>");
      row++;
    }
    out.append("</svg>\n");
  }

  private static void dt(StringBuilder out, String term, String escapedValue) {
    out.append("<dt>").append(term).append("</dt><dd>").append(escapedValue).append("</dd>");
  }

  private static String label(String name) {
    return name == null ? "" : name.length() <= 52 ? name : name.substring(0, 51) + "…";
  }

  static String duration(Long ms) {
    if (ms == null) {
      return "";
    }
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    long seconds = ms / 1000;
    if (seconds < 3600) {
      return String.format(java.util.Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
    }
    return String.format(java.util.Locale.ROOT, "%d h %02d min", seconds / 3600, (seconds % 3600) / 60);
  }

  private static String clock(long ms) {
    long seconds = ms / 1000;
    return seconds < 3600 ? String.format(java.util.Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60)
        : String.format(java.util.Locale.ROOT, "%d:%02d:%02d", seconds / 3600, (seconds % 3600) / 60, seconds % 60);
  }

  static String time(Instant instant) {
    return instant == null ? "" : TIME.format(instant);
  }

  private static String fmt(double value) {
    return String.format(java.util.Locale.ROOT, "%.1f", value);
  }

  static String nonNull(String value, String fallback) {
    return value == null ? fallback : value;
  }

  static String esc(String text) {
    return text == null ? "" : HtmlUtils.htmlEscape(text, "UTF-8");
  }
}
