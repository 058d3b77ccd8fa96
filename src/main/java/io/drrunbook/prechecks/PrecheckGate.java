package io.drrunbook.prechecks;

import io.drrunbook.core.ParameterSpec;
import io.drrunbook.core.ProcedureCatalog;
import io.drrunbook.core.ProcedureSpec;
import io.drrunbook.core.RunMode;
import io.drrunbook.core.RunModes;
import io.drrunbook.core.RunVariables;
import io.drrunbook.engine.PeriodicTask;
import io.drrunbook.engine.StepGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Holds an {@code execute} run until its precheck has passed, however the run was started (the
 * product API, a Tasklist start form, Cockpit or the engine's REST API). When a procedure of the
 * catalog starts, a built-in start listener ({@link PrecheckEnginePlugin}) records its mode
 * ({@code dr.runs.default-mode} when none is given) and, for an execute run, starts a precheck walk
 * of the same procedure with the same parameters in the same transaction. The run is held: paused
 * (suspended) in that transaction when it came through the product API, by the next round of this
 * gate otherwise, and until then the step worker runs none of its steps. When the walk ends and
 * every system it met answered, the run is released (activated). A failed precheck keeps it held
 * until a member of dr-approvers overrides it with a note. The hold is kept in a product table
 * ({@link PrecheckHolds}), so a restart carries on where it was and no edit of the run's variables
 * releases it.
 */
@Component
@Order(2)
public class PrecheckGate implements StepGate {

  /** On the walk, for Cockpit: the run it gates (the hold itself is in {@link PrecheckHolds}). */
  public static final String GATES = "precheckFor";

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
  private final ProcedureCatalog catalog;
  private final RunModes modes;
  private final PrecheckHolds holds;
  private final RunMode defaultMode;
  private final PeriodicTask poller;

  public PrecheckGate(RuntimeService runtime, HistoryService history, PrecheckResults results,
      ProcedureCatalog catalog, RunModes modes, PrecheckHolds holds,
      @Value("${dr.runs.default-mode:execute}") String defaultMode,
      @Value("${dr.steps.poll-interval:500ms}") Duration interval) {
    this.runtime = runtime;
    this.history = history;
    this.results = results;
    this.catalog = catalog;
    this.modes = modes;
    this.holds = holds;
    this.defaultMode = RunMode.of(defaultMode).orElseThrow(() -> new IllegalStateException(
        "dr.runs.default-mode: '" + defaultMode + "' is not one of " + RunMode.ids()));
    this.poller = new PeriodicTask("dr-precheck-gate", interval, this::decide);
  }

  /**
   * An execute run started outside the product API, not paused yet: nothing runs before its
   * precheck has passed.
   */
  @Override
  public Pass pass(String processInstanceId) {
    return holds(processInstanceId) ? new Hold("the run's precheck holds it") : RUN;
  }

  /** True while a run's precheck holds it (running or failed, not overridden): its steps wait. */
  public boolean holds(String runId) {
    return holds.find(runId).map(h -> h.state() == State.RUNNING || h.state() == State.FAILED)
        .orElse(false);
  }

  /**
   * At the start of a run (the engine's built-in start listener): records the run's mode and, for an
   * execute run of a catalog procedure, starts its precheck walk and holds the run, all in the
   * transaction that starts the run. A mode that is not one of {@link RunMode#ids()} refuses the start.
   */
  public void runStarted(DelegateExecution run, String procedureId) {
    Optional<ProcedureSpec> procedure = catalog.find(procedureId);
    Object given = run.getVariable(RunVariables.RUN_MODE);
    if (procedure.isEmpty()) {
      // not a procedure (the failure decision, a test process): its mode only if it was given one
      RunMode.of(String.valueOf(given)).ifPresent(m -> modes.record(run.getProcessInstanceId(), procedureId, m));
      return;
    }
    RunMode mode = given == null ? defaultMode : RunMode.of(String.valueOf(given)).orElseThrow(() ->
        new RunModeRefusedException("runMode '" + given + "' is not one of " + RunMode.ids()
            + ": run of " + procedureId + " not started"));
    modes.record(run.getProcessInstanceId(), procedureId, mode);
    if (given == null) {
      run.setVariable(RunVariables.RUN_MODE, mode.id());
    }
    if (mode != RunMode.EXECUTE) {
      return;
    }
    Map<String, Object> walk = new LinkedHashMap<>();
    for (ParameterSpec parameter : procedure.get().getParameters()) {
      if (run.hasVariable(parameter.getName())) {
        walk.put(parameter.getName(), run.getVariable(parameter.getName()));
      }
    }
    walk.put(RunVariables.RUN_MODE, RunMode.PRECHECK.id());
    walk.put(GATES, run.getProcessInstanceId());
    String walkId = run.getProcessEngineServices().getRuntimeService()
        .startProcessInstanceByKey(procedureId, run.getProcessBusinessKey(), walk).getId();
    holds.hold(run.getProcessInstanceId(), walkId);
    log.info("run {} of {} held until its precheck {} has passed", run.getProcessInstanceId(),
        procedureId, walkId);
  }

  /**
   * Pauses a new run its precheck holds; the product API calls it in the transaction that started
   * the run, so that not even a manual step of it can be worked before the precheck has passed.
   */
  public void pauseIfHeld(String runId) {
    if (holds(runId)) {
      runtime.updateProcessInstanceSuspensionState().byProcessInstanceId(runId).suspend();
    }
  }

  /** The state of a run's precheck; null when the run has none (not an execute run). */
  public State state(String runId) {
    return holds.find(runId).map(PrecheckHolds.Hold::state).orElse(null);
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
  public Optional<Summary> summary(String runId, String mode) {
    if (RunMode.PRECHECK.id().equals(mode)) {
      Verdict verdict = verdict(runId);
      return Optional.of(new Summary(verdict.state().name(), runId, verdict.checks(),
          verdict.problems(), null, null, null));
    }
    Optional<PrecheckHolds.Hold> hold = holds.find(runId);
    if (hold.isEmpty()) {
      return Optional.empty();
    }
    Verdict verdict = verdict(hold.get().walkId());
    return Optional.of(new Summary(hold.get().state().name(), verdict.walkId(), verdict.checks(),
        verdict.problems(), hold.get().overriddenBy(),
        hold.get().overriddenAt() == null ? null : hold.get().overriddenAt().toString(),
        hold.get().overrideNote()));
  }

  /**
   * Releases a run whose precheck failed, on the word of a dr-approvers member (checked by the
   * caller); false when its precheck had not failed (any more).
   */
  public boolean override(String runId, String userId, String note) {
    // no longer held before it is activated, so that the gate's next round does not pause it again
    if (!holds.override(runId, userId, note)) {
      return false;
    }
    runtime.updateProcessInstanceSuspensionState().byProcessInstanceId(runId).activate();
    return true;
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

  /**
   * Pauses held runs not paused yet (started outside the product API, or activated by hand in
   * Cockpit), releases every held run whose precheck passed and marks those whose precheck failed.
   */
  public void decide() {
    for (PrecheckHolds.Hold hold : holds.open(State.RUNNING, State.FAILED)) {
      String runId = hold.runId();
      ProcessInstance run = runtime.createProcessInstanceQuery().processInstanceId(runId).singleResult();
      if (run == null) {
        holds.runEnded(runId);
        continue;
      }
      if (!run.isSuspended()) {
        runtime.updateProcessInstanceSuspensionState().byProcessInstanceId(runId).suspend();
        if (!holds(runId)) {
          // overridden meanwhile: the override's activation may have come before this pause
          runtime.updateProcessInstanceSuspensionState().byProcessInstanceId(runId).activate();
          continue;
        }
        log.info("run {} paused: its precheck holds it ({})", runId, hold.state());
      }
      if (hold.state() != State.RUNNING) {
        continue;
      }
      Verdict verdict = verdict(hold.walkId());
      if (verdict.state() == State.PASSED) {
        // activate first: a crash in between leaves RUNNING, decided again after the restart
        runtime.updateProcessInstanceSuspensionState().byProcessInstanceId(runId).activate();
        holds.move(runId, State.RUNNING, State.PASSED);
        log.info("precheck {} of run {} passed ({} systems checked): run released", hold.walkId(),
            runId, verdict.checks().size());
      } else if (verdict.state() == State.FAILED) {
        if (runtime.createProcessInstanceQuery().processInstanceId(verdict.walkId()).count() > 0) {
          runtime.deleteProcessInstance(verdict.walkId(), "precheck failed: " + verdict.problems().get(0));
        }
        holds.move(runId, State.RUNNING, State.FAILED);
        log.warn("precheck {} of run {} failed, run held until a dr-approvers member overrides it: {}",
            hold.walkId(), runId, verdict.problems());
      }
    }
  }
}
