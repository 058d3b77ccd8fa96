package io.drrunbook.runs;

import io.drrunbook.runs.RunStarter.Started;
import io.drrunbook.runs.RunViews.Run;
import io.drrunbook.runs.RunViews.RunDetail;
import io.drrunbook.runs.RunViews.RunPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/runs}: start a run from a ticket, follow it, cancel it. */
@RestController
@RequestMapping(path = "/api/runs", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "runs", description = "runs of procedures, one per ticket at a time")
public class RunsController {

  private static final String PROBLEM = "application/problem+json";

  private final RunStarter starter;
  private final RunReader reader;
  private final RunControl control;
  private final RunStepDecisions decisions;
  private final PublicBaseUrl baseUrl;

  public RunsController(RunStarter starter, RunReader reader, RunControl control,
      RunStepDecisions decisions, PublicBaseUrl baseUrl) {
    this.starter = starter;
    this.reader = reader;
    this.control = control;
    this.decisions = decisions;
    this.baseUrl = baseUrl;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Start a run for a ticket (idempotent while that run is active)",
      description = "The business key of the run is the ticket id. The same procedure for the same"
          + " ticket (system and id) while a run is active answers 200 with that run and starts"
          + " nothing: a ticketing system may retry its call safely.")
  @ApiResponse(responseCode = "201", description = "run started",
      headers = @Header(name = "Location", description = "the run's URL"))
  @ApiResponse(responseCode = "200", description = "a run of this procedure for this ticket is active: that run")
  @ApiResponse(responseCode = "400", description = "invalid request (errors name the fields)",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "401", description = "not authenticated", content = @Content)
  @ApiResponse(responseCode = "403", description = "the caller may not start this procedure",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "404", description = "no such procedure",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "413", description = "body over 64 KiB",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "415", description = "body is not application/json",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "429", description = "too many start requests by this caller (Retry-After)",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public ResponseEntity<Run> start(@RequestBody(required = false) StartRunRequest request) {
    Started started = starter.start(request, baseUrl());
    if (!started.created()) {
      return ResponseEntity.ok(started.run());
    }
    return ResponseEntity.created(URI.create(started.run().links().self())).body(started.run());
  }

  @GetMapping("/{id}")
  @Operation(summary = "A run: state, steps done and running, manual tasks waiting, incidents")
  @ApiResponse(responseCode = "200", description = "the run")
  @ApiResponse(responseCode = "401", description = "not authenticated", content = @Content)
  @ApiResponse(responseCode = "404", description = "no such run",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public RunDetail get(@PathVariable String id) {
    return reader.detail(id, baseUrl());
  }

  @GetMapping
  @Operation(summary = "Runs of the catalog's procedures, newest first")
  @ApiResponse(responseCode = "200", description = "one page of runs")
  @ApiResponse(responseCode = "400", description = "invalid filter or paging",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public RunPage list(
      @Parameter(description = "ticket id (the run's business key)") @RequestParam(required = false) String ticket,
      @Parameter(description = "ACTIVE, COMPLETED, CANCELLED, INCIDENT or SUSPENDED") @RequestParam(required = false) String state,
      @Parameter(description = "procedure id") @RequestParam(required = false) String procedure,
      @Parameter(description = "page number, from 0") @RequestParam(defaultValue = "0") int page,
      @Parameter(description = "page size, 1 to 100") @RequestParam(defaultValue = "20") int size) {
    return reader.list(ticket, state, procedure, page, size, baseUrl());
  }

  @PostMapping(path = "/{id}/cancel", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Cancel an active run, with a reason (dr-operators, dr-approvers, dr-admins)")
  @ApiResponse(responseCode = "200", description = "the cancelled run, with who, when and why")
  @ApiResponse(responseCode = "400", description = "reason missing or too long",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "403", description = "the caller may not cancel runs",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "404", description = "no such run",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "409", description = "the run has already ended",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public ResponseEntity<RunDetail> cancel(@PathVariable String id,
      @RequestBody(required = false) CancelRunRequest request) {
    String reason = request == null ? null : request.reason();
    return ResponseEntity.status(HttpStatus.OK).body(control.cancel(id, reason, baseUrl()));
  }

  @PostMapping(path = "/{id}/pause")
  @Operation(summary = "Pause an active run (engine suspension), optionally with a reason"
      + " (dr-operators, dr-approvers, dr-admins)",
      description = "No further step starts; a step running at that moment finishes and is completed"
          + " when the run is resumed. Cockpit shows the run suspended.")
  @ApiResponse(responseCode = "200", description = "the paused run, with who, when and why")
  @ApiResponse(responseCode = "400", description = "reason too long or not plain text",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "403", description = "the caller may not pause runs",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "404", description = "no such run",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "409", description = "the run is already paused or has ended",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public RunDetail pause(@PathVariable String id,
      @RequestBody(required = false) PauseRunRequest request) {
    return control.pause(id, request == null ? null : request.reason(), baseUrl());
  }

  @PostMapping(path = "/{id}/resume")
  @Operation(summary = "Resume a paused run, optionally with a reason (dr-operators, dr-approvers, dr-admins)")
  @ApiResponse(responseCode = "200", description = "the resumed run")
  @ApiResponse(responseCode = "400", description = "reason too long or not plain text",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "403", description = "the caller may not resume runs",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "404", description = "no such run",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "409", description = "the run is not paused or has ended",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public RunDetail resume(@PathVariable String id,
      @RequestBody(required = false) PauseRunRequest request) {
    return control.resume(id, request == null ? null : request.reason(), baseUrl());
  }

  @PostMapping(path = "/{id}/steps/{activityId}/decision", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Decide on a failed step: retry, done-by-hand, skip (dr-approvers) or abort",
      description = "Completes the run's waiting decision task \"Step <name> failed\" for that step as"
          + " the caller, exactly as in Tasklist; recorded with the caller, the time and the note.")
  @ApiResponse(responseCode = "200", description = "the run after the decision")
  @ApiResponse(responseCode = "400", description = "choice unknown or note missing (errors name the field)",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "403", description = "the caller may not decide, or may not skip",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "404", description = "no such run or no such step in it",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "409", description = "the run has ended, or no failed step waits for a decision there",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public RunDetail decide(@PathVariable String id, @PathVariable String activityId,
      @RequestBody(required = false) StepDecisionRequest request) {
    return decisions.decide(id, activityId, request, baseUrl());
  }

  @PostMapping(path = "/{id}/precheck/override")
  @Operation(summary = "Release an execute run held by its failed precheck (dr-approvers, not the"
      + " one who started the run), with a note",
      description = "An execute run started through this API is held (suspended) until its precheck"
          + " has passed. A failed precheck keeps it held until overridden here; the override (who,"
          + " when, note) is shown in the run status and report.")
  @ApiResponse(responseCode = "200", description = "the released run")
  @ApiResponse(responseCode = "400", description = "note missing, too long or not plain text",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "403", description = "the caller is not in dr-approvers, or started the run",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "404", description = "no such run",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(responseCode = "409", description = "the run has ended, or its precheck is not FAILED",
      content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = ProblemDetail.class)))
  public RunDetail overridePrecheck(@PathVariable String id,
      @RequestBody(required = false) PrecheckOverrideRequest request) {
    return control.overridePrecheck(id, request == null ? null : request.note(), baseUrl());
  }

  private String baseUrl() {
    return baseUrl.current();
  }
}
