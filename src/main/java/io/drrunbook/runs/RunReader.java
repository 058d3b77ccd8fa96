package io.drrunbook.runs;

import io.drrunbook.common.ApiException;
import io.drrunbook.common.FieldProblem;
import io.drrunbook.core.ProcedureCatalog;
import io.drrunbook.core.RunMode;
import io.drrunbook.core.RunVariables;
import io.drrunbook.engine.ProcessModels;
import io.drrunbook.engine.StepWorker;
import io.drrunbook.plans.RunPlans;
import io.drrunbook.prechecks.ConflictGate;
import io.drrunbook.prechecks.PrecheckGate;
import io.drrunbook.runs.RunViews.Cancellation;
import io.drrunbook.runs.RunViews.FailureDecision;
import io.drrunbook.runs.RunViews.Incident;
import io.drrunbook.runs.RunViews.Overlap;
import io.drrunbook.runs.RunViews.ManualTask;
import io.drrunbook.runs.RunViews.Pause;
import io.drrunbook.runs.RunViews.Run;
import io.drrunbook.runs.RunViews.RunDetail;
import io.drrunbook.runs.RunViews.RunPage;
import io.drrunbook.runs.RunViews.RunState;
import io.drrunbook.runs.RunViews.Step;
import io.drrunbook.runs.callbacks.CallbackDeliveries;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricProcessInstanceQuery;
import org.camunda.bpm.engine.task.Comment;
import org.camunda.bpm.engine.task.IdentityLinkType;
import org.camunda.bpm.engine.task.Task;
import org.springframework.stereotype.Service;

/**
 * Reads runs for the API: a run in detail (steps done and running, manual tasks waiting, incidents,
 * failure decisions, pause, cancellation, callbacks, precheck), its plan, and the list of runs.
 * Reads run with the caller's engine authentication in place, so the engine's authorizations apply.
 */
@Service
public class RunReader {

  private static final Set<String> NOT_STEPS = Set.of("exclusiveGateway", "parallelGateway",
      "inclusiveGateway", "eventBasedGateway", "complexGateway", "multiInstanceBody");
  private final ProcessModels models;

  private final RunLookup lookup;
  private final FailureDecisionHistory decisionHistory;
  private final ProcedureCatalog catalog;
  private final ApiCaller callers;
  private final RuntimeService runtime;
  private final HistoryService history;
  private final TaskService tasks;
  private final CallbackDeliveries callbacks;
  private final PrecheckGate prechecks;
  private final RunPlans plans;

  private final ConflictGate conflicts;
  private final RtoForecast forecasts;

  public RunReader(RunLookup lookup, FailureDecisionHistory decisionHistory, ProcedureCatalog catalog,
      ApiCaller callers, RuntimeService runtime, HistoryService history, TaskService tasks,
      CallbackDeliveries callbacks, PrecheckGate prechecks, RunPlans plans, ConflictGate conflicts,
      RtoForecast forecasts, ProcessModels models) {
    this.models = models;
    this.conflicts = conflicts;
    this.forecasts = forecasts;
    this.lookup = lookup;
    this.decisionHistory = decisionHistory;
    this.catalog = catalog;
    this.callers = callers;
    this.runtime = runtime;
    this.history = history;
    this.tasks = tasks;
    this.callbacks = callbacks;
    this.prechecks = prechecks;
    this.plans = plans;
  }

  /** A run in detail: steps done and running, manual tasks waiting, incidents, cancellation. */
  public RunDetail detail(String id, String baseUrl) {
    HistoricProcessInstance instance = lookup.historic(id);
    Run run = lookup.run(instance, lookup.variables(List.of(id)).getOrDefault(id, Map.of()), baseUrl);

    List<HistoricActivityInstance> activities = history.createHistoricActivityInstanceQuery()
        .processInstanceId(id).orderByHistoricActivityInstanceStartTime().asc()
        .orderPartiallyByOccurrence().asc().list();
    Map<String, String> outcomes = new HashMap<>();
    history.createHistoricVariableInstanceQuery().processInstanceId(id)
        .variableName(StepWorker.OUTCOME_VARIABLE).disableCustomObjectDeserialization().list()
        .forEach(v -> outcomes.put(v.getActivityInstanceId(), firstLine(RunLookup.value(v))));
    List<Step> done = new ArrayList<>();
    List<Step> running = new ArrayList<>();
    StepElements names = StepElements.of(history, models, id, activities);
    for (HistoricActivityInstance activity : activities) {
      if (NOT_STEPS.contains(activity.getActivityType())) {
        continue;
      }
      (activity.getEndTime() == null ? running : done).add(step(activity, names, outcomes));
    }

    List<ManualTask> waiting = new ArrayList<>();
    List<Incident> incidents = new ArrayList<>();
    // decisions on failed steps are instances of their own process, read as the application: who
    // may read the run may read them
    List<FailureDecision> failureDecisions = callers.asApplication(() -> decisionHistory.forRun(id));
    if (instance.getEndTime() == null) {
      for (Task task : tasks.createTaskQuery().processInstanceId(id).orderByTaskCreateTime().asc().list()) {
        waiting.add(manualTask(task));
      }
      callers.asApplication(() -> {
        failureDecisions.stream().filter(d -> d.taskId() != null).forEach(d -> {
          Task task = tasks.createTaskQuery().taskId(d.taskId()).singleResult();
          if (task != null) {
            waiting.add(manualTask(task));
          }
        });
        return null;
      });
      runtime.createIncidentQuery().processInstanceId(id).orderByIncidentTimestamp().asc().list()
          .forEach(i -> incidents.add(new Incident(i.getActivityId(), i.getIncidentMessage(),
              RunLookup.instant(i.getIncidentTimestamp()))));
    }
    List<String> systems = conflicts.heldBy(id);
    return new RunDetail(run.id(), run.procedure(), run.ticket(), run.mode(), run.state(),
        run.startedBy(), run.startTime(), run.endTime(), run.links(), done, running, waiting,
        incidents, cancellation(instance), callbacks.forRun(run.id()),
        run.state() == RunState.SUSPENDED, pause(instance, run.state()), failureDecisions,
        prechecks.summary(id, run.mode()).orElse(null), systems.isEmpty() ? null : systems, overlap(id),
        forecasts.forecast(id).orElse(null));
  }

  /** The override of a run started over active runs, from history (also for ended runs). */
  private Overlap overlap(String id) {
    Map<String, String> values = new HashMap<>();
    history.createHistoricVariableInstanceQuery().processInstanceId(id)
        .variableNameIn(RunVariables.OVERLAP_APPROVED_BY, RunVariables.OVERLAP_REASON, RunVariables.OVERLAP_RUNS)
        .disableCustomObjectDeserialization().list().stream()
        .filter(v -> id.equals(v.getExecutionId()))
        .forEach(v -> values.put(v.getName(), String.valueOf(RunLookup.value(v))));
    String approvedBy = values.get(RunVariables.OVERLAP_APPROVED_BY);
    if (approvedBy == null) {
      return null;
    }
    String runs = values.getOrDefault(RunVariables.OVERLAP_RUNS, "");
    return new Overlap(approvedBy, values.get(RunVariables.OVERLAP_REASON),
        runs.isEmpty() ? List.of() : List.of(runs.split(",")));
  }

  /**
   * The plan document of a run: a dry-run or precheck run walks the procedure itself; an execute run
   * started through this API has the plan of its precheck walk.
   */
  public RunPlanDocument plan(String id, String baseUrl) {
    HistoricProcessInstance instance = lookup.historic(id);
    Run run = lookup.run(instance, lookup.variables(List.of(id)).getOrDefault(id, Map.of()), baseUrl);
    Optional<PrecheckGate.Summary> precheck = prechecks.summary(id, run.mode());
    String walkId;
    if (RunMode.of(run.mode()).map(RunMode::walksOnly).orElse(false)) {
      walkId = id;
    } else if (precheck.isPresent()) {
      walkId = precheck.get().walkRunId();
    } else {
      throw ApiException.notFound("id", "this run has no plan: dry-run and precheck runs have one, and"
          + " execute runs (the plan of their precheck)");
    }
    boolean complete = callers.asApplication(() -> {
      HistoricProcessInstance walk = history.createHistoricProcessInstanceQuery()
          .processInstanceId(walkId).singleResult();
      return walk != null && HistoricProcessInstance.STATE_COMPLETED.equals(walk.getState());
    });
    List<RunPlanDocument.Step> steps = plans.forRun(walkId).stream()
        .map(e -> new RunPlanDocument.Step(e.kind(), e.activityId(), e.stepName(), e.route(),
            e.actions(), e.targets(), e.recordedAt()))
        .toList();
    return new RunPlanDocument(run, walkId, complete, steps, precheck.orElse(null), Instant.now());
  }

  private ManualTask manualTask(Task task) {
    List<String> groups = tasks.getIdentityLinksForTask(task.getId()).stream()
        .filter(link -> IdentityLinkType.CANDIDATE.equals(link.getType()) && link.getGroupId() != null)
        .map(link -> link.getGroupId()).toList();
    return new ManualTask(task.getId(), task.getTaskDefinitionKey(), task.getName(), groups,
        task.getAssignee(), RunLookup.instant(task.getCreateTime()));
  }

  /** Runs of catalog procedures, newest first, filtered by ticket id, state and procedure. */
  public RunPage list(String ticket, String state, String procedure, int page, int size, String baseUrl) {
    List<FieldProblem> problems = new ArrayList<>();
    if (ticket != null && !RunStarter.TICKET_ID.matcher(ticket).matches()) {
      problems.add(new FieldProblem("ticket", "must match " + RunStarter.TICKET_ID));
    }
    RunState wanted = null;
    if (state != null) {
      try {
        wanted = RunState.valueOf(state);
      } catch (IllegalArgumentException e) {
        problems.add(new FieldProblem("state", "must be one of " + List.of(RunState.values())));
      }
    }
    if (procedure != null && catalog.find(procedure).isEmpty()) {
      problems.add(new FieldProblem("procedure", "no such procedure (GET /api/procedures lists them)"));
    }
    if (page < 0 || page > 100_000) {
      problems.add(new FieldProblem("page", "must be between 0 and 100000"));
    }
    if (size < 1 || size > 100) {
      problems.add(new FieldProblem("size", "must be between 1 and 100"));
    }
    if (!problems.isEmpty()) {
      throw ApiException.invalid(problems);
    }
    HistoricProcessInstanceQuery query = history.createHistoricProcessInstanceQuery();
    if (procedure != null) {
      query.processDefinitionKey(procedure);
    } else {
      query.processDefinitionKeyIn(catalog.ids().toArray(String[]::new));
    }
    if (ticket != null) {
      query.processInstanceBusinessKey(ticket);
    }
    if (wanted != null) {
      switch (wanted) {
        case ACTIVE -> {
          query.active();
          List<String> withIncidents = history.createHistoricProcessInstanceQuery().active()
              .incidentStatus("open").list().stream().map(HistoricProcessInstance::getId).toList();
          if (!withIncidents.isEmpty()) {
            query.processInstanceIdNotIn(withIncidents.toArray(String[]::new));
          }
        }
        case INCIDENT -> query.active().incidentStatus("open");
        case SUSPENDED -> query.suspended();
        case COMPLETED -> query.completed();
        // the engine cannot OR two states: cancellations through this API, Cockpit and the engine
        // REST API are external; a run deleted through the Java API without that flag is not listed
        case CANCELLED -> query.externallyTerminated();
        default -> throw new IllegalStateException("unhandled state " + wanted);
      }
    }
    long total = query.count();
    List<HistoricProcessInstance> instances =
        query.orderByProcessInstanceStartTime().desc().listPage(page * size, size);
    Map<String, Map<String, Object>> variables =
        lookup.variables(instances.stream().map(HistoricProcessInstance::getId).toList());
    List<Run> items = instances.stream()
        .map(i -> lookup.run(i, variables.getOrDefault(i.getId(), Map.of()), baseUrl)).toList();
    return new RunPage(items, page, size, total);
  }

  /** The pause in effect while suspended, else the last resume; null when neither happened. */
  private Pause pause(HistoricProcessInstance instance, RunState state) {
    String prefix = state == RunState.SUSPENDED ? RunControl.PAUSE_PREFIX : RunControl.RESUME_PREFIX;
    return tasks.getProcessInstanceComments(instance.getId()).stream()
        .filter(c -> c.getFullMessage() != null && c.getFullMessage().startsWith(prefix))
        .max(java.util.Comparator.comparing(Comment::getTime))
        .map(c -> {
          String reason = c.getFullMessage().substring(prefix.length());
          return new Pause(c.getUserId(), RunLookup.instant(c.getTime()), reason.isEmpty() ? null : reason);
        })
        .orElse(null);
  }

  private static Step step(HistoricActivityInstance activity, StepElements names,
      Map<String, String> outcomes) {
    String outcome = outcomes.get(activity.getId());
    if (outcome == null && activity.isCanceled()) {
      outcome = "canceled";
    } else if (outcome == null && "userTask".equals(activity.getActivityType())
        && activity.getEndTime() != null && activity.getAssignee() != null) {
      outcome = "completed by " + activity.getAssignee();
    }
    return new Step(activity.getActivityId(), names.name(activity), activity.getActivityType(),
        RunLookup.instant(activity.getStartTime()), RunLookup.instant(activity.getEndTime()), activity.getDurationInMillis(),
        outcome);
  }

  private Cancellation cancellation(HistoricProcessInstance instance) {
    if (lookup.state(instance) != RunState.CANCELLED) {
      return null;
    }
    for (Comment comment : tasks.getProcessInstanceComments(instance.getId())) {
      String message = comment.getFullMessage();
      if (message != null && message.startsWith(RunControl.CANCEL_PREFIX)) {
        return new Cancellation(comment.getUserId(), RunLookup.instant(comment.getTime()),
            message.substring(RunControl.CANCEL_PREFIX.length()));
      }
    }
    // cancelled elsewhere (Cockpit, engine REST): the engine's delete reason is all there is
    return new Cancellation(null, RunLookup.instant(instance.getEndTime()), instance.getDeleteReason());
  }

  private static String firstLine(Object value) {
    if (value == null) {
      return null;
    }
    String text = value.toString();
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
