package io.drrunbook.runs;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.approval.DecisionRecord;
import io.drrunbook.common.SecretMasker;
import io.drrunbook.engine.ProcessModels;
import io.drrunbook.engine.StepWorker;
import io.drrunbook.runs.RunReport.CriticalStep;
import io.drrunbook.runs.RunReport.Decision;
import io.drrunbook.runs.RunReport.Elapsed;
import io.drrunbook.runs.RunReport.Header;
import io.drrunbook.runs.RunReport.Incident;
import io.drrunbook.runs.RunReport.Step;
import io.drrunbook.runs.RunViews.FailureDecision;
import io.drrunbook.runs.RunViews.Run;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricIncident;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.springframework.stereotype.Service;

/**
 * Builds the {@link RunReport} of a run from the engine's history (as the caller: a run the caller
 * may not read is unknown, exactly as in {@code GET /api/runs/{id}}), the decision record and the
 * steps' recorded outcomes.
 */
@Service
public class RunReportService {

  /** The run parameter that sets the RTO target of a run (procedures.yaml). */
  public static final String RTO_PARAMETER = "rtoMinutes";
  static final int OUTPUT_LIMIT = 1500;
  private static final Set<String> GATEWAYS = Set.of("exclusiveGateway", "parallelGateway",
      "inclusiveGateway", "eventBasedGateway", "complexGateway");
  private static final Set<String> AUTOMATED = Set.of("serviceTask", "sendTask", "scriptTask",
      "businessRuleTask");

  private final RunLookup runs;
  private final FailureDecisionHistory failureDecisions;
  private final ApiCaller callers;
  private final HistoryService history;
  private final DecisionRecord decisions;
  private final SecretMasker masker;
  private final ObjectMapper json;
  private final Clock clock;
  private final io.drrunbook.prechecks.PrecheckGate prechecks;
  private final RtoForecast forecasts;
  private final ProcessModels models;

  public RunReportService(RunLookup runs, FailureDecisionHistory failureDecisions, ApiCaller callers,
      HistoryService history, DecisionRecord decisions,
      io.drrunbook.prechecks.PrecheckGate prechecks,
      SecretMasker masker, ObjectMapper json, RtoForecast forecasts, ProcessModels models) {
    this.forecasts = forecasts;
    this.models = models;
    this.runs = runs;
    this.failureDecisions = failureDecisions;
    this.callers = callers;
    this.prechecks = prechecks;
    this.history = history;
    this.decisions = decisions;
    this.masker = masker;
    this.json = json;
    this.clock = Clock.systemUTC();
  }

  public RunReport report(String id, String baseUrl) {
    Run run = runs.run(id, baseUrl);
    HistoricProcessInstance instance =
        history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult();
    Integer rto = rtoMinutes(id);
    Header header = new Header(run.id(), run.procedure(), instance.getProcessDefinitionName(),
        run.ticket(), run.mode(), run.state().name(), run.startedBy(), run.startTime(), run.endTime(),
        rto, run.links());

    List<HistoricActivityInstance> activities = history.createHistoricActivityInstanceQuery()
        .processInstanceId(id).orderByHistoricActivityInstanceStartTime().asc()
        .orderPartiallyByOccurrence().asc().list();
    List<DecisionRecord.Decision> recorded = decisions.forProcessInstance(id);
    Map<String, String> deciders = new HashMap<>();
    recorded.forEach(d -> deciders.put(d.taskId(), d.userId()));
    Map<String, String> outputs = new HashMap<>();
    history.createHistoricVariableInstanceQuery().processInstanceId(id)
        .variableName(StepWorker.OUTCOME_VARIABLE).disableCustomObjectDeserialization().list()
        .forEach(v -> outputs.put(v.getActivityInstanceId(), bounded(RunLookup.value(v))));

    Instant now = clock.instant();
    List<HistoricActivityInstance> path = criticalPath(activities, now);
    Set<String> critical = new HashSet<>();
    path.forEach(a -> critical.add(a.getId()));
    Set<String> containers = containers(activities);
    StepElements stepNames = StepElements.of(history, models, id, activities);

    List<Step> steps = new ArrayList<>();
    for (HistoricActivityInstance activity : activities) {
      if (GATEWAYS.contains(activity.getActivityType()) || containers.contains(activity.getId())) {
        continue;
      }
      String output = outputs.get(activity.getId());
      steps.add(new Step(activity.getId(), activity.getActivityId(),
          Objects.requireNonNullElse(stepNames.name(activity), activity.getActivityId()),
          activity.getActivityType(), instant(activity.getStartTime()), instant(activity.getEndTime()),
          activity.getDurationInMillis(), actor(activity, deciders), outcome(activity, output), output,
          critical.contains(activity.getId())));
    }
    List<CriticalStep> criticalPath = path.stream()
        .filter(a -> !GATEWAYS.contains(a.getActivityType()))
        .map(a -> new CriticalStep(a.getId(), a.getActivityId(),
            Objects.requireNonNullElse(stepNames.name(a), a.getActivityId()), a.getDurationInMillis()))
        .toList();

    Map<String, String> names = new HashMap<>();
    activities.forEach(a -> names.putIfAbsent(a.getActivityId(), a.getActivityName()));
    List<Incident> incidents = history.createHistoricIncidentQuery().processInstanceId(id)
        .orderByCreateTime().asc().list().stream()
        .map(i -> new Incident(i.getActivityId(), names.get(i.getActivityId()), i.getIncidentType(),
            masker.mask(i.getIncidentMessage()), instant(i.getCreateTime()), instant(i.getEndTime()),
            incidentState(i)))
        .toList();

    Instant end = run.endTime() != null ? run.endTime() : now;
    long elapsed = Duration.between(run.startTime(), end).toMillis();
    Long margin = rto == null ? null : Duration.ofMinutes(rto).toMillis() - elapsed;
    Elapsed elapsedView = new Elapsed(elapsed, run.endTime() != null, rto,
        margin == null ? null : margin >= 0, margin, forecasts.forecast(id).orElse(null));

    return new RunReport(header, elapsedView, steps, criticalPath,
        recorded.stream().map(this::decision).toList(), incidents,
        // instances of their own process, read as the application: who may read the run may read them
        callers.asApplication(() -> failureDecisions.forRun(id)).stream().map(this::masked).toList(),
        prechecks.summary(id, run.mode()).orElse(null), now);
  }

  private FailureDecision masked(FailureDecision d) {
    return new FailureDecision(d.activityId(), d.stepName(), d.state(), masker.mask(d.error()), d.taskId(),
        d.choice(), masker.mask(d.note()), d.decidedBy(), d.decidedAt(), d.created(), d.resultsUsed(),
        masker.mask(d.results()));
  }

  // ------------------------------------------------------------------------------- critical path

  /**
   * The chain of activity instances that determined the end time: from the latest-finishing
   * activity of the run, back through, each time, the latest-finishing activity of the same scope
   * that ended before it started; a scope (sub-process, multi-instance) is entered through its
   * latest-finishing child (for a parallel multi-instance: the slowest instance), and left, when
   * its first activity is reached, through the scope's own predecessor. Gateways do not count.
   */
  static List<HistoricActivityInstance> criticalPath(List<HistoricActivityInstance> activities, Instant now) {
    Map<String, HistoricActivityInstance> byId = new HashMap<>();
    Map<String, Integer> order = new HashMap<>();
    Map<String, List<HistoricActivityInstance>> byScope = new LinkedHashMap<>();
    for (int i = 0; i < activities.size(); i++) {
      HistoricActivityInstance a = activities.get(i);
      byId.put(a.getId(), a);
      order.put(a.getId(), i);
      if (!GATEWAYS.contains(a.getActivityType())) {
        byScope.computeIfAbsent(a.getParentActivityInstanceId(), k -> new ArrayList<>()).add(a);
      }
    }
    Comparator<HistoricActivityInstance> latest = Comparator
        .<HistoricActivityInstance, Instant>comparing(a -> end(a, now)).thenComparing(a -> order.get(a.getId()));
    String root = activities.isEmpty() ? null : activities.get(0).getProcessInstanceId();
    List<HistoricActivityInstance> chain = new ArrayList<>();
    HistoricActivityInstance current = descend(byScope.getOrDefault(root, List.of()).stream()
        .max(latest).orElse(null), byScope, latest);
    Set<String> seen = new HashSet<>();
    while (current != null && seen.add(current.getId())) {
      chain.add(current);
      HistoricActivityInstance scoped = current;
      HistoricActivityInstance predecessor = null;
      while (predecessor == null && scoped != null) {
        HistoricActivityInstance at = scoped;
        predecessor = byScope.getOrDefault(at.getParentActivityInstanceId(), List.of()).stream()
            .filter(a -> a != at && a.getEndTime() != null && !end(a, now).isAfter(start(at)))
            .max(latest).orElse(null);
        if (predecessor == null) {
          scoped = byId.get(at.getParentActivityInstanceId());
        }
      }
      current = descend(predecessor, byScope, latest);
    }
    java.util.Collections.reverse(chain);
    return chain;
  }

  private static HistoricActivityInstance descend(HistoricActivityInstance activity,
      Map<String, List<HistoricActivityInstance>> byScope, Comparator<HistoricActivityInstance> latest) {
    HistoricActivityInstance current = activity;
    while (current != null && byScope.containsKey(current.getId())) {
      current = byScope.get(current.getId()).stream().max(latest).orElseThrow();
    }
    return current;
  }

  private static Set<String> containers(List<HistoricActivityInstance> activities) {
    Set<String> ids = new HashSet<>();
    activities.forEach(a -> ids.add(a.getId()));
    Set<String> containers = new HashSet<>();
    activities.forEach(a -> {
      if (ids.contains(a.getParentActivityInstanceId())) {
        containers.add(a.getParentActivityInstanceId());
      }
    });
    return containers;
  }

  private static Instant start(HistoricActivityInstance a) {
    return a.getStartTime().toInstant();
  }

  private static Instant end(HistoricActivityInstance a, Instant now) {
    return a.getEndTime() == null ? now : a.getEndTime().toInstant();
  }

  // ------------------------------------------------------------------------------- helpers

  private Integer rtoMinutes(String id) {
    return forecasts.rtoMinutes(id);
  }


  private static String actor(HistoricActivityInstance activity, Map<String, String> deciders) {
    if ("userTask".equals(activity.getActivityType())) {
      String decider = activity.getTaskId() == null ? null : deciders.get(activity.getTaskId());
      return decider != null ? decider : activity.getAssignee();
    }
    return AUTOMATED.contains(activity.getActivityType()) ? "worker" : null;
  }

  private static String outcome(HistoricActivityInstance activity, String output) {
    if (output != null) {
      int newline = output.indexOf('\n');
      return newline < 0 ? output : output.substring(0, newline);
    }
    if (activity.isCanceled()) {
      return "canceled";
    }
    if (activity.getEndTime() == null) {
      return "running";
    }
    return "userTask".equals(activity.getActivityType()) ? "completed" : null;
  }

  private Decision decision(DecisionRecord.Decision d) {
    Map<String, Object> evidence;
    try {
      evidence = d.evidenceJson() == null ? Map.of()
          : json.readValue(masker.mask(d.evidenceJson()), new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (java.io.IOException e) {
      evidence = Map.of("evidence", bounded(d.evidenceJson()));
    }
    return new Decision(d.taskId(), d.taskDefinitionKey(), d.taskName(), d.userId(), d.decidedAt(),
        d.approval(), evidence);
  }

  private String bounded(Object value) {
    if (value == null) {
      return null;
    }
    String text = masker.mask(value.toString());
    return text.length() <= OUTPUT_LIMIT ? text
        : text.substring(0, OUTPUT_LIMIT) + "... (" + (text.length() - OUTPUT_LIMIT) + " more characters)";
  }

  private static String incidentState(HistoricIncident incident) {
    if (incident.isOpen()) {
      return "open";
    }
    return incident.isResolved() ? "resolved" : "deleted";
  }

  private static Instant instant(Date date) {
    return date == null ? null : date.toInstant();
  }
}
