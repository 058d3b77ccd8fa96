package io.drrunbook.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.common.ApiException;
import io.drrunbook.common.DrGroups;
import io.drrunbook.common.FieldProblem;
import io.drrunbook.common.FreeText;
import io.drrunbook.engine.StepFailureDecisions;
import io.drrunbook.engine.StepResultsRefusedException;
import io.drrunbook.runs.ApiCaller.Caller;
import io.drrunbook.runs.RunViews.FailureDecision;
import io.drrunbook.runs.RunViews.RunDetail;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Decisions on failed steps through the API: the caller completes the step's waiting decision task,
 * the same task with the same checks as in Tasklist.
 */
@Service
public class RunStepDecisions {

  static final Pattern ACTIVITY_ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,254}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(RunStepDecisions.class);

  private final RunLookup lookup;
  private final RunReader reader;
  private final FailureDecisionHistory decisionHistory;
  private final ApiCaller callers;
  private final HistoryService history;
  private final TaskService tasks;

  public RunStepDecisions(RunLookup lookup, RunReader reader, FailureDecisionHistory decisionHistory,
      ApiCaller callers, HistoryService history, TaskService tasks) {
    this.lookup = lookup;
    this.reader = reader;
    this.decisionHistory = decisionHistory;
    this.callers = callers;
    this.history = history;
    this.tasks = tasks;
  }

  /**
   * Decides on a failed step of an active run by completing its waiting decision task as the caller
   * (members of dr-operators, dr-approvers, dr-admins; skip only dr-approvers): the same task and
   * the same checks as in Tasklist, recorded in DR_DECISION.
   */
  public RunDetail decide(String id, String activityId, StepDecisionRequest request, String baseUrl) {
    Caller caller = callers.current();
    if (!caller.inAny(RunControl.MAY_CHANGE)) {
      throw ApiException.forbidden("only members of " + RunControl.MAY_CHANGE + " may decide on a failed step");
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
    java.util.Optional<FieldProblem> noteProblem = FreeText.problem("note", note, RunControl.MAX_REASON);
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
    HistoricProcessInstance instance = lookup.historic(id);
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
    Optional<String> taskId = callers.asApplication(() -> decisionHistory.forRun(id)).stream()
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
    return reader.detail(id, baseUrl);
  }
}
