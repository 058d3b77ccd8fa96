package io.drrunbook.engine;

import static io.drrunbook.engine.StepFailureDecisions.ABORT;
import static io.drrunbook.engine.StepFailureDecisions.CHOICES;
import static io.drrunbook.engine.StepFailureDecisions.DONE_BY_HAND;
import static io.drrunbook.engine.StepFailureDecisions.RETRY;
import static io.drrunbook.engine.StepFailureDecisions.SKIP;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.common.DrGroups;
import io.drrunbook.common.FreeText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.ProcessEngineServices;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.externaltask.ExternalTask;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code complete} listener of {@code UserTask_DecideOnFailedStep} in
 * processes/dr-step-failure-decision.bpmn ({@code ${stepFailureDecision}}): checks the decision and
 * carries it out on the run, in the transaction that completes the task (a refused or failed decision
 * leaves the task open). retry: the step gets one more attempt (retries 1, which resolves the
 * incident); done-by-hand and skip: the step is completed without running it, its outcome says who
 * and why, and the run continues after it; abort: the run is deleted with the note as the reason.
 * Skip needs dr-approvers; every choice but retry needs a note.
 */
@Component("stepFailureDecision")
public class StepFailureDecisionListener implements TaskListener {

  /** Worker id under which a decision completes a failed step. */
  public static final String DECISION_WORKER = "dr-failure-decision";
  /** Prefix of the run comment an abort writes (as RunControl's cancel does). */
  public static final String ABORT_COMMENT_PREFIX = "Run cancelled: ";
  static final int MAX_NOTE = 2000;
  static final int MAX_RESULTS = 4000;
  static final int MAX_CORRECTION = 500;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long LOCK_MS = 60_000;
  private static final Logger log = LoggerFactory.getLogger(StepFailureDecisionListener.class);

  @Override
  public void notify(DelegateTask task) {
    ProcessEngineServices services = task.getProcessEngineServices();
    IdentityService identity = services.getIdentityService();
    Authentication authentication = identity.getCurrentAuthentication();
    String user = authentication != null && authentication.getUserId() != null
        ? authentication.getUserId() : task.getAssignee();
    List<String> groups = authentication == null || authentication.getGroupIds() == null ? List.of()
        : authentication.getGroupIds();

    String choice = text(task.getVariable(StepFailureDecisions.CHOICE));
    String note = text(task.getVariable(StepFailureDecisions.NOTE));
    String problem = problem(choice, note);
    if (problem != null) {
      throw new FailureDecisionRefusedException("Failure decision refused: " + problem);
    }
    if (SKIP.equals(choice) && !groups.contains(DrGroups.APPROVERS)) {
      throw new SkipRefusedException("Failure decision refused: only members of "
          + DrGroups.APPROVERS + " may skip a step");
    }

    Map<String, Object> results = results(choice, task.getVariable(StepFailureDecisions.RESULTS));
    String runId = text(task.getVariable(StepFailureDecisions.RUN_ID));
    String activityId = text(task.getVariable(StepFailureDecisions.RUN_ACTIVITY_ID));
    String stepName = text(task.getVariable(StepFailureDecisions.RUN_STEP_NAME));
    String externalTaskId = text(task.getVariable(StepFailureDecisions.EXTERNAL_TASK_ID));
    String incidentId = text(task.getVariable(StepFailureDecisions.INCIDENT_ID));
    ExternalTask step = services.getExternalTaskService().createExternalTaskQuery()
        .externalTaskId(externalTaskId).singleResult();
    boolean failed = step != null && runId != null && runId.equals(step.getProcessInstanceId())
        && activityId != null && activityId.equals(step.getActivityId())
        && services.getRuntimeService().createIncidentQuery().incidentId(incidentId).count() == 1;
    if (!failed) {
      // the step's incident went away meanwhile (Cockpit retry, run ended): nothing left to decide
      throw new FailureDecisionRefusedException("Failure decision refused: step " + stepName + " of run "
          + runId + " is no longer failed");
    }

    Correction correction = correction(choice, task, services, step);
    String by = user == null ? "unknown user" : user;
    // the decision's own checks above decide who may do what; the run is changed as the application
    identity.clearAuthentication();
    try {
      StepFailureDecisions.carryingOut(externalTaskId, () -> {
        switch (choice) {
          case RETRY -> {
            if (correction != null) {
              // the retried attempt re-reads the input from the run (StepRunner)
              services.getRuntimeService().setVariable(runId, correction.variable(), correction.value());
              log.info("failure decision on step {} of run {}: {} corrects run variable {} (input {})",
                  stepName, runId, by, correction.variable(), correction.input());
            }
            services.getExternalTaskService().setRetries(externalTaskId, 1);
          }
          case DONE_BY_HAND, SKIP -> {
            String outcome = (SKIP.equals(choice) ? "skipped by " : "done by hand by ") + by + ": " + note;
            // the step's scope gets the results as if the step had returned them: its output
            // mapping hands them on to the run
            Map<String, Object> local = new LinkedHashMap<>(results);
            local.put(StepWorker.OUTCOME_VARIABLE, outcome);
            // what a failed attempt returned (its stdout, say) must not pass for the step's results
            Set<String> inputs = StepFailureDecisions.inputNames(services, step);
            List<String> returnedByAFailedAttempt = services.getRuntimeService()
                .getVariablesLocal(step.getExecutionId()).keySet().stream()
                .filter(name -> !inputs.contains(name) && !local.containsKey(name)).toList();
            services.getRuntimeService().removeVariablesLocal(step.getExecutionId(), returnedByAFailedAttempt);
            services.getExternalTaskService().lock(externalTaskId, DECISION_WORKER, LOCK_MS);
            try {
              services.getExternalTaskService().complete(externalTaskId, DECISION_WORKER, Map.of(), local);
            } catch (OptimisticLockingException e) {
              throw e;
            } catch (ProcessEngineException e) {
              throw new StepResultsRefusedException("Failure decision refused: the run takes results"
                  + " from step " + stepName + " that the decision did not give (" + e.getMessage()
                  + "). Give them as results, a JSON object named as the step returns them; the run"
                  + " takes: " + task.getVariable(StepFailureDecisions.STEP_RESULTS_USED));
            }
          }
          case ABORT -> {
            if (authentication != null) {
              identity.setAuthentication(authentication);
            }
            services.getTaskService().createComment(null, runId, ABORT_COMMENT_PREFIX + "aborted after step "
                + stepName + " failed: " + note);
            identity.clearAuthentication();
            services.getRuntimeService().deleteProcessInstance(runId, "aborted by " + by
                + " after step " + stepName + " failed: " + note, false, true);
          }
          default -> throw new IllegalStateException("unhandled choice " + choice);
        }
      });
    } finally {
      if (authentication != null) {
        identity.setAuthentication(authentication);
      }
    }
    log.info("failure decision on step {} of run {}: {} by {}", stepName, runId, choice, by);
  }

  /** A run variable a retry corrects: the step input it feeds, the variable, its new value. */
  record Correction(String input, String variable, String value) {}

  /**
   * The correction given with a decision, or null when none was: only with retry, only of an input
   * of the failed step that comes from one run variable, with a value.
   */
  static Correction correction(String choice, DelegateTask task, ProcessEngineServices services,
      ExternalTask step) {
    String input = text(task.getVariable(StepFailureDecisions.CORRECT_INPUT));
    String value = text(task.getVariable(StepFailureDecisions.CORRECT_VALUE));
    if (input == null || input.isBlank()) {
      if (value != null && !value.isBlank()) {
        throw new FailureDecisionRefusedException("Failure decision refused: a corrected value needs"
            + " the input it corrects (" + StepFailureDecisions.CORRECT_INPUT + ")");
      }
      return null;
    }
    input = input.strip();
    if (!RETRY.equals(choice)) {
      throw new FailureDecisionRefusedException("Failure decision refused: an input is only corrected"
          + " with " + RETRY);
    }
    Map<String, String> sources = StepFailureDecisions.inputSources(services, step);
    String variable = sources.get(input);
    if (variable == null) {
      String named = input.matches("[A-Za-z_][A-Za-z0-9_]{0,63}") ? "'" + input + "'" : "the input given";
      throw new FailureDecisionRefusedException("Failure decision refused: " + named + " ("
          + StepFailureDecisions.CORRECT_INPUT + ") is not an input of this step that comes from a run"
          + " variable; the step's correctable inputs: " + (sources.isEmpty() ? "none"
          : String.join(", ", sources.keySet())));
    }
    if (value == null || value.isBlank()) {
      throw new FailureDecisionRefusedException("Failure decision refused: the corrected value of input "
          + input + " (" + StepFailureDecisions.CORRECT_VALUE + ") is empty");
    }
    String problem = FreeText.problem(StepFailureDecisions.CORRECT_VALUE, value, MAX_CORRECTION)
        .map(p -> "the corrected value " + p.message()).orElse(null);
    if (problem != null) {
      throw new FailureDecisionRefusedException("Failure decision refused: " + problem);
    }
    return new Correction(input, variable, value.strip());
  }

  /**
   * The results given with a decision: a JSON object of plain values (text, number, true/false,
   * null, or a list of those), only for done-by-hand and skip; empty when none were given.
   */
  static Map<String, Object> results(String choice, Object given) {
    String text = given == null ? "" : given.toString().strip();
    if (text.isEmpty()) {
      return Map.of();
    }
    if (!DONE_BY_HAND.equals(choice) && !SKIP.equals(choice)) {
      throw new StepResultsRefusedException("Failure decision refused: results are only given with "
          + DONE_BY_HAND + " or " + SKIP);
    }
    if (text.length() > MAX_RESULTS) {
      throw new StepResultsRefusedException("Failure decision refused: the results must be at most "
          + MAX_RESULTS + " characters long");
    }
    JsonNode object;
    try {
      object = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new StepResultsRefusedException("Failure decision refused: the results are not JSON: "
          + e.getOriginalMessage());
    }
    if (object == null || !object.isObject()) {
      throw new StepResultsRefusedException("Failure decision refused: the results must be a JSON"
          + " object, e.g. {\"valueAfter\": \"4711\"}");
    }
    Map<String, Object> results = new LinkedHashMap<>();
    for (var field : (Iterable<Map.Entry<String, JsonNode>>) object::fields) {
      JsonNode value = field.getValue();
      boolean plainList = value.isArray() && StreamSupport
          .stream(value.spliterator(), false).allMatch(JsonNode::isValueNode);
      if (!field.getKey().matches("[A-Za-z_][A-Za-z0-9_]*") || !(value.isValueNode() || plainList)) {
        throw new StepResultsRefusedException("Failure decision refused: result '" + field.getKey()
            + "' must be named like a variable and hold text, a number, true/false or a list of those");
      }
      results.put(field.getKey(), JSON.convertValue(value, Object.class));
    }
    return results;
  }

  /** What is wrong with a choice and note, or null when they are acceptable. */
  public static String problem(String choice, String note) {
    if (choice == null || !CHOICES.contains(choice)) {
      return "choice must be one of " + CHOICES;
    }
    if (!RETRY.equals(choice) && (note == null || note.isBlank())) {
      return "a note is required for " + choice;
    }
    return FreeText.problem("note", note, MAX_NOTE).map(p -> "the note " + p.message()).orElse(null);
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }
}
