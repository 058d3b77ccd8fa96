package io.drrunbook.prechecks;

import io.drrunbook.engine.PeriodicTask;
import io.drrunbook.runs.RunMode;
import io.drrunbook.runs.RunVariables;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Holds an {@code execute} run until its precheck has passed. The run is started paused (suspended)
 * together with a precheck walk of the same procedure with the same parameters; when the walk ends
 * and every system it met answered, the run is released (activated). A failed precheck keeps it held
 * until a member of dr-approvers overrides it with a note. The state is kept in the run's variables,
 * so a restart carries on where it was.
 */
@Component
public class PrecheckGate {

  /** On the gated run: RUNNING, PASSED, FAILED or OVERRIDDEN. */
  public static final String STATE = "precheckState";
  /** On the gated run: the id of its precheck walk. */
  public static final String WALK = "precheckRun";
  /** On the walk: the run it gates. */
  public static final String GATES = "precheckFor";
  public static final String OVERRIDDEN_BY = "precheckOverriddenBy";
  public static final String OVERRIDDEN_AT = "precheckOverriddenAt";
  public static final String OVERRIDE_NOTE = "precheckOverrideNote";

  public enum State { RUNNING, PASSED, FAILED, OVERRIDDEN }

  /** What a precheck walk found: RUNNING until it ended or cannot go on. */
  public record Verdict(State state, String walkId, List<PrecheckResults.Result> checks,
      List<String> problems) {}

  /** A run's precheck as the run status and the plan show it. */
  @io.swagger.v3.oas.annotations.media.Schema(description = "the precheck of a run: RUNNING, PASSED,"
      + " FAILED (an execute run stays held) or OVERRIDDEN (by a dr-approvers member, with a note);"
      + " every system checked and what failed")
  public record Summary(String state, String walkRunId, List<PrecheckResults.Result> checks,
      List<String> problems, String overriddenBy, String overriddenAt, String overrideNote) {}

  private static final Logger log = LoggerFactory.getLogger(PrecheckGate.class);

  private final RuntimeService runtime;
  private final HistoryService history;
  private final PrecheckResults results;
  private final PeriodicTask poller;

  public PrecheckGate(RuntimeService runtime, HistoryService history, PrecheckResults results,
      @Value("${dr.steps.poll-interval:500ms}") Duration interval) {
    this.runtime = runtime;
    this.history = history;
    this.results = results;
    this.poller = new PeriodicTask("dr-precheck-gate", interval, this::decide);
  }

  /**
   * Holds the new run {@code runId} and starts its precheck walk; call in the transaction that
   * started the run, so that no step of it can be fetched before it is held.
   */
  public String hold(String runId, String procedureId, String businessKey, Map<String, Object> parameters) {
    Map<String, Object> walk = new LinkedHashMap<>(parameters);
    walk.put(RunVariables.RUN_MODE, RunMode.PRECHECK.id());
    walk.put(GATES, runId);
    String walkId = runtime.startProcessInstanceByKey(procedureId, businessKey, walk).getId();
    runtime.setVariables(runId, Map.of(STATE, State.RUNNING.name(), WALK, walkId));
    runtime.updateProcessInstanceSuspensionState().byProcessInstanceId(runId).suspend();
    return walkId;
  }

  /** The state of a run's precheck; null when the run has none (not an API execute run). */
  public State state(String runId) {
    Object state = runtime.getVariable(runId, STATE);
    return state == null ? null : State.valueOf(state.toString());
  }

  /** Evaluates a precheck walk from its results and the engine's view of it. */
  public Verdict verdict(String walkId) {
    List<PrecheckResults.Result> checks = results.forRun(walkId);
    List<String> problems = new ArrayList<>();
    checks.stream().filter(c -> !c.ok())
        .forEach(c -> problems.add(c.kind() + " " + c.target() + ": " + c.detail()));
    HistoricProcessInstance walk = history.createHistoricProcessInstanceQuery()
        .processInstanceId(walkId).singleResult();
    if (walk == null) {
      problems.add("the precheck walk " + walkId + " does not exist");
      return new Verdict(State.FAILED, walkId, checks, problems);
    }
    if (walk.getEndTime() == null) {
      List<Incident> incidents = runtime.createIncidentQuery().processInstanceId(walkId).list();
      if (incidents.isEmpty()) {
        return new Verdict(State.RUNNING, walkId, checks, problems);
      }
      incidents.forEach(i -> problems.add("step " + i.getActivityId() + " cannot be walked: "
          + i.getIncidentMessage()));
      return new Verdict(State.FAILED, walkId, checks, problems);
    }
    if (!HistoricProcessInstance.STATE_COMPLETED.equals(walk.getState())) {
      problems.add("the precheck walk ended without completing ("
          + (walk.getDeleteReason() == null ? walk.getState() : walk.getDeleteReason()) + ")");
    }
    return new Verdict(problems.isEmpty() ? State.PASSED : State.FAILED, walkId, checks, problems);
  }

  /**
   * The precheck of a run, from history (also for ended runs): a precheck run is its own walk; an
   * execute run started through the API has the walk that gated it. Empty for other runs.
   */
  public java.util.Optional<Summary> summary(String runId, String mode) {
    if (RunMode.PRECHECK.id().equals(mode)) {
      Verdict verdict = verdict(runId);
      return java.util.Optional.of(new Summary(verdict.state().name(), runId, verdict.checks(),
          verdict.problems(), null, null, null));
    }
    Map<String, Object> values = new LinkedHashMap<>();
    history.createHistoricVariableInstanceQuery().processInstanceId(runId)
        .variableNameIn(STATE, WALK, OVERRIDDEN_BY, OVERRIDDEN_AT, OVERRIDE_NOTE)
        .disableCustomObjectDeserialization().list().stream()
        .filter(v -> runId.equals(v.getExecutionId()))
        .forEach(v -> values.put(v.getName(), v.getValue()));
    if (!values.containsKey(STATE) || values.get(WALK) == null) {
      return java.util.Optional.empty();
    }
    Verdict verdict = verdict(String.valueOf(values.get(WALK)));
    return java.util.Optional.of(new Summary(String.valueOf(values.get(STATE)), verdict.walkId(),
        verdict.checks(), verdict.problems(), text(values.get(OVERRIDDEN_BY)),
        text(values.get(OVERRIDDEN_AT)), text(values.get(OVERRIDE_NOTE))));
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  /** Releases a run whose precheck failed, on the word of a dr-approvers member (checked by the caller). */
  public void override(String runId, String userId, String note) {
    runtime.updateProcessInstanceSuspensionState().byProcessInstanceId(runId).activate();
    runtime.setVariables(runId, Map.of(STATE, State.OVERRIDDEN.name(), OVERRIDDEN_BY, userId,
        OVERRIDDEN_AT, Instant.now().toString(), OVERRIDE_NOTE, note));
  }

  // ------------------------------------------------------------------------------- the poller

  @EventListener(ApplicationReadyEvent.class)
  public void start() {
    poller.start();
  }

  @jakarta.annotation.PreDestroy
  public void stop() {
    poller.stop();
  }

  /** Releases every held run whose precheck passed; marks those whose precheck failed. */
  public void decide() {
    for (ProcessInstance run : runtime.createProcessInstanceQuery()
        .variableValueEquals(STATE, State.RUNNING.name()).list()) {
      Object walkId = runtime.getVariable(run.getId(), WALK);
      Verdict verdict = verdict(String.valueOf(walkId));
      if (verdict.state() == State.PASSED) {
        // activate first: a crash in between leaves RUNNING, decided again after the restart
        runtime.updateProcessInstanceSuspensionState().byProcessInstanceId(run.getId()).activate();
        runtime.setVariable(run.getId(), STATE, State.PASSED.name());
        log.info("precheck {} of run {} passed ({} systems checked): run released", walkId,
            run.getId(), verdict.checks().size());
      } else if (verdict.state() == State.FAILED) {
        if (runtime.createProcessInstanceQuery().processInstanceId(verdict.walkId()).count() > 0) {
          runtime.deleteProcessInstance(verdict.walkId(), "precheck failed: " + verdict.problems().get(0));
        }
        runtime.setVariable(run.getId(), STATE, State.FAILED.name());
        log.warn("precheck {} of run {} failed, run held until a dr-approvers member overrides it: {}",
            walkId, run.getId(), verdict.problems());
      }
    }
  }
}
