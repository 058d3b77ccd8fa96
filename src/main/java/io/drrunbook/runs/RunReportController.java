package io.drrunbook.runs;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/runs/{id}/report}: the run report as JSON, or as a printable HTML page. */
@RestController
@RequestMapping("/api/runs")
@Tag(name = "runs")
public class RunReportController {

  private static final String PROBLEM = "application/problem+json";
  /** The page is self-contained: nothing may load or run, only its own inline styles apply. */
  static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
      + " frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private final RunReportService reports;
  private final RunReader runs;
  private final PublicBaseUrl baseUrl;
  private final RunChecklist checklists;

  public RunReportController(RunReportService reports, RunReader runs, PublicBaseUrl baseUrl,
      RunChecklist checklists) {
    this.checklists = checklists;
    this.reports = reports;
    this.runs = runs;
    this.baseUrl = baseUrl;
  }

  @GetMapping(path = "/{id}/plan", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "The plan document of a dry-run or precheck run (or of an execute run's"
      + " precheck): every step walked, with exactly what it would send and to which system")
  @ApiResponse(responseCode = "200", description = "the plan (HTML: plan.html)")
  @ApiResponse(responseCode = "404", description = "no such run, or a run without a plan",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public RunPlanDocument plan(@PathVariable String id) {
    return runs.plan(id, baseUrl());
  }

  @GetMapping(path = "/{id}/plan.html", produces = MediaType.TEXT_HTML_VALUE)
  @Operation(summary = "The plan document as one printable HTML page, for a change board")
  @ApiResponse(responseCode = "200", description = "the plan page")
  @ApiResponse(responseCode = "404", description = "no such run, or a run without a plan",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public ResponseEntity<String> planAsHtml(@PathVariable String id) {
    return page(RunPlanHtml.render(runs.plan(id, baseUrl())));
  }

  @GetMapping(path = "/{id}/report", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "The run report: header, steps with durations and actors, manual decisions with"
      + " their evidence, outputs, incidents, elapsed time against the RTO target, critical path")
  @ApiResponse(responseCode = "200", description = "the report (HTML: Accept text/html, or report.html)")
  @ApiResponse(responseCode = "404", description = "no such run (or one the caller may not read)",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public RunReport report(@PathVariable String id) {
    return reports.report(id, baseUrl());
  }

  @GetMapping(path = "/{id}/report", produces = MediaType.TEXT_HTML_VALUE)
  @Operation(hidden = true)
  public ResponseEntity<String> reportAsHtml(@PathVariable String id) {
    return html(id);
  }

  @GetMapping(path = "/{id}/report.html", produces = MediaType.TEXT_HTML_VALUE)
  @Operation(summary = "The run report as one printable HTML page (no script, no external resource)")
  @ApiResponse(responseCode = "200", description = "the report page")
  @ApiResponse(responseCode = "404", description = "no such run (or one the caller may not read)",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public ResponseEntity<String> html(@PathVariable String id) {
    return page(RunReportHtml.render(reports.report(id, baseUrl())));
  }

  @GetMapping(path = "/{id}/checklist.html", produces = MediaType.TEXT_HTML_VALUE)
  @Operation(summary = "A printable checklist of the run as it stands: what is done (who, when), what is"
      + " in hand now, what comes next, one printed page each (for when the orchestrator cannot be reached)")
  @ApiResponse(responseCode = "200", description = "the checklist page")
  @ApiResponse(responseCode = "404", description = "no such run (or one the caller may not read)",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public ResponseEntity<String> checklist(@PathVariable String id) {
    return page(RunChecklistHtml.render(checklists.checklist(id, baseUrl())));
  }

  private static ResponseEntity<String> page(String page) {
    return ResponseEntity.ok()
        .contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
        .header("Content-Security-Policy", CSP)
        .header(HttpHeaders.CACHE_CONTROL, "no-store")
        .body(page);
  }

  private String baseUrl() {
    return baseUrl.current();
  }
}
