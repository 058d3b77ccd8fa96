package io.drrunbook.engine;

import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepInputs;
import io.drrunbook.plans.StepRehearsal;
import io.drrunbook.prechecks.PrecheckGate;
import io.drrunbook.runs.RunMode;
import io.drrunbook.security.SecretMasker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.SuspendedEntityInteractionException;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs every automated step of every procedure: service tasks of type external on topic
 * {@value #TOPIC}, consumed in-process through the engine's Java API. A step is locked, its lock
 * renewed on a heartbeat while its connector route runs (so a 20-minute step is never handed out a
 * second time), and then completed, failed with retries and backoff (an incident when none are
 * left), or ended with a BPMN error. The route is the task's {@code route} input; it receives only
 * the task's own inputs plus the idempotency key, and its result map becomes local variables of the
 * step that output parameters map onward. Because no engine transaction is open while a route runs,
 * a crash loses nothing: the {@link StepJournal} tells a finished step from one to run again.
 */
@Component
public class StepWorker implements SmartLifecycle {

  public static final String TOPIC = "dr-step";
  /** Local variable with the masked, bounded outcome of the step, kept in history for the report. */
  public static final String OUTCOME_VARIABLE = "stepOutcome";
  /** Optional input of a service task: its own time limit per attempt (ISO-8601, e.g. PT5M). */
  public static final String TIME_LIMIT_INPUT = "timeLimit";

  private static final int COMPLETE_ATTEMPTS = 5;
  private static final Logger log = LoggerFactory.getLogger(StepWorker.class);

  private final ExternalTaskService externalTasks;
  private final RuntimeService runtime;
  private final ProducerTemplate producer;
  private final StepJournal journal;
  private final ProcessModels models;
  private final SecretMasker masker;
  private final StepProperties properties;
  private final StepRehearsal rehearsal;
  private final String workerId;

  private volatile boolean running;
  private ExecutorService steps;
  private ExecutorService calls;
  private ScheduledExecutorService heartbeats;
  private Thread poller;
  private Semaphore freeSlots;
  private final Object wakeUp = new Object();
  /** Null where runs are never held (engine tests). */
  private final PrecheckGate prechecks;
  /** How soon the step of a run held by its precheck is handed out again. */
  private static final Duration HELD_STEP_RECHECK = Duration.ofSeconds(1);

  public StepWorker(ExternalTaskService externalTasks, RuntimeService runtime, ProducerTemplate producer,
      StepJournal journal, ProcessModels models, SecretMasker masker, StepProperties properties,
      StepRehearsal rehearsal, PrecheckGate prechecks) {
    this.rehearsal = rehearsal;
    this.prechecks = prechecks;
    this.externalTasks = externalTasks;
    this.runtime = runtime;
    this.producer = producer;
    this.journal = journal;
    this.models = models;
    this.masker = masker;
    this.properties = properties;
    this.workerId = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public String workerId() {
    return workerId;
  }

  @Override
  public void start() {
    if (!properties.isWorkerEnabled()) {
      log.info("step worker disabled (dr.steps.worker-enabled=false)");
      return;
    }
    freeSlots = new Semaphore(properties.getThreads());
    steps = Executors.newFixedThreadPool(properties.getThreads(), named("dr-step-"));
    calls = Executors.newCachedThreadPool(named("dr-step-call-"));
    heartbeats = Executors.newSingleThreadScheduledExecutor(named("dr-step-heartbeat-"));
    running = true;
    poller = named("dr-step-poller-").newThread(this::pollLoop);
    poller.start();
    log.info("step worker {} started ({} threads, lock {})", workerId, properties.getThreads(),
        properties.getLockDuration());
  }

  @Override
  public void stop() {
    running = false;
    if (poller == null) {
      return;
    }
    poller.interrupt();
    steps.shutdownNow();
    calls.shutdownNow();
    heartbeats.shutdownNow();
    try {
      steps.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stop first, before the engine, Camel and the lab. */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 100;
  }

  /**
   * Not started with the other lifecycle beans: Camel starts its routes only once the context has
   * been refreshed, so the worker waits for the application to be ready (a step fetched earlier
   * would fail with "CamelContext is stopped" and lose one of its retries).
   */
  @Override
  public boolean isAutoStartup() {
    return false;
  }

  @EventListener(ApplicationReadyEvent.class)
  public void onApplicationReady() {
    if (!running) {
      start();
    }
  }

  /** Asks the poller to look for new steps now instead of at its next interval. */
  public void wakeUp() {
    synchronized (wakeUp) {
      wakeUp.notifyAll();
    }
  }

  private void pollLoop() {
    while (running) {
      try {
        int fetched = fetchAndSubmit();
        if (fetched == 0) {
          synchronized (wakeUp) {
            wakeUp.wait(properties.getPollInterval().toMillis());
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // the engine database may be briefly unavailable; keep polling
        log.warn("fetching steps failed: {}", e.getMessage());
        sleepQuietly();
      }
    }
  }

  private int fetchAndSubmit() throws InterruptedException {
    int slots = freeSlots.availablePermits();
    // the routes must be able to take a step: Camel starts them on ContextRefreshedEvent and stops
    // them on shutdown, independently of this worker
    if (slots == 0 || !producer.getCamelContext().isStarted()) {
      return 0;
    }
    List<LockedExternalTask> tasks = externalTasks.fetchAndLock(slots, workerId)
        .topic(TOPIC, properties.getLockDuration().toMillis())
        .localVariables()
        .execute();
    for (LockedExternalTask task : tasks) {
      freeSlots.acquire();
      steps.submit(() -> {
        try {
          run(task);
        } finally {
          freeSlots.release();
          // finishing a step usually creates the next one: look for it now
          wakeUp();
        }
      });
    }
    return tasks.size();
  }

  void run(LockedExternalTask task) {
    try {
      runStep(task);
    } catch (SuspendedEntityInteractionException e) {
      keepForResume(task);
    }
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
    String stepName = models.elementName(task.getProcessDefinitionId(), task.getActivityId());
    Optional<RunMode> walk = rehearsal.walkMode(task.getProcessInstanceId());
    if (walk.isPresent()) {
      walkStep(task, walk.get(), route, stepName, inputs);
      return;
    }
    if (prechecks != null && prechecks.holds(task.getProcessInstanceId())) {
      // an execute run started outside the product API, not paused yet: nothing runs before its
      // precheck has passed; the step is handed out again shortly (by then the run is paused or free)
      externalTasks.extendLock(task.getId(), workerId, HELD_STEP_RECHECK.toMillis());
      log.info("step {} of run {} waits: the run's precheck holds it", stepName,
          task.getProcessInstanceId());
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
        Duration limit = timeLimit(route, inputs.remove(TIME_LIMIT_INPUT));
        inputs.put(StepInputs.IDEMPOTENCY_KEY, key);
        inputs.put(StepInputs.STEP_NAME, stepName);
        log.info("step {} starts: route {} ({}, time limit {})", stepName, route, key, limit);
        result = bounded(callWithin(limit, route, inputs));
        journal.done(key, result);
      }
      heartbeat.cancel(false);
      Map<String, Object> local = new LinkedHashMap<>(result);
      local.put(OUTCOME_VARIABLE, outcome("done", result, null));
      completeWithRetry(task, local);
      log.info("step {} done ({})", stepName, key);
    } catch (StepBusinessException e) {
      heartbeat.cancel(false);
      String message = masker.mask(e.getMessage());
      journal.failed(key, e.errorCode() + ": " + message);
      Map<String, Object> local = new LinkedHashMap<>(bounded(e.result()));
      local.put(OUTCOME_VARIABLE, outcome(e.errorCode(), e.result(), message));
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
    } catch (SuspendedEntityInteractionException e) {
      heartbeat.cancel(false);
      throw e;
    } catch (RuntimeException e) {
      heartbeat.cancel(false);
      failTechnically(task, key, stepName, e);
    }
  }

  /**
   * A step of a dry-run or precheck run: rendered, recorded and (precheck) its systems checked, never
   * run. A step that cannot be rendered fails at once, without retries: it would fail the same way
   * again, and the incident (with its failure decision) names it.
   */
  private void walkStep(LockedExternalTask task, RunMode mode, String route, String stepName,
      Map<String, Object> inputs) {
    inputs.remove(TIME_LIMIT_INPUT);
    inputs.put(StepInputs.STEP_NAME, stepName);
    try {
      Map<String, Object> result = bounded(rehearsal.rehearse(mode, task.getProcessDefinitionKey(), task.getProcessInstanceId(),
          task.getActivityId(), task.getActivityInstanceId(), stepName, route, inputs));
      Map<String, Object> local = new LinkedHashMap<>(result);
      local.put(OUTCOME_VARIABLE, outcome("planned (" + mode.id() + ")", Map.of(), null));
      completeWithRetry(task, local);
      log.info("step {} walked ({}, {})", stepName, mode.id(), task.getProcessInstanceId());
    } catch (SuspendedEntityInteractionException e) {
      throw e;
    } catch (RuntimeException e) {
      String message = masker.mask(String.valueOf(e.getMessage()));
      log.warn("step {} cannot be walked ({}): {}", stepName, mode.id(), message);
      externalTasks.handleFailure(task.getId(), workerId, truncate(message, 600),
          masker.mask(stackTrace(e)), 0, 0L, Map.of(),
          Map.of(OUTCOME_VARIABLE, outcome("failed", Map.of(), message)));
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

  /** A task's {@code timeLimit} input (ISO-8601) or else the route's time limit. */
  private Duration timeLimit(String route, Object taskLimit) {
    if (taskLimit == null || String.valueOf(taskLimit).isBlank()) {
      return properties.timeLimitFor(route);
    }
    try {
      Duration limit = Duration.parse(String.valueOf(taskLimit).strip());
      if (limit.isNegative() || limit.isZero()) {
        throw new IllegalStateException("input " + TIME_LIMIT_INPUT + " must be a positive duration");
      }
      return limit;
    } catch (DateTimeParseException e) {
      throw new IllegalStateException("input " + TIME_LIMIT_INPUT + " is not an ISO-8601 duration: "
          + taskLimit);
    }
  }

  /**
   * The route call on its own thread, abandoned (interrupted) when it exceeds its time limit: a
   * hung command never holds the step, and the exceeded limit counts as a failed attempt.
   */
  private Map<String, Object> callWithin(Duration limit, String route, Map<String, Object> inputs) {
    Future<Map<String, Object>> call = calls.submit(() -> call(route, inputs));
    try {
      return call.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new StepTimeLimitException("step exceeded its time limit of " + limit
          + " (route " + route + "); the attempt was abandoned");
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("step worker stopping; attempt abandoned", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** An attempt that exceeded its time limit: a technical failure like any other. */
  static final class StepTimeLimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StepTimeLimitException(String message) {
      super(message);
    }
  }

  private Map<String, Object> call(String route, Map<String, Object> inputs) {
    try {
      Object body = producer.requestBody("direct:" + route, inputs);
      if (body instanceof Map<?, ?> map) {
        Map<String, Object> result = new LinkedHashMap<>();
        map.forEach((k, v) -> result.put(String.valueOf(k), v));
        return result;
      }
      throw new IllegalStateException("route " + route + " returned " + body + " instead of a result map");
    } catch (CamelExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw e;
    }
  }

  private void failTechnically(LockedExternalTask task, String key, String stepName, RuntimeException e) {
    String message = masker.mask(String.valueOf(e.getMessage()));
    journal.failed(key, message);
    int retriesLeft = (task.getRetries() == null ? properties.getRetries() : task.getRetries()) - 1;
    long backoff = retriesLeft > 0 ? properties.backoffFor(retriesLeft).toMillis() : 0L;
    log.warn("step {} failed ({} retries left): {}", stepName, Math.max(retriesLeft, 0), message);
    try {
      externalTasks.handleFailure(task.getId(), workerId, truncate(message, 600),
          masker.mask(stackTrace(e)), Math.max(retriesLeft, 0), backoff,
          Map.of(), Map.of(OUTCOME_VARIABLE, outcome("failed", Map.of(), message)));
    } catch (SuspendedEntityInteractionException paused) {
      throw paused;
    } catch (RuntimeException reportFailure) {
      log.warn("could not report the failure of step {}: {}", stepName, reportFailure.getMessage());
    }
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

  /** Strings are masked and cut to the output limit; lists of strings likewise, element by element. */
  private Map<String, Object> bounded(Map<String, Object> result) {
    Map<String, Object> bounded = new LinkedHashMap<>();
    result.forEach((name, value) -> bounded.put(name, boundedValue(value)));
    return bounded;
  }

  private Object boundedValue(Object value) {
    if (value instanceof String text) {
      return truncate(masker.mask(text), properties.getOutputLimit());
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(item -> copy.add(boundedValue(item)));
      return copy;
    }
    return value;
  }

  private String outcome(String status, Map<String, Object> result, String message) {
    StringBuilder text = new StringBuilder(status);
    if (message != null) {
      text.append(": ").append(message);
    }
    result.forEach((name, value) -> text.append('\n').append(name).append(" = ").append(value));
    return truncate(masker.mask(text.toString()), 3 * properties.getOutputLimit());
  }

  private static String truncate(String text, int limit) {
    if (text == null || text.length() <= limit) {
      return text;
    }
    return text.substring(0, limit) + "... (" + (text.length() - limit) + " more characters)";
  }

  private static String stackTrace(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    return truncate(out.toString(), 4000);
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(properties.getPollInterval().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    return runnable -> {
      Thread thread = new Thread(runnable);
      thread.setName(prefix + thread.getId());
      thread.setDaemon(true);
      return thread;
    };
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "dr-runbook";
    }
  }
}
