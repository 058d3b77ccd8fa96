package io.drrunbook.runs;

import io.drrunbook.runs.RunViews.FailureDecision;
import io.drrunbook.runs.RunViews.Links;
import io.drrunbook.runs.RunViews.Ticket;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The report of one run, drawn from the engine's history and the product's audit records: what ran,
 * when, for how long, by whom, with which outcome, against the RTO target. Rendered as JSON and as a
 * printable HTML page ({@link RunReportHtml}).
 */
@Schema(description = "the report of a run: header, steps with timeline data, manual decisions, incidents,"
    + " elapsed time against the RTO target, critical path")
public record RunReport(Header header, Elapsed elapsed, List<Step> steps, List<CriticalStep> criticalPath,
    List<Decision> decisions, List<Incident> incidents,
    @Schema(description = "decisions on failed steps: the step, its error, the choice, the note, who and when")
    List<FailureDecision> failureDecisions,
    @Schema(description = "the run's precheck (precheck runs, execute runs started through the API)")
    io.drrunbook.prechecks.PrecheckGate.Summary precheck, Instant generatedAt) {

  @Schema(description = "what the run was: procedure, ticket, mode, who started it, when, its RTO target")
  public record Header(String runId, String procedure, String procedureName, Ticket ticket, String mode,
      String state, String startedBy, Instant start, Instant end,
      @Schema(description = "the run parameter rtoMinutes, when given") Integer rtoMinutes, Links links) {}

  @Schema(description = "elapsed time from start to end (to now while the run is active) against the RTO target")
  public record Elapsed(long elapsedMs, boolean ended, Integer rtoMinutes,
      @Schema(description = "null without an RTO target") Boolean withinRto,
      @Schema(description = "RTO target minus elapsed time (negative: over the target)") Long marginMs,
      @Schema(description = "active runs: the projected finish from the procedure's earlier drills")
      RtoForecast.Forecast forecast) {}

  @Schema(description = "one step (activity instance) of the run, from history")
  public record Step(String activityInstanceId, String activityId, String name, String type,
      Instant start, Instant end, Long durationMs,
      @Schema(description = "user tasks: who completed (or holds) it; automated steps: worker") String actor,
      @Schema(description = "first line of the step's outcome") String outcome,
      @Schema(description = "the step's recorded outcome and result variables, masked and bounded") String output,
      @Schema(description = "on the critical path") boolean critical) {}

  @Schema(description = "a step of the chain that determined the end time, in order")
  public record CriticalStep(String activityInstanceId, String activityId, String name, Long durationMs) {}

  @Schema(description = "a manual decision: who completed the task, when, with the evidence entered (masked)")
  public record Decision(String taskId, String taskKey, String taskName, String by, Instant at,
      boolean approval, Map<String, Object> evidence) {}

  @Schema(description = "an incident of the run (open, resolved or deleted)")
  public record Incident(String activityId, String stepName, String type, String message,
      Instant created, Instant ended, String state) {}
}
