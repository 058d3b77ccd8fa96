package io.drrunbook.runs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.drrunbook.runs.callbacks.CallbackDeliveries;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** What the API answers about runs and procedures (JSON). */
public final class RunViews {

  private RunViews() {}

  public enum RunState { ACTIVE, COMPLETED, CANCELLED, INCIDENT, SUSPENDED }

  @Schema(description = "the ticket a run belongs to")
  public record Ticket(String system, String id, String url) {}

  @Schema(description = "where to follow the run")
  public record Links(
      @Schema(description = "this run in the product API") String self,
      @Schema(description = "the run in Camunda Cockpit") String cockpit,
      @Schema(description = "the run's manual tasks in Camunda Tasklist") String tasklist,
      @Schema(description = "the run report (JSON; HTML at report.html)") String report,
      @Schema(description = "the plan of a dry-run or precheck run (JSON; HTML at plan.html)") String plan) {}

  @Schema(description = "a run: one process instance of a procedure, for one ticket")
  public record Run(String id, String procedure, Ticket ticket, String mode, RunState state,
      String startedBy, Instant startTime, Instant endTime, Links links) {}

  @Schema(description = "one step of a run, from the engine's history")
  public record Step(String activityId, String name, String type, Instant start, Instant end,
      Long durationMs,
      @Schema(description = "service tasks: first line of the step's outcome (done, DR_VERIFY_FAILED: ..., failed: ...);"
          + " user tasks: who completed it; canceled when the run or a boundary event ended it")
      String outcome) {}

  @Schema(description = "a manual step waiting for a person")
  public record ManualTask(String id, String taskKey, String name, List<String> candidateGroups,
      String assignee, Instant created) {}

  @Schema(description = "a step that failed and waits for an operator (Cockpit: retry)")
  public record Incident(String activityId, String message, Instant time) {}

  @Schema(description = "a decision on a failed step: waiting for the operators (a manual task of"
      + " the run), decided (who, when, choice, note) or ended without one (the step was retried"
      + " elsewhere or the run ended)")
  public record FailureDecision(String activityId, String stepName, String state, String error,
      String taskId, String choice, String note, String decidedBy, Instant decidedAt, Instant created,
      @Schema(description = "what the run takes from the step's results (its output mapping): with"
          + " done-by-hand or skip, give these as results") String resultsUsed,
      @Schema(description = "the results given with a done-by-hand or skip decision (JSON)") String results) {}

  @Schema(description = "who cancelled the run, when and why")
  public record Cancellation(String by, Instant at, String reason) {}

  @Schema(description = "who paused (suspended) or last resumed the run, when and why")
  public record Pause(String by, Instant at, String reason) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @Schema(description = "a run in detail")
  public record RunDetail(String id, String procedure, Ticket ticket, String mode, RunState state,
      String startedBy, Instant startTime, Instant endTime, Links links, List<Step> steps,
      List<Step> running, List<ManualTask> waiting, List<Incident> incidents,
      Cancellation cancellation, List<CallbackDeliveries.Delivery> callbacks,
      @Schema(description = "true while the run is paused: no step starts until it is resumed")
      boolean suspended,
      @Schema(description = "the pause in effect (while suspended), else the last resume") Pause pause,
      @Schema(description = "decisions on failed steps, oldest first") List<FailureDecision> failureDecisions,
      @Schema(description = "precheck runs, and execute runs however started (held until it"
          + " passes or is overridden)") io.drrunbook.prechecks.PrecheckGate.Summary precheck,
      @Schema(description = "the systems this active execute or drill run holds (no other such run may"
          + " act on them until it ends)") List<String> systems,
      @Schema(description = "set when a dr-approvers member started the run although active runs"
          + " acted on the same systems") Overlap overlap,
      @Schema(description = "active runs: elapsed time against the RTO target and the projected"
          + " finish from the procedure's earlier drills") RtoForecast.Forecast forecast) {}

  @Schema(description = "a run started over active runs acting on the same systems: by whom, why,"
      + " over which runs")
  public record Overlap(String approvedBy, String reason, List<String> runs) {}

  @Schema(description = "one page of runs, newest first")
  public record RunPage(List<Run> items, int page, int size, long total) {}

  @Schema(description = "a run parameter a procedure declares")
  public record Parameter(String name, String type, boolean required, List<String> allowedValues,
      Long minimum, Long maximum, Integer maxLength,
      @Schema(description = "string only: a regular expression the whole value must match") String pattern,
      @JsonProperty("default") @Schema(name = "default") String defaultValue, String description) {}

  @Schema(description = "a procedure that can be started through the API")
  public record Procedure(String id, String title, String catalogId, String seed,
      String description, List<Parameter> parameters) {}
}
