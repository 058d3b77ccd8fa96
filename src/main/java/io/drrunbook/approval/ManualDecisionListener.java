package io.drrunbook.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.common.SecretMasker;
import io.drrunbook.core.RunModes;
import io.drrunbook.core.RunVariables;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.camunda.bpm.engine.ProcessEngineServices;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.impl.identity.Authentication;

/**
 * On {@code complete} of every user task (attached by {@link ApprovalParseListener}): for an
 * approval (candidate group {@code dr-approvers}) applies the four-eyes rule, then records the
 * decision ({@link DecisionRecord}) with the completing user, the time and the values of the task
 * form's fields, masked. On {@code assignment} of an approval, refuses a claim by a user the rule
 * would refuse at completion, so that the task stays claimable by another approver.
 *
 * <p>Four-eyes: the completing user (the authenticated user, else the assignee) must be known, must
 * not be the user who started the run (the history's start user or {@code runStartedBy}) and must not
 * be the user who completed the run's previous approval.
 */
public class ManualDecisionListener implements TaskListener {

  static final String RULE = "Four-eyes rule";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean approval;
  private final DecisionRecord decisions;
  private final SecretMasker masker;
  private final RunModes modes;

  public ManualDecisionListener(boolean approval, DecisionRecord decisions, SecretMasker masker,
      RunModes modes) {
    this.approval = approval;
    this.modes = modes;
    this.decisions = decisions;
    this.masker = masker;
  }

  @Override
  public void notify(DelegateTask task) {
    ProcessEngineServices engine = task.getProcessEngineServices();
    if (TaskListener.EVENTNAME_ASSIGNMENT.equals(task.getEventName())) {
      // a claim (or an assignment) by someone the rule will refuse is refused at once: the task
      // stays free for the next approver instead of waiting, claimed, behind a form that cannot
      // be submitted
      if (approval && task.getAssignee() != null && !walkOnly(task)) {
        checkFourEyes(task, engine, task.getAssignee());
      }
      return;
    }
    String user = completingUser(task);
    // a dry-run or precheck walk answers its manual steps itself and changes nothing: no approval
    if (approval && !walkOnly(task)) {
      checkFourEyes(task, engine, user);
    }
    decisions.record(new DecisionRecord.Decision(task.getId(), task.getTaskDefinitionKey(),
        task.getName(), task.getProcessInstanceId(), user, Instant.now(), approval,
        evidence(task, engine)));
  }

  /** A walk by the mode recorded at the run's start: changing the variable later changes nothing. */
  private boolean walkOnly(DelegateTask task) {
    return modes.walkMode(task.getProcessInstanceId(),
        () -> task.getVariable(RunVariables.RUN_MODE)).isPresent();
  }

  private static String completingUser(DelegateTask task) {
    Authentication authentication = task.getProcessEngineServices().getIdentityService()
        .getCurrentAuthentication();
    if (authentication != null && authentication.getUserId() != null) {
      return authentication.getUserId();
    }
    return task.getAssignee();
  }

  private void checkFourEyes(DelegateTask task, ProcessEngineServices engine, String user) {
    String approvalName = "'" + task.getName() + "'";
    if (user == null) {
      throw new FourEyesViolationException(RULE + ": approval " + approvalName
          + " needs an identified user (log in, or assign the task)");
    }
    String processInstanceId = task.getProcessInstanceId();
    if (processInstanceId == null) {
      return;
    }
    HistoricProcessInstance run = engine.getHistoryService().createHistoricProcessInstanceQuery()
        .processInstanceId(processInstanceId).singleResult();
    Object runStartedBy = task.getVariable("runStartedBy");
    if ((run != null && user.equals(run.getStartUserId())) || user.equals(runStartedBy)) {
      throw new FourEyesViolationException(RULE + ": user '" + user + "' started this run and cannot"
          + " approve " + approvalName + " of it; another member of dr-approvers must");
    }
    if (decisions.lastApprover(processInstanceId).filter(user::equals).isPresent()) {
      throw new FourEyesViolationException(RULE + ": user '" + user + "' completed the previous"
          + " approval of this run and cannot approve " + approvalName + " too; another member of"
          + " dr-approvers must");
    }
  }

  /** The task form's fields and their values at completion, secrets masked, as JSON. */
  private String evidence(DelegateTask task, ProcessEngineServices engine) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (String key : formFields(task, engine)) {
      Object value = task.getVariable(key);
      fields.put(key, value == null ? null : masked(value));
    }
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the evidence of task " + task.getId(), e);
    }
  }

  private Object masked(Object value) {
    if (value instanceof Boolean || value instanceof Number) {
      return value;
    }
    return masker.mask(String.valueOf(value));
  }

  /** Field keys of the task's deployed Camunda Form; without one, the task's local variables. */
  private static Set<String> formFields(DelegateTask task, ProcessEngineServices engine) {
    Set<String> keys = new LinkedHashSet<>();
    if (task.getBpmnModelElementInstance() != null
        && task.getBpmnModelElementInstance().getCamundaFormRef() != null) {
      try (InputStream form = engine.getFormService().getDeployedTaskForm(task.getId())) {
        collectKeys(JSON.readTree(form), keys);
        return keys;
      } catch (IOException | RuntimeException e) {
        keys.clear();
      }
    }
    keys.addAll(task.getVariableNamesLocal());
    keys.remove(TaskContext.VARIABLE); // what the task showed, not what the person entered
    return keys;
  }

  private static void collectKeys(JsonNode node, Set<String> keys) {
    JsonNode components = node.path("components");
    for (JsonNode component : components) {
      String key = component.path("key").asText(null);
      if (key != null && !Objects.equals(component.path("type").asText(), "button")) {
        keys.add(key);
      }
      collectKeys(component, keys);
    }
  }
}
