package io.drrunbook.engine;

import io.drrunbook.connectors.MissingStepInputException;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepInputs;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.SuspendedEntityInteractionException;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works one locked step: asks the {@link StepGate}s whether to run, walk or hold it, then runs its
 * route under a lock heartbeat with the {@link StepJournal} around it (a step done before a crash
 * is completed from the journal, never run again) and ends it in the engine: completed, a BPMN error
 * the model catches, an incident for an error it does not catch, or a technical failure with
 * retries and back-off.
 */
final class StepRunner {

  private static final int COMPLETE_ATTEMPTS = 5;
  /** How soon the step of a held run is handed out again. */
  private static final Duration HELD_STEP_RECHECK = Duration.ofSeconds(1);
  /** A connector's message about a bad input value: "input scn is 'x', expected digits". */
  private static final Pattern BAD_INPUT = Pattern.compile("input ([A-Za-z_][A-Za-z0-9_]*) ");
  private static final Logger log = LoggerFactory.getLogger(StepRunner.class);

  private final ExternalTaskService externalTasks;
  private final RuntimeService runtime;
  private final StepJournal journal;
  private final ProcessModels models;
  private final StepProperties properties;
  private final List<StepGate> gates;
  private final RouteCall routes;
  private final StepOutcomes outcomes;
  private final ScheduledExecutorService heartbeats;
  private final String workerId;

  StepRunner(ExternalTaskService externalTasks, RuntimeService runtime, StepJournal journal,
      ProcessModels models, StepProperties properties, List<StepGate> gates, RouteCall routes,
      StepOutcomes outcomes, ScheduledExecutorService heartbeats, String workerId) {
    this.externalTasks = externalTasks;
    this.runtime = runtime;
    this.journal = journal;
    this.models = models;
    this.properties = properties;
    this.gates = List.copyOf(gates);
    this.routes = routes;
    this.outcomes = outcomes;
    this.heartbeats = heartbeats;
    this.workerId = workerId;
  }

  void run(LockedExternalTask task) {
    try {
      runStep(task);
    } catch (SuspendedEntityInteractionException e) {
      keepForResume(task);
    }
  }

  private StepGate.Pass pass(String processInstanceId) {
    for (StepGate gate : gates) {
      StepGate.Pass pass = gate.pass(processInstanceId);
      if (!(pass instanceof StepGate.Run)) {
        return pass;
      }
    }
    return StepGate.RUN;
  }

  /**
   * The run was paused (suspended) while the step ran: the engine refuses to complete, fail or end
   * a suspended step, and would refuse it until the run is resumed. What the step did is in the
   * journal; the step is unlocked so that, once the run is resumed, the next fetch (on any node)
   * completes it from the journal (done) or runs it again (failed: its check finds the state).
   */
  private void keepForResume(LockedExternalTask task) {
    log.info("step {} of run {} finished while the run is paused: kept in the journal, carried on"
        + " when the run is resumed", task.getActivityId(), task.getProcessInstanceId());
    try {
      externalTasks.unlock(task.getId());
    } catch (RuntimeException e) {
      // the lock then simply expires
      log.warn("could not unlock step {} of the paused run {}: {}", task.getActivityId(),
          task.getProcessInstanceId(), e.getMessage());
    }
  }

  private void runStep(LockedExternalTask task) {
    String key = task.getProcessInstanceId() + ":" + task.getActivityInstanceId();
    Map<String, Object> inputs = new LinkedHashMap<>(task.getVariables());
    String route = String.valueOf(inputs.get(StepInputs.ROUTE));
    Optional<ProcessModels.ElementInput> element =
        models.elementInput(task.getProcessDefinitionId(), task.getActivityId());
    Map<String, String> sources = models.inputSources(task.getProcessDefinitionId(), task.getActivityId());
    Map<String, Object> run = runVariables(task, element, sources);
    String stepName = ProcessModels.withElement(
        models.elementName(task.getProcessDefinitionId(), task.getActivityId()),
        element.map(e -> e.input() != null ? inputs.get(e.input()) : run.get(e.variable())).orElse(null));
    StepGate.Pass pass = pass(task.getProcessInstanceId());
    if (!(pass instanceof StepGate.Hold)) {
      rereadFromRun(task, sources, inputs, run);
    }
    if (pass instanceof StepGate.Walk walk) {
      walkStep(task, walk, route, stepName, inputs);
      return;
    }
    if (pass instanceof StepGate.Hold hold) {
      // nothing runs while a gate holds the run; the step is handed out again shortly (by then the
      // run is paused or free)
      externalTasks.extendLock(task.getId(), workerId, HELD_STEP_RECHECK.toMillis());
      log.info("step {} of run {} waits: {}", stepName, task.getProcessInstanceId(), hold.reason());
      return;
    }
    ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> extendLock(task),
        properties.getLockDuration().toMillis() / 3, properties.getLockDuration().toMillis() / 3,
        TimeUnit.MILLISECONDS);
    try {
      Optional<StepJournal.Entry> previous = journal.find(key);
      Map<String, Object> result;
      if (previous.isPresent() && previous.get().state() == StepJournal.State.DONE) {
        log.info("step {} ({}) already done before a restart; completing it from the journal",
            stepName, key);
        result = previous.get().result();
      } else {
        if (!inputs.containsKey(StepInputs.ROUTE)) {
          throw new IllegalStateException("service task " + task.getActivityId()
              + " has no 'route' input parameter");
        }
        journal.started(key, task.getProcessInstanceId(), task.getActivityId(), route);
        Duration limit = routes.timeLimit(route, inputs.remove(StepWorker.TIME_LIMIT_INPUT));
        inputs.put(StepInputs.IDEMPOTENCY_KEY, key);
        inputs.put(StepInputs.STEP_NAME, stepName);
        log.info("step {} starts: route {} ({}, time limit {})", stepName, route, key, limit);
        result = outcomes.bounded(routes.callWithin(limit, route, inputs));
        journal.done(key, result);
      }
      heartbeat.cancel(false);
      completeWithRetry(task, StepOutcomes.locals(result, outcomes.outcome("done", result, null)));
      log.info("step {} done ({})", stepName, key);
    } catch (StepBusinessException e) {
      heartbeat.cancel(false);
      endWithBusinessError(task, key, stepName, e);
    } catch (SuspendedEntityInteractionException e) {
      heartbeat.cancel(false);
      throw e;
    } catch (RuntimeException e) {
      heartbeat.cancel(false);
      failTechnically(task, key, stepName, withSource(e, sources));
    }
  }

  /**
   * The run variables the step reads as it starts, as they are now, in one engine call: those its
   * inputs come from and the one its name shows. A variable the run does not have is absent.
   */
  private Map<String, Object> runVariables(LockedExternalTask task,
      Optional<ProcessModels.ElementInput> element, Map<String, String> sources) {
    Set<String> names = new LinkedHashSet<>();
    sources.forEach((input, variable) -> {
      if (!input.equals(variable)) {
        names.add(variable);
      }
    });
    element.filter(e -> e.input() == null).ifPresent(e -> names.add(e.variable()));
    return names.isEmpty() ? Map.of() : runtime.getVariables(task.getExecutionId(), names);
  }

  /**
   * The engine fixes a step's inputs when the step is entered; an attempt (the first or a retry)
   * takes those that come from one run variable ({@code scn} ← {@code ${exportScn}}) from the run as
   * it is now, so that a run variable corrected after a failure takes effect on the retry. A changed
   * value is also written to the step's scope, where history and the failure decision show it.
   */
  private void rereadFromRun(LockedExternalTask task, Map<String, String> sources,
      Map<String, Object> inputs, Map<String, Object> run) {
    sources.forEach((input, variable) -> {
      if (input.equals(variable)) {
        return; // the step's own input shadows the run variable of the same name
      }
      Object now = run.get(variable);
      if (!Objects.equals(now, inputs.get(input))) {
        log.info("step {} of run {}: input {} re-read from run variable {}", task.getActivityId(),
            task.getProcessInstanceId(), input, variable);
        inputs.put(input, now);
        runtime.setVariableLocal(task.getExecutionId(), input, now);
      }
    });
  }

  /**
   * A step that failed for a missing or bad input says where the input comes from: "the step has no
   * input 'scn' (scn <- exportScn); set the run variable exportScn, ...", "input scn is 'x', expected
   * digits (scn <- exportScn); ...".
   */
  static RuntimeException withSource(RuntimeException e, Map<String, String> sources) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      Matcher bad = cause instanceof IllegalArgumentException && cause.getMessage() != null
          ? BAD_INPUT.matcher(cause.getMessage()) : null;
      if (!(cause instanceof MissingStepInputException) && bad != null && bad.lookingAt()
          && sources.containsKey(bad.group(1))) {
        String input = bad.group(1);
        IllegalArgumentException described = new IllegalArgumentException(cause.getMessage() + " ("
            + input + " <- " + sources.get(input) + "); correct the run variable " + sources.get(input)
            + ", or correct it in the failure decision, then retry");
        described.initCause(e);
        return described;
      }
      if (cause instanceof MissingStepInputException missing) {
        String variable = sources.get(missing.input());
        String where = variable == null
            ? " (not taken from a run variable: the model gives it no value)"
            : " (" + missing.input() + " <- " + variable + "); set the run variable " + variable
                + ", or correct it in the failure decision, then retry";
        MissingStepInputException described =
            new MissingStepInputException(missing.input(), missing.getMessage() + where);
        described.initCause(e);
        return described;
      }
    }
    return e;
  }

  private void endWithBusinessError(LockedExternalTask task, String key, String stepName,
      StepBusinessException e) {
    String message = outcomes.message(e);
    journal.failed(key, e.errorCode() + ": " + message);
    Map<String, Object> local = StepOutcomes.locals(outcomes.bounded(e.result()),
        outcomes.outcome(e.errorCode(), e.result(), message));
    if (models.catches(task.getProcessDefinitionId(), task.getActivityId(), e.errorCode())) {
      log.info("step {} ended with {}: {}", stepName, e.errorCode(), message);
      // the step's own scope keeps what it saw (history has it); the run's scope stays clean, so
      // parallel instances of a step never overwrite each other's result
      runtime.setVariablesLocal(task.getExecutionId(), local);
      externalTasks.handleBpmnError(task.getId(), workerId, e.errorCode(), message);
    } else {
      log.warn("step {} ended with {} which the model does not catch: incident", stepName,
          e.errorCode());
      externalTasks.handleFailure(task.getId(), workerId, e.errorCode() + ": " + message,
          message, 0, 0L, Map.of(), local);
    }
  }

  /**
   * A step of a dry-run or precheck run: rendered, recorded and (precheck) its systems checked, never
   * run. A step that cannot be rendered fails at once, without retries: it would fail the same way
   * again, and the incident (with its failure decision) names it.
   */
  private void walkStep(LockedExternalTask task, StepGate.Walk walk, String route, String stepName,
      Map<String, Object> inputs) {
    inputs.remove(StepWorker.TIME_LIMIT_INPUT);
    inputs.put(StepInputs.STEP_NAME, stepName);
    try {
      Map<String, Object> result = walk.walker().walk(new StepGate.WalkedStep(
          task.getProcessDefinitionKey(), task.getProcessInstanceId(), task.getActivityId(),
          task.getActivityInstanceId(), stepName, route, inputs));
      completeWithRetry(task, StepOutcomes.locals(outcomes.bounded(result),
          outcomes.outcome("planned (" + walk.mode() + ")", Map.of(), null)));
      log.info("step {} walked ({}, {})", stepName, walk.mode(), task.getProcessInstanceId());
    } catch (SuspendedEntityInteractionException e) {
      throw e;
    } catch (RuntimeException e) {
      String message = outcomes.message(e);
      log.warn("step {} cannot be walked ({}): {}", stepName, walk.mode(), message);
      externalTasks.handleFailure(task.getId(), workerId, StepOutcomes.truncate(message, 600),
          outcomes.details(e), 0, 0L, Map.of(), failedLocals(message));
    }
  }

  /**
   * Parallel instances of a step (a multi-instance over hosts) finishing at the same moment update
   * the same parent execution; the engine then refuses all but one completion. The step's work is
   * journaled, so completing again is safe and costs the step none of its retries.
   */
  private void completeWithRetry(LockedExternalTask task, Map<String, Object> local) {
    for (int attempt = 1; ; attempt++) {
      try {
        externalTasks.complete(task.getId(), workerId, Map.of(), local);
        return;
      } catch (OptimisticLockingException e) {
        if (attempt == COMPLETE_ATTEMPTS) {
          throw e;
        }
        log.debug("completion of {} collided with a parallel step, attempt {}", task.getActivityId(), attempt);
        try {
          Thread.sleep(ThreadLocalRandom.current().nextLong(20, 100L * attempt));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private void failTechnically(LockedExternalTask task, String key, String stepName, RuntimeException e) {
    String message = outcomes.message(e);
    journal.failed(key, message);
    int retriesLeft = (task.getRetries() == null ? properties.getRetries() : task.getRetries()) - 1;
    long backoff = retriesLeft > 0 ? properties.backoffFor(retriesLeft).toMillis() : 0L;
    log.warn("step {} failed ({} retries left): {}", stepName, Math.max(retriesLeft, 0), message);
    try {
      externalTasks.handleFailure(task.getId(), workerId, StepOutcomes.truncate(message, 600),
          outcomes.details(e), Math.max(retriesLeft, 0), backoff,
          Map.of(), failedLocals(message));
    } catch (SuspendedEntityInteractionException paused) {
      throw paused;
    } catch (RuntimeException reportFailure) {
      log.warn("could not report the failure of step {}: {}", stepName, reportFailure.getMessage());
    }
  }

  private Map<String, Object> failedLocals(String message) {
    return StepOutcomes.locals(Map.of(), outcomes.outcome("failed", Map.of(), message));
  }

  private void extendLock(LockedExternalTask task) {
    try {
      externalTasks.extendLock(task.getId(), workerId, properties.getLockDuration().toMillis());
    } catch (SuspendedEntityInteractionException e) {
      // the run is paused: the lock cannot be renewed; a paused run's steps are not fetched anyway
      log.debug("run of step {} is paused: lock not renewed", task.getActivityId());
    } catch (RuntimeException e) {
      log.warn("could not extend the lock of step {}: {}", task.getActivityId(), e.getMessage());
    }
  }
}
