package io.drrunbook.engine;

import io.drrunbook.common.SecretMasker;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.camel.ProducerTemplate;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs every automated step of every procedure: service tasks of type external on topic
 * {@value #TOPIC}, consumed in-process through the engine's Java API. This class polls: it fetches
 * and locks as many steps as it has free threads and hands each to the {@link StepRunner}, which
 * asks the {@link StepGate}s whether to run, walk or hold it, calls its route ({@link RouteCall})
 * under a lock heartbeat (so a 20-minute step is never handed out a second time) and ends it in the
 * engine with its bounded, masked outcome ({@link StepOutcomes}). The route is the task's
 * {@code route} input; it receives only the task's own inputs plus the idempotency key, and its
 * result map becomes local variables of the step that output parameters map onward. Because no
 * engine transaction is open while a route runs, a crash loses nothing: the {@link StepJournal}
 * tells a finished step from one to run again.
 */
@Component
public class StepWorker implements SmartLifecycle {

  public static final String TOPIC = "dr-step";
  /** Local variable with the masked, bounded outcome of the step, kept in history for the report. */
  public static final String OUTCOME_VARIABLE = "stepOutcome";
  /** Optional input of a service task: its own time limit per attempt (ISO-8601, e.g. PT5M). */
  public static final String TIME_LIMIT_INPUT = "timeLimit";

  private static final Logger log = LoggerFactory.getLogger(StepWorker.class);

  private final ExternalTaskService externalTasks;
  private final RuntimeService runtime;
  private final ProducerTemplate producer;
  private final StepJournal journal;
  private final ProcessModels models;
  private final SecretMasker masker;
  private final StepProperties properties;
  private final List<StepGate> gates;
  private final String workerId;

  private volatile boolean running;
  private ExecutorService steps;
  private ExecutorService calls;
  private ScheduledExecutorService heartbeats;
  private StepRunner runner;
  private RouteCall routes;
  private Thread poller;
  private Semaphore freeSlots;
  private final Object wakeUp = new Object();
  /** A wake-up not yet answered by a fetch (guarded by {@code wakeUp}). */
  private Pickup pendingWakeUp;
  private final AtomicLong[] pickupCounts = Stream.generate(AtomicLong::new)
      .limit(Pickup.values().length).toArray(AtomicLong[]::new);
  private final Map<String, Pickup> pickups = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Pickup> eldest) {
      return size() > 1_000;
    }
  };

  /** What made the poller fetch a step. */
  public enum Pickup {
    /** A dr-step task was created (its transaction committed on this node): {@link StepWakeUps}. */
    STEP_CREATED,
    /** A step this worker ran ended (the next one is usually created with it). */
    STEP_ENDED,
    /** The previous fetch found steps: there may be more. */
    MORE,
    /** The poll interval passed without a wake-up (steps created on another node, or missed). */
    POLL
  }

  /** {@code gates} in their order (Spring orders them by {@code @Order}); empty where every step runs. */
  public StepWorker(ExternalTaskService externalTasks, RuntimeService runtime, ProducerTemplate producer,
      StepJournal journal, ProcessModels models, SecretMasker masker, StepProperties properties,
      List<StepGate> gates) {
    this.externalTasks = externalTasks;
    this.runtime = runtime;
    this.producer = producer;
    this.journal = journal;
    this.models = models;
    this.masker = masker;
    this.properties = properties;
    this.gates = List.copyOf(gates);
    this.workerId = nodeName(properties) + "-" + UUID.randomUUID().toString().substring(0, 8);
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
    routes = new RouteCall(producer, calls, properties);
    runner = new StepRunner(externalTasks, runtime, journal, models, properties, gates, routes,
        new StepOutcomes(masker, properties.getOutputLimit()), heartbeats, workerId);
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
    wakeUp(Pickup.STEP_ENDED);
  }

  /**
   * Asks the poller to look for new steps now; a wake-up that arrives while the poller is fetching
   * is kept, and the poller fetches once more instead of waiting.
   */
  public void wakeUp(Pickup cause) {
    synchronized (wakeUp) {
      if (pendingWakeUp == null) {
        pendingWakeUp = cause;
      }
      wakeUp.notifyAll();
    }
  }

  /** What made the poller fetch the step with this external task id (the last 1,000 steps). */
  public Optional<Pickup> pickupOf(String externalTaskId) {
    synchronized (pickups) {
      return Optional.ofNullable(pickups.get(externalTaskId));
    }
  }

  /** Steps fetched so far, by what made the poller fetch them. */
  public Map<Pickup, Long> pickupCounts() {
    Map<Pickup, Long> counts = new EnumMap<>(Pickup.class);
    for (Pickup cause : Pickup.values()) {
      counts.put(cause, pickupCounts[cause.ordinal()].get());
    }
    return counts;
  }

  private void pollLoop() {
    Pickup cause = Pickup.POLL;
    while (running) {
      try {
        int fetched = fetchAndSubmit(cause);
        cause = nextCause(fetched > 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // the engine database may be briefly unavailable; keep polling
        log.warn("fetching steps failed: {}", e.getMessage());
        sleepQuietly();
        cause = Pickup.POLL;
      }
    }
  }

  /**
   * Waits for a wake-up or the poll interval, unless the last fetch found steps (there may be more)
   * or a wake-up came in meanwhile; says why the next fetch happens.
   */
  private Pickup nextCause(boolean fetchedSome) throws InterruptedException {
    synchronized (wakeUp) {
      if (!fetchedSome && pendingWakeUp == null) {
        wakeUp.wait(properties.getPollInterval().toMillis());
      }
      Pickup cause = pendingWakeUp != null ? pendingWakeUp : fetchedSome ? Pickup.MORE : Pickup.POLL;
      pendingWakeUp = null;
      return cause;
    }
  }

  private int fetchAndSubmit(Pickup cause) throws InterruptedException {
    int slots = freeSlots.availablePermits();
    // the routes must be able to take a step: Camel starts them on ContextRefreshedEvent and stops
    // them on shutdown, independently of this worker
    if (slots == 0 || !routes.routesStarted()) {
      return 0;
    }
    List<LockedExternalTask> tasks = externalTasks.fetchAndLock(slots, workerId)
        .topic(TOPIC, properties.getLockDuration().toMillis())
        .localVariables()
        .execute();
    for (LockedExternalTask task : tasks) {
      pickupCounts[cause.ordinal()].incrementAndGet();
      synchronized (pickups) {
        pickups.put(task.getId(), cause);
      }
      freeSlots.acquire();
      steps.submit(() -> {
        try {
          runner.run(task);
        } finally {
          freeSlots.release();
          // finishing a step usually creates the next one: look for it now
          wakeUp(Pickup.STEP_ENDED);
        }
      });
    }
    return tasks.size();
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(properties.getPollInterval().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory named(String prefix) {
    return runnable -> {
      Thread thread = new Thread(runnable);
      thread.setName(prefix + thread.getId());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** {@code dr.steps.node-name}, or the host name. */
  public static String nodeName(StepProperties properties) {
    return properties.getNodeName() == null || properties.getNodeName().isBlank() ? hostName()
        : properties.getNodeName();
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "dr-runbook";
    }
  }
}
