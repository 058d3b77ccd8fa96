package io.drrunbook.operations;

import io.drrunbook.core.Procedures;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricProcessInstanceQuery;
import org.camunda.bpm.engine.history.HistoricTaskInstance;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs, incidents and manual steps as metrics, read from the engine (history and runtime, public
 * API) every {@code dr.operations.refresh-interval}:
 * <ul>
 *   <li>{@value #RUNS} (gauge): runs in the engine database by {@code procedure} (process definition
 *       key) and {@code outcome}: {@code active} (running, no open incident), {@code incident}
 *       (running with an open incident), {@code suspended} (paused), {@code completed},
 *       {@code cancelled} (cancelled from outside: the product API, Cockpit, an abort decision),
 *       {@code terminated} (ended inside the engine: a terminate end event). Read from the
 *       database, so it survives restarts; runs removed by history clean-up leave it. The internal
 *       failure-decision process ({@value Procedures#FAILURE_DECISION}) is not a run and is left out.</li>
 *   <li>{@value #INCIDENTS} (gauge): open incidents by {@code procedure}.</li>
 *   <li>{@value #WAITING} (gauge): manual tasks open now by {@code procedure} and {@code task}
 *       (task definition key).</li>
 *   <li>{@value #MANUAL_WAIT} (timer): how long each completed manual task was open (created to
 *       completed), by {@code procedure} and {@code task}; tasks completed since this process
 *       started (a restart is a counter reset), each counted once.</li>
 * </ul>
 */
@Component
public class RunMetrics implements SmartLifecycle {

  public static final String RUNS = "dr.runs";
  public static final String INCIDENTS = "dr.incidents.open";
  public static final String WAITING = "dr.manual.waiting";
  public static final String MANUAL_WAIT = "dr.manual.wait";
  /** Tasks completed up to this long before the last read are read again (late commits), once each. */
  private static final Duration OVERLAP = Duration.ofMinutes(2);
  private static final String COMPLETED_TASK = "completed";
  private static final Logger log = LoggerFactory.getLogger(RunMetrics.class);

  private final HistoryService history;
  private final RuntimeService runtime;
  private final TaskService tasks;
  private final RepositoryService repository;
  private final MeterRegistry registry;
  private final OperationsProperties properties;
  private final MultiGauge runs;
  private final MultiGauge incidents;
  private final MultiGauge waiting;
  /** Completed tasks already recorded, with their end, until they fall out of the overlap. */
  private final Map<String, Instant> recorded = new HashMap<>();
  private Instant readUntil = Instant.now();
  private ScheduledExecutorService scheduler;

  public RunMetrics(HistoryService history, RuntimeService runtime, TaskService tasks,
      RepositoryService repository, MeterRegistry registry, OperationsProperties properties) {
    this.history = history;
    this.runtime = runtime;
    this.tasks = tasks;
    this.repository = repository;
    this.registry = registry;
    this.properties = properties;
    this.runs = MultiGauge.builder(RUNS).description("Runs by procedure and outcome").register(registry);
    this.incidents = MultiGauge.builder(INCIDENTS).description("Open incidents by procedure").register(registry);
    this.waiting = MultiGauge.builder(WAITING).description("Manual tasks open now by procedure and task")
        .register(registry);
  }

  /** Reads everything once more from the engine (also called on a schedule). */
  public synchronized void refresh() {
    Map<String, String> keys = procedureKeys();
    refreshRuns(new TreeSet<>(keys.values()));
    refreshIncidents(keys);
    refreshWaiting(keys);
    recordCompletedTasks();
  }

  private void refreshRuns(Set<String> procedures) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (String procedure : procedures) {
      if (!Procedures.isProcedure(procedure)) {
        continue;
      }
      long active = runs(procedure).active().count();
      long incident = runs(procedure).active().incidentStatus("open").count();
      Map<String, Long> outcomes = new LinkedHashMap<>();
      outcomes.put("active", active - incident);
      outcomes.put("incident", incident);
      outcomes.put("suspended", runs(procedure).suspended().count());
      outcomes.put("completed", runs(procedure).completed().count());
      outcomes.put("cancelled", runs(procedure).externallyTerminated().count());
      outcomes.put("terminated", runs(procedure).internallyTerminated().count());
      outcomes.forEach((outcome, count) ->
          rows.add(MultiGauge.Row.of(Tags.of("procedure", procedure, "outcome", outcome), count)));
    }
    runs.register(rows, true);
  }

  private HistoricProcessInstanceQuery runs(String procedure) {
    return history.createHistoricProcessInstanceQuery().processDefinitionKey(procedure);
  }

  private void refreshIncidents(Map<String, String> keys) {
    Map<String, Long> open = new HashMap<>();
    keys.values().forEach(key -> open.put(key, 0L));
    for (Incident incident : runtime.createIncidentQuery().list()) {
      open.merge(keyOf(keys, incident.getProcessDefinitionId()), 1L, Long::sum);
    }
    incidents.register(open.entrySet().stream()
        .<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(Tags.of("procedure", e.getKey()), e.getValue()))
        .toList(), true);
  }

  private void refreshWaiting(Map<String, String> keys) {
    Map<Tags, Long> open = new HashMap<>();
    for (Task task : tasks.createTaskQuery().list()) {
      open.merge(Tags.of("procedure", keyOf(keys, task.getProcessDefinitionId()),
          "task", String.valueOf(task.getTaskDefinitionKey())), 1L, Long::sum);
    }
    waiting.register(open.entrySet().stream()
        .<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(e.getKey(), e.getValue())).toList(), true);
  }

  private void recordCompletedTasks() {
    Instant now = Instant.now();
    Instant from = readUntil.minus(OVERLAP);
    for (HistoricTaskInstance task : history.createHistoricTaskInstanceQuery().finished()
        .finishedAfter(Date.from(from)).list()) {
      if (!COMPLETED_TASK.equals(task.getDeleteReason()) || task.getEndTime() == null
          || recorded.containsKey(task.getId())) {
        continue;
      }
      recorded.put(task.getId(), task.getEndTime().toInstant());
      long millis = task.getDurationInMillis() != null ? task.getDurationInMillis()
          : task.getEndTime().getTime() - task.getStartTime().getTime();
      Timer.builder(MANUAL_WAIT).description("How long manual tasks were open before completion")
          .tags("procedure", String.valueOf(task.getProcessDefinitionKey()),
              "task", String.valueOf(task.getTaskDefinitionKey()))
          .serviceLevelObjectives(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
              Duration.ofHours(1), Duration.ofHours(4), Duration.ofDays(1))
          .register(registry).record(Duration.ofMillis(Math.max(0, millis)));
    }
    recorded.values().removeIf(end -> end.isBefore(from));
    readUntil = now;
  }

  /** Process definition id to key, of every deployed definition. */
  private Map<String, String> procedureKeys() {
    Map<String, String> keys = new HashMap<>();
    for (ProcessDefinition definition : repository.createProcessDefinitionQuery().list()) {
      keys.put(definition.getId(), definition.getKey());
    }
    return keys;
  }

  private static String keyOf(Map<String, String> keys, String definitionId) {
    String key = definitionId == null ? null : keys.get(definitionId);
    return key != null ? key : "unknown";
  }

  // ------------------------------------------------------------------------------- lifecycle

  @Override
  public void start() {
    scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "dr-operations-metrics");
      thread.setDaemon(true);
      return thread;
    });
    long every = properties.getRefreshInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::refreshQuietly, 0, every, TimeUnit.MILLISECONDS);
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      log.warn("operations metrics not refreshed: {}", e.toString());
    }
  }

  @Override
  public void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }

  @Override
  public boolean isRunning() {
    return scheduler != null;
  }
}
