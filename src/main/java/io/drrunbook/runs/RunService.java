package io.drrunbook.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.approval.DecisionRecord;
import io.drrunbook.common.ApiException;
import io.drrunbook.common.DrGroups;
import io.drrunbook.common.FieldProblem;
import io.drrunbook.common.FreeText;
import io.drrunbook.core.ProcedureCatalog;
import io.drrunbook.core.ProcedureSpec;
import io.drrunbook.core.RunMode;
import io.drrunbook.core.RunModes;
import io.drrunbook.core.RunVariables;
import io.drrunbook.engine.StepFailureDecisionListener;
import io.drrunbook.engine.StepFailureDecisions;
import io.drrunbook.engine.StepResultsRefusedException;
import io.drrunbook.engine.StepWorker;
import io.drrunbook.plans.RunPlans;
import io.drrunbook.prechecks.PrecheckGate;
import io.drrunbook.runs.ApiCaller.Caller;
import io.drrunbook.runs.RunKeyGuard.RunKey;
import io.drrunbook.runs.RunViews.Cancellation;
import io.drrunbook.runs.RunViews.FailureDecision;
import io.drrunbook.runs.RunViews.Incident;
import io.drrunbook.runs.RunViews.Links;
import io.drrunbook.runs.RunViews.ManualTask;
import io.drrunbook.runs.RunViews.Pause;
import io.drrunbook.runs.RunViews.Run;
import io.drrunbook.runs.RunViews.RunDetail;
import io.drrunbook.runs.RunViews.RunPage;
import io.drrunbook.runs.RunViews.RunState;
import io.drrunbook.runs.RunViews.Step;
import io.drrunbook.runs.RunViews.Ticket;
import io.drrunbook.runs.callbacks.CallbackDeliveries;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricProcessInstanceQuery;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.task.Comment;
import org.camunda.bpm.engine.task.IdentityLinkType;
import org.camunda.bpm.engine.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs of catalog procedures for tickets: start (validated against {@link ProcedureCatalog},
 * idempotent through {@link RunKeyGuard}), status from the engine's runtime and history, list, and
 * cancel. Reads and starts run with the caller's engine authentication in place, so the engine's
 * authorizations apply and the start event's {@code camunda:initiator} ({@code runStartedBy}) is the
 * caller.
 */
@Service
public class RunService {

  /** The outcome of a start request: the run, and whether this request created it. */
  public record Started(Run run, boolean created) {}

  static final Pattern TICKET_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  static final Pattern TICKET_SYSTEM = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
  static final Pattern ACTIVITY_ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,254}");
  static final int MAX_URL = 2000;
  static final int MAX_REASON = 2000;
  /** Shared with the abort of a failure decision, so that both show as the run's cancellation. */
  static final String CANCEL_PREFIX = StepFailureDecisionListener.ABORT_COMMENT_PREFIX;
  static final String PAUSE_PREFIX = "Run paused: ";
  static final String RESUME_PREFIX = "Run resumed: ";
  private static final List<String> MAY_CANCEL =
      List.of(DrGroups.OPERATORS, DrGroups.APPROVERS, DrGroups.ADMINS);
  private static final Set<String> NOT_STEPS = Set.of("exclusiveGateway", "parallelGateway",
      "inclusiveGateway", "eventBasedGateway", "complexGateway", "multiInstanceBody");
  private static final int START_ATTEMPTS = 5;
  private static final int CANCEL_ATTEMPTS = 5;
  private static final Logger log = LoggerFactory.getLogger(RunService.class);

  private final ProcedureCatalog catalog;
  private final RunKeyGuard guard;
  private final ApiCaller callers;
  private final RuntimeService runtime;
  private final HistoryService history;
  private final TaskService tasks;
  private final TransactionTemplate transaction;
  private final String webappPath;

  private final CallbackDeliveries callbacks;
  private final DecisionRecord decisionRecord;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final PrecheckGate prechecks;
  private final RunModes runModes;
  private final RunPlans plans;

  public RunService(ProcedureCatalog catalog, RunKeyGuard guard, ApiCaller callers,
      RuntimeService runtime, HistoryService history, TaskService tasks,
      TransactionTemplate transaction, CallbackDeliveries callbacks, DecisionRecord decisionRecord,
      PrecheckGate prechecks, RunPlans plans, RunModes runModes,
      @Value("${camunda.bpm.webapp.application-path:/camunda}") String webappPath) {
    this.runModes = runModes;
    this.callbacks = callbacks;
    this.decisionRecord = decisionRecord;
    this.prechecks = prechecks;
    this.plans = plans;
    this.catalog = catalog;
    this.guard = guard;
    this.callers = callers;
    this.runtime = runtime;
    this.history = history;
    this.tasks = tasks;
    this.transaction = transaction;
    this.webappPath = webappPath;
  }

  // ------------------------------------------------------------------------------------ start

  /**
   * Starts a run, or answers with the active run of the same procedure and ticket. Everything is
   * validated before anything is started; a refused request starts nothing.
   */
  public Started start(StartRunRequest request, String baseUrl) {
    Caller caller = callers.current();
    if (request == null) {
      throw ApiException.invalid("body", "a JSON object is required");
    }
    List<FieldProblem> problems = new ArrayList<>();
    if (request.procedure() == null) {
      problems.add(new FieldProblem("procedure", "is required"));
    }
    Optional<ProcedureSpec> procedure = catalog.find(request.procedure());
    if (request.procedure() != null && procedure.isEmpty()) {
      throw ApiException.notFound("procedure", "no such procedure (GET /api/procedures lists them)");
    }
    validateTicket(request.ticket(), problems);
    Optional<RunMode> mode = RunMode.of(request.mode());
    if (mode.isEmpty()) {
      problems.add(new FieldProblem("mode", (request.mode() == null ? "is required" : "is not supported")
          + "; allowed values: " + RunMode.ids()));
    }
    Map<String, Object> variables = procedure.isEmpty() ? Map.of()
        : catalog.variables(procedure.get(), request.parameters(), problems);
    if (!problems.isEmpty()) {
      throw ApiException.invalid(problems);
    }

    String procedureId = request.procedure();
    StartRunRequest.TicketRef ticket = request.ticket();
    RunKey key = new RunKey(procedureId, ticket.system(), ticket.id());
    Map<String, Object> start = new LinkedHashMap<>(variables);
    start.put(RunVariables.TICKET_SYSTEM, ticket.system());
    start.put(RunVariables.TICKET_ID, ticket.id());
    if (ticket.url() != null) {
      start.put(RunVariables.TICKET_URL, ticket.url());
    }
    start.put(RunVariables.RUN_MODE, mode.get().id());

    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      Optional<String> holder = guard.holder(key);
      if (holder.isPresent()) {
        if (callers.asApplication(() -> isActive(holder.get()))) {
          log.info("start of {} for {}:{} by {}: run {} is active, not started again",
              procedureId, ticket.system(), ticket.id(), caller.userId(), holder.get());
          return new Started(run(holder.get(), baseUrl), false);
        }
        guard.release(holder.get());
        continue;
      }
      try {
        String id = transaction.execute(status -> {
          String processInstanceId = runtime
              .startProcessInstanceByKey(procedureId, ticket.id(), start).getId();
          guard.claim(key, processInstanceId);
          // an execute run is held by its precheck from its start (PrecheckGate.runStarted); paused
          // in this same transaction, so that not even its first manual step can be worked early
          prechecks.pauseIfHeld(processInstanceId);
          return processInstanceId;
        });
        log.info("run {} of {} started for {}:{} by {} ({})", id, procedureId, ticket.system(),
            ticket.id(), caller.userId(), mode.get().id());
        return new Started(run(id, baseUrl), true);
      } catch (DataIntegrityViolationException | ConcurrencyFailureException e) {
        log.info("start of {} for {}:{}: an identical request won the race ({})", procedureId,
            ticket.system(), ticket.id(), e.getClass().getSimpleName());
      }
    }
    throw ApiException.conflict("ticket", "an identical start request is being processed; retry");
  }

  private static void validateTicket(StartRunRequest.TicketRef ticket, List<FieldProblem> problems) {
    if (ticket == null) {
      problems.add(new FieldProblem("ticket", "is required"));
      return;
    }
    if (ticket.system() == null) {
      problems.add(new FieldProblem("ticket.system", "is required"));
    } else if (!TICKET_SYSTEM.matcher(ticket.system()).matches()) {
      problems.add(new FieldProblem("ticket.system", "must match " + TICKET_SYSTEM));
    }
    if (ticket.id() == null) {
      problems.add(new FieldProblem("ticket.id", "is required"));
    } else if (!TICKET_ID.matcher(ticket.id()).matches()) {
      problems.add(new FieldProblem("ticket.id", "must match " + TICKET_ID));
    }
    if (ticket.url() != null && !httpUrl(ticket.url())) {
      problems.add(new FieldProblem("ticket.url",
          "must be an absolute http or https URL of at most " + MAX_URL + " characters"));
    }
  }

  static boolean httpUrl(String text) {
    if (text.length() > MAX_URL || !FreeText.plain(text) || text.contains(" ")) {
      return false;
    }
    try {
      java.net.URI uri = new java.net.URI(text);
      String scheme = uri.getScheme();
      return uri.isAbsolute() && uri.getHost() != null && uri.getUserInfo() == null
          && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme));
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private boolean isActive(String processInstanceId) {
    return runtime.createProcessInstanceQuery().processInstanceId(processInstanceId).count() > 0;
  }

  // ------------------------------------------------------------------------------------ read

  /** A run in detail: steps done and running, manual tasks waiting, incidents, cancellation. */
  public RunDetail detail(String id, String baseUrl) {
    HistoricProcessInstance instance = historic(id);
    Run run = run(instance, variables(List.of(id)).getOrDefault(id, Map.of()), baseUrl);

    List<HistoricActivityInstance> activities = history.createHistoricActivityInstanceQuery()
        .processInstanceId(id).orderByHistoricActivityInstanceStartTime().asc()
        .orderPartiallyByOccurrence().asc().list();
    Map<String, String> outcomes = new HashMap<>();
    history.createHistoricVariableInstanceQuery().processInstanceId(id)
        .variableName(StepWorker.OUTCOME_VARIABLE).disableCustomObjectDeserialization().list()
        .forEach(v -> outcomes.put(v.getActivityInstanceId(), firstLine(v.getValue())));
    List<Step> done = new ArrayList<>();
    List<Step> running = new ArrayList<>();
    for (HistoricActivityInstance activity : activities) {
      if (NOT_STEPS.contains(activity.getActivityType())) {
        continue;
      }
      (activity.getEndTime() == null ? running : done).add(step(activity, outcomes));
    }

    List<ManualTask> waiting = new ArrayList<>();
    List<Incident> incidents = new ArrayList<>();
    // decisions on failed steps are instances of their own process, read as the application: who
    // may read the run may read them
    List<FailureDecision> failureDecisions = callers.asApplication(() -> failureDecisions(id));
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
              instant(i.getIncidentTimestamp()))));
    }
    return new RunDetail(run.id(), run.procedure(), run.ticket(), run.mode(), run.state(),
        run.startedBy(), run.startTime(), run.endTime(), run.links(), done, running, waiting,
        incidents, cancellation(instance), callbacks.forRun(run.id()),
        run.state() == RunState.SUSPENDED, pause(instance, run.state()), failureDecisions,
        prechecks.summary(id, run.mode()).orElse(null));
  }

  /**
   * The plan document of a run: a dry-run or precheck run walks the procedure itself; an execute run
   * started through this API has the plan of its precheck walk.
   */
  public RunPlanDocument plan(String id, String baseUrl) {
    HistoricProcessInstance instance = historic(id);
    Run run = run(instance, variables(List.of(id)).getOrDefault(id, Map.of()), baseUrl);
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
        task.getAssignee(), instant(task.getCreateTime()));
  }

  /** The decisions on failed steps of a run, oldest first (call as the application). */
  private List<FailureDecision> failureDecisions(String runId) {
    List<FailureDecision> result = new ArrayList<>();
    for (HistoricProcessInstance decision : history.createHistoricProcessInstanceQuery()
        .processDefinitionKey(StepFailureDecisions.PROCESS)
        .variableValueEquals(StepFailureDecisions.RUN_ID, runId)
        .orderByProcessInstanceStartTime().asc().list()) {
      Map<String, Object> values = new HashMap<>();
      history.createHistoricVariableInstanceQuery().processInstanceId(decision.getId())
          .disableCustomObjectDeserialization().list()
          .forEach(v -> values.put(v.getName(), v.getValue()));
      String activityId = text(values.get(StepFailureDecisions.RUN_ACTIVITY_ID));
      String stepName = text(values.get(StepFailureDecisions.RUN_STEP_NAME));
      String error = text(values.get(StepFailureDecisions.STEP_ERROR));
      String resultsUsed = text(values.get(StepFailureDecisions.STEP_RESULTS_USED));
      String results = text(values.get(StepFailureDecisions.RESULTS));
      if (decision.getEndTime() == null) {
        Task task = tasks.createTaskQuery().processInstanceId(decision.getId()).singleResult();
        result.add(new FailureDecision(activityId, stepName, "WAITING", error,
            task == null ? null : task.getId(), null, null, null, null, instant(decision.getStartTime()),
            resultsUsed, null));
      } else if (HistoricProcessInstance.STATE_COMPLETED.equals(decision.getState())) {
        Optional<DecisionRecord.Decision> record = decisionRecord.forProcessInstance(decision.getId())
            .stream().reduce((first, second) -> second);
        result.add(new FailureDecision(activityId, stepName, "DECIDED", error, null,
            text(values.get(StepFailureDecisions.CHOICE)), text(values.get(StepFailureDecisions.NOTE)),
            record.map(DecisionRecord.Decision::userId).orElse(null),
            record.map(DecisionRecord.Decision::decidedAt).orElse(instant(decision.getEndTime())),
            instant(decision.getStartTime()), resultsUsed, results));
      } else {
        result.add(new FailureDecision(activityId, stepName, "ENDED", error, null, null,
            decision.getDeleteReason(), null, instant(decision.getEndTime()),
            instant(decision.getStartTime()), resultsUsed, null));
      }
    }
    return result;
  }

  // ------------------------------------------------------------------------------------ decide

  /**
   * Decides on a failed step of an active run by completing its waiting decision task as the caller
   * (members of dr-operators, dr-approvers, dr-admins; skip only dr-approvers): the same task and
   * the same checks as in Tasklist, recorded in DR_DECISION.
   */
  public RunDetail decide(String id, String activityId, StepDecisionRequest request, String baseUrl) {
    Caller caller = callers.current();
    if (!caller.inAny(MAY_CANCEL)) {
      throw ApiException.forbidden("only members of " + MAY_CANCEL + " may decide on a failed step");
    }
    if (request == null) {
      throw ApiException.invalid("body", "a JSON object is required");
    }
    List<FieldProblem> problems = new ArrayList<>();
    String choice = request.choice();
    if (choice == null) {
      problems.add(new FieldProblem("choice", "is required; allowed values: " + StepFailureDecisions.CHOICES));
    } else if (!StepFailureDecisions.CHOICES.contains(choice)) {
      problems.add(new FieldProblem("choice", "is not supported; allowed values: " + StepFailureDecisions.CHOICES));
    }
    String note = request.note();
    java.util.Optional<FieldProblem> noteProblem = FreeText.problem("note", note, MAX_REASON);
    if (noteProblem.isPresent()) {
      problems.add(noteProblem.get());
    } else if (choice != null && !StepFailureDecisions.RETRY.equals(choice)
        && StepFailureDecisions.CHOICES.contains(choice) && (note == null || note.isBlank())) {
      problems.add(new FieldProblem("note", "is required for " + choice));
    }
    boolean withResults = request.results() != null && !request.results().isEmpty();
    if (withResults && !StepFailureDecisions.DONE_BY_HAND.equals(choice)
        && !StepFailureDecisions.SKIP.equals(choice)) {
      problems.add(new FieldProblem("results", "are only given with " + StepFailureDecisions.DONE_BY_HAND
          + " or " + StepFailureDecisions.SKIP));
    }
    if (!problems.isEmpty()) {
      throw ApiException.invalid(problems);
    }
    HistoricProcessInstance instance = historic(id);
    if (activityId == null || !ACTIVITY_ID.matcher(activityId).matches() || callers.asApplication(() ->
        history.createHistoricActivityInstanceQuery().processInstanceId(id).activityId(activityId)
            .count() == 0)) {
      throw ApiException.notFound("activityId", "the run has no such step");
    }
    if (StepFailureDecisions.SKIP.equals(choice) && !caller.groups().contains(DrGroups.APPROVERS)) {
      throw ApiException.forbidden("only members of " + DrGroups.APPROVERS + " may skip a step");
    }
    if (instance.getEndTime() != null) {
      throw ApiException.conflict("id", "the run has already ended");
    }
    Optional<String> taskId = callers.asApplication(() -> failureDecisions(id)).stream()
        .filter(d -> "WAITING".equals(d.state()) && activityId.equals(d.activityId()) && d.taskId() != null)
        .map(FailureDecision::taskId).findFirst();
    if (taskId.isEmpty()) {
      throw ApiException.conflict("activityId", "no failed step waits for a decision there");
    }
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put(StepFailureDecisions.CHOICE, choice);
    variables.put(StepFailureDecisions.NOTE, note == null ? "" : note);
    if (withResults) {
      try {
        variables.put(StepFailureDecisions.RESULTS, JSON.writeValueAsString(request.results()));
      } catch (JsonProcessingException e) {
        throw ApiException.invalid("results", "cannot be written as JSON: " + e.getOriginalMessage());
      }
    }
    try {
      tasks.complete(taskId.get(), variables);
    } catch (StepResultsRefusedException e) {
      throw ApiException.invalid("results", e.getMessage());
    } catch (org.camunda.bpm.engine.exception.NullValueException e) {
      throw ApiException.conflict("activityId", "the decision was taken meanwhile");
    } catch (OptimisticLockingException e) {
      throw ApiException.conflict("activityId", "the run changed while the decision was carried out; retry");
    } catch (org.camunda.bpm.engine.AuthorizationException e) {
      throw ApiException.forbidden(e.getMessage());
    } catch (org.camunda.bpm.engine.ProcessEngineException e) {
      if (String.valueOf(e.getMessage()).contains("no longer failed")) {
        throw ApiException.conflict("activityId", "the step is no longer failed");
      }
      throw e;
    }
    log.info("failure decision on step {} of run {} by {}: {}", activityId, id, caller.userId(), choice);
    return detail(id, baseUrl);
  }

  /** A run in brief. */
  public Run run(String id, String baseUrl) {
    HistoricProcessInstance instance = historic(id);
    return run(instance, variables(List.of(id)).getOrDefault(id, Map.of()), baseUrl);
  }

  /** Runs of catalog procedures, newest first, filtered by ticket id, state and procedure. */
  public RunPage list(String ticket, String state, String procedure, int page, int size, String baseUrl) {
    List<FieldProblem> problems = new ArrayList<>();
    if (ticket != null && !TICKET_ID.matcher(ticket).matches()) {
      problems.add(new FieldProblem("ticket", "must match " + TICKET_ID));
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
        variables(instances.stream().map(HistoricProcessInstance::getId).toList());
    List<Run> items = instances.stream()
        .map(i -> run(i, variables.getOrDefault(i.getId(), Map.of()), baseUrl)).toList();
    return new RunPage(items, page, size, total);
  }

  // ------------------------------------------------------------------------------------ cancel

  /**
   * Cancels an active run: only members of dr-operators, dr-approvers or dr-admins; the reason and
   * the caller are recorded as a comment of the run (user, time, reason) and as the delete reason in
   * its history.
   */
  public RunDetail cancel(String id, String reason, String baseUrl) {
    Caller caller = callers.current();
    if (!caller.inAny(MAY_CANCEL)) {
      throw ApiException.forbidden("only members of " + MAY_CANCEL + " may cancel a run");
    }
    if (reason == null || reason.isBlank()) {
      throw ApiException.invalid("reason", "is required");
    }
    FreeText.check("reason", reason, MAX_REASON);
    HistoricProcessInstance instance = historic(id);
    if (instance.getEndTime() != null) {
      throw ApiException.conflict("id", "the run has already ended");
    }
    for (int attempt = 1; ; attempt++) {
      try {
        transaction.executeWithoutResult(status -> {
          // recorded as the caller (the comment's user), then removed by the application: the
          // API's own role check above decides who may cancel
          tasks.createComment(null, id, CANCEL_PREFIX + reason);
          callers.asApplication(() -> {
            runtime.deleteProcessInstance(id, "cancelled by " + caller.userId() + ": " + reason,
                false, true);
            return null;
          });
          guard.release(id);
        });
        break;
      } catch (OptimisticLockingException e) {
        // the step worker changed one of the run's steps meanwhile (locked or completed it)
        if (attempt == CANCEL_ATTEMPTS) {
          throw ApiException.conflict("id", "the run kept changing while it was being cancelled; retry");
        }
        if (runtime.createProcessInstanceQuery().processInstanceId(id).count() == 0) {
          throw ApiException.conflict("id", "the run has already ended");
        }
      }
    }
    log.info("run {} cancelled by {}", id, caller.userId());
    return detail(id, baseUrl);
  }

  // ------------------------------------------------------------------------------------ pause

  /**
   * Pauses an active run through the engine's suspension (Cockpit shows it suspended): no step of
   * it is fetched, no job runs, its tasks cannot be completed until it is resumed; a step running
   * at that moment finishes and is completed when the run resumes (see {@link StepWorker}). Only
   * members of dr-operators, dr-approvers or dr-admins; recorded as a comment of the run.
   */
  public RunDetail pause(String id, String reason, String baseUrl) {
    return changeSuspension(id, reason, true, baseUrl);
  }

  /** Resumes a paused run; same rules and record as {@link #pause}. */
  public RunDetail resume(String id, String reason, String baseUrl) {
    return changeSuspension(id, reason, false, baseUrl);
  }

  private RunDetail changeSuspension(String id, String reason, boolean suspend, String baseUrl) {
    Caller caller = callers.current();
    String verb = suspend ? "pause" : "resume";
    if (!caller.inAny(MAY_CANCEL)) {
      throw ApiException.forbidden("only members of " + MAY_CANCEL + " may " + verb + " a run");
    }
    String text = reason == null ? "" : reason.strip();
    FreeText.check("reason", text, MAX_REASON);
    HistoricProcessInstance instance = historic(id);
    if (instance.getEndTime() != null) {
      throw ApiException.conflict("id", "the run has already ended");
    }
    for (int attempt = 1; ; attempt++) {
      try {
        transaction.executeWithoutResult(status -> {
          var current = runtime.createProcessInstanceQuery().processInstanceId(id).singleResult();
          if (current == null) {
            throw ApiException.conflict("id", "the run has already ended");
          }
          PrecheckGate.State held = suspend ? null : prechecks.state(id);
          if (held == PrecheckGate.State.RUNNING || held == PrecheckGate.State.FAILED) {
            throw ApiException.conflict("id", "the run is held by its precheck (" + held + "); it is"
                + " released when the precheck passes, or by a member of " + DrGroups.APPROVERS
                + " through POST /api/runs/" + id + "/precheck/override with a note");
          }
          if (current.isSuspended() == suspend) {
            throw ApiException.conflict("id", suspend ? "the run is already paused" : "the run is not paused");
          }
          tasks.createComment(null, id, (suspend ? PAUSE_PREFIX : RESUME_PREFIX) + text);
          var update = runtime.updateProcessInstanceSuspensionState().byProcessInstanceId(id);
          if (suspend) {
            update.suspend();
          } else {
            update.activate();
          }
        });
        break;
      } catch (OptimisticLockingException e) {
        // the step worker locked or completed one of the run's steps meanwhile
        if (attempt == CANCEL_ATTEMPTS) {
          throw ApiException.conflict("id", "the run kept changing while it was being " + verb + "d; retry");
        }
      }
    }
    log.info("run {} {} by {}", id, suspend ? "paused" : "resumed", caller.userId());
    return detail(id, baseUrl);
  }

  /**
   * Releases an execute run held by a failed precheck: only members of dr-approvers, never the one
   * who started the run (a second pair of eyes), with a note; recorded on the run (variables kept in
   * history and shown in its status and report) and as a comment.
   */
  public RunDetail overridePrecheck(String id, String note, String baseUrl) {
    Caller caller = callers.current();
    if (!caller.groups().contains(DrGroups.APPROVERS)) {
      throw ApiException.forbidden("only members of " + DrGroups.APPROVERS + " may override a failed precheck");
    }
    String text = note == null ? "" : note.strip();
    if (text.isEmpty()) {
      throw ApiException.invalid("note", "is required: say why the run may go ahead despite its precheck");
    }
    FreeText.check("note", text, MAX_REASON);
    HistoricProcessInstance instance = historic(id);
    if (instance.getEndTime() != null) {
      throw ApiException.conflict("id", "the run has already ended");
    }
    if (caller.userId().equals(instance.getStartUserId())) {
      throw ApiException.forbidden("four-eyes rule: user '" + caller.userId() + "' started this run and"
          + " cannot override its precheck; another member of " + DrGroups.APPROVERS + " must");
    }
    transaction.executeWithoutResult(status -> {
      PrecheckGate.State state = prechecks.state(id);
      if (state != PrecheckGate.State.FAILED) {
        throw ApiException.conflict("id", state == null ? "the run has no precheck to override"
            : "the run's precheck is " + state + "; only a FAILED precheck can be overridden");
      }
      tasks.createComment(null, id, "Precheck overridden: " + text);
      if (!prechecks.override(id, caller.userId(), text)) {
        throw ApiException.conflict("id", "the run's precheck is no longer FAILED; reload the run");
      }
    });
    log.info("precheck of run {} overridden by {}", id, caller.userId());
    return detail(id, baseUrl);
  }

  /** The pause in effect while suspended, else the last resume; null when neither happened. */
  private Pause pause(HistoricProcessInstance instance, RunState state) {
    String prefix = state == RunState.SUSPENDED ? PAUSE_PREFIX : RESUME_PREFIX;
    return tasks.getProcessInstanceComments(instance.getId()).stream()
        .filter(c -> c.getFullMessage() != null && c.getFullMessage().startsWith(prefix))
        .max(java.util.Comparator.comparing(Comment::getTime))
        .map(c -> {
          String reason = c.getFullMessage().substring(prefix.length());
          return new Pause(c.getUserId(), instant(c.getTime()), reason.isEmpty() ? null : reason);
        })
        .orElse(null);
  }

  // ------------------------------------------------------------------------------------ helpers

  private HistoricProcessInstance historic(String id) {
    if (id == null || !RUN_ID.matcher(id).matches()) {
      throw ApiException.notFound("id", "no such run");
    }
    HistoricProcessInstance instance =
        history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult();
    if (instance == null) {
      throw ApiException.notFound("id", "no such run");
    }
    return instance;
  }

  private Run run(HistoricProcessInstance instance, Map<String, Object> variables, String baseUrl) {
    Ticket ticket = new Ticket(text(variables.get(RunVariables.TICKET_SYSTEM)),
        Objects.requireNonNullElse(text(variables.get(RunVariables.TICKET_ID)), instance.getBusinessKey()),
        text(variables.get(RunVariables.TICKET_URL)));
    return new Run(instance.getId(), instance.getProcessDefinitionKey(), ticket,
        text(variables.get(RunVariables.RUN_MODE)), state(instance), instance.getStartUserId(),
        instant(instance.getStartTime()), instant(instance.getEndTime()), links(instance.getId(), baseUrl));
  }

  private RunState state(HistoricProcessInstance instance) {
    String state = instance.getState();
    if (HistoricProcessInstance.STATE_COMPLETED.equals(state)) {
      return RunState.COMPLETED;
    }
    if (HistoricProcessInstance.STATE_EXTERNALLY_TERMINATED.equals(state)
        || HistoricProcessInstance.STATE_INTERNALLY_TERMINATED.equals(state)) {
      return RunState.CANCELLED;
    }
    if (HistoricProcessInstance.STATE_SUSPENDED.equals(state)) {
      return RunState.SUSPENDED;
    }
    boolean incident = runtime.createIncidentQuery().processInstanceId(instance.getId()).count() > 0;
    return incident ? RunState.INCIDENT : RunState.ACTIVE;
  }

  private Links links(String id, String baseUrl) {
    String query = "[{\"type\":\"processInstanceId\",\"operator\":\"eq\",\"value\":\"" + id + "\"}]";
    return new Links(baseUrl + "/api/runs/" + id,
        baseUrl + webappPath + "/app/cockpit/default/#/process-instance/" + id + "/runtime",
        baseUrl + webappPath + "/app/tasklist/default/#/?searchQuery="
            + URLEncoder.encode(query, StandardCharsets.UTF_8),
        baseUrl + "/api/runs/" + id + "/report", baseUrl + "/api/runs/" + id + "/plan");
  }

  private Map<String, Map<String, Object>> variables(List<String> processInstanceIds) {
    Map<String, Map<String, Object>> byInstance = new HashMap<>();
    if (processInstanceIds.isEmpty()) {
      return byInstance;
    }
    for (HistoricVariableInstance variable : history.createHistoricVariableInstanceQuery()
        .processInstanceIdIn(processInstanceIds.toArray(String[]::new))
        .variableNameIn(RunVariables.TICKET_SYSTEM, RunVariables.TICKET_ID, RunVariables.TICKET_URL,
            RunVariables.RUN_MODE)
        .disableCustomObjectDeserialization().list()) {
      // only the run's own scope (a step could have a local variable of the same name)
      if (Objects.equals(variable.getProcessInstanceId(), variable.getExecutionId())) {
        byInstance.computeIfAbsent(variable.getProcessInstanceId(), k -> new HashMap<>())
            .put(variable.getName(), variable.getValue());
      }
    }
    // the mode is the one recorded at the start, whatever the variable says now
    runModes.recorded(processInstanceIds).forEach((id, mode) ->
        byInstance.computeIfAbsent(id, k -> new HashMap<>()).put(RunVariables.RUN_MODE, mode.id()));
    return byInstance;
  }

  private static Step step(HistoricActivityInstance activity, Map<String, String> outcomes) {
    String outcome = outcomes.get(activity.getId());
    if (outcome == null && activity.isCanceled()) {
      outcome = "canceled";
    } else if (outcome == null && "userTask".equals(activity.getActivityType())
        && activity.getEndTime() != null && activity.getAssignee() != null) {
      outcome = "completed by " + activity.getAssignee();
    }
    return new Step(activity.getActivityId(), activity.getActivityName(), activity.getActivityType(),
        instant(activity.getStartTime()), instant(activity.getEndTime()), activity.getDurationInMillis(),
        outcome);
  }

  private Cancellation cancellation(HistoricProcessInstance instance) {
    if (state(instance) != RunState.CANCELLED) {
      return null;
    }
    for (Comment comment : tasks.getProcessInstanceComments(instance.getId())) {
      String message = comment.getFullMessage();
      if (message != null && message.startsWith(CANCEL_PREFIX)) {
        return new Cancellation(comment.getUserId(), instant(comment.getTime()),
            message.substring(CANCEL_PREFIX.length()));
      }
    }
    // cancelled elsewhere (Cockpit, engine REST): the engine's delete reason is all there is
    return new Cancellation(null, instant(instance.getEndTime()), instance.getDeleteReason());
  }

  private static String firstLine(Object value) {
    if (value == null) {
      return null;
    }
    String text = value.toString();
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  private static Instant instant(Date date) {
    return date == null ? null : date.toInstant();
  }
}
