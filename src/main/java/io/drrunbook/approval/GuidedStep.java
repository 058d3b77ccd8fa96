package io.drrunbook.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.core.RunModes;
import io.drrunbook.core.RunVariables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.spin.plugin.variable.SpinValues;

/**
 * The guided manual step (attached to every user task by {@link ApprovalParseListener}; it acts on a
 * task only when the task declares {@value #SEED} among its input parameters): one pattern for every
 * console step of a vendor GUI. The model writes the instructions once, as input parameters of the
 * user task, and the one form {@code forms/form-guided-step.form} shows them:
 * <ul>
 *   <li>{@code guideSeed} where the step comes from ("seed 002 L1572"), {@code guideSystem} the
 *       console or system, {@code guideClickPath} what to do, {@code guideEnter} the values to type
 *       (optional), {@code guideExpect} the screen the step should end on;</li>
 *   <li>{@code guideChoices} (a list) the values the seed says the screen can show, {@code
 *       guideAccepted} (a list, a subset) those that mean the step is done;</li>
 *   <li>{@code guideEvidenceLabel} (optional) a typed piece of evidence the step needs (a backup
 *       id);</li>
 *   <li>{@code guideVerifiedBy} what the runbook checks on its own after the step through a real
 *       protocol, or "nothing: &lt;why&gt;";</li>
 *   <li>{@code guideFinding} (optional) what that check found the last time, when it reopened the
 *       step.</li>
 * </ul>
 * When {@value #DONE_AT} is not given, the completion time is recorded. On {@code create} the
 * evidence fields ({@value #SCREEN_VALUE}, {@value #EVIDENCE_VALUE},
 * {@value #NOTE}, {@value #DONE_AT}) become local variables of the step (each step keeps its own
 * evidence; history has it) and the choices become the form's select options ({@value #OPTIONS}).
 * On {@code complete} the evidence is checked: a value the seed does not list, a value that means
 * the step is not done, or missing evidence is refused with a message that names the expectation,
 * and the task stays open. A dry-run or precheck walk (which answers manual steps itself) records no
 * evidence and is not checked.
 */
class GuidedStep implements TaskListener {

  static final String SEED = "guideSeed";
  static final String CHOICES = "guideChoices";
  static final String ACCEPTED = "guideAccepted";
  static final String EVIDENCE_LABEL = "guideEvidenceLabel";
  static final String EXPECT = "guideExpect";
  static final String OPTIONS = "guideOptions";
  static final String SCREEN_VALUE = "screenValue";
  static final String EVIDENCE_VALUE = "evidenceValue";
  static final String NOTE = "evidenceNote";
  static final String DONE_AT = "doneAt";
  static final String RULE = "Guided step";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RunModes modes;

  GuidedStep(RunModes modes) {
    this.modes = modes;
  }

  @Override
  public void notify(DelegateTask task) {
    DelegateExecution step = task.getExecution();
    if (step == null || !step.hasVariableLocal(SEED)) {
      return;
    }
    if (TaskListener.EVENTNAME_CREATE.equals(task.getEventName())) {
      for (String field : List.of(SCREEN_VALUE, EVIDENCE_VALUE, NOTE, DONE_AT)) {
        if (!step.hasVariableLocal(field)) {
          step.setVariableLocal(field, null);
        }
      }
      List<Map<String, String>> options = new ArrayList<>();
      for (String choice : list(step, CHOICES)) {
        Map<String, String> option = new LinkedHashMap<>();
        option.put("label", choice);
        option.put("value", choice);
        options.add(option);
      }
      try {
        task.setVariableLocal(OPTIONS, SpinValues.jsonValue(JSON.writeValueAsString(options)).create());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write the options of " + task.getTaskDefinitionKey(), e);
      }
      return;
    }
    // a dry-run or precheck walk answers its manual steps itself and changes nothing: no evidence
    if (modes.walkMode(task.getProcessInstanceId(), () -> task.getVariable(RunVariables.RUN_MODE)).isEmpty()) {
      check(task, step);
    }
  }

  private static void check(DelegateTask task, DelegateExecution step) {
    String name = "'" + baseName(task) + "'";
    List<String> choices = list(step, CHOICES);
    List<String> accepted = list(step, ACCEPTED);
    String expectation = "expects the screen to show " + quoted(accepted) + " ("
        + step.getVariableLocal(SEED) + ": " + step.getVariableLocal(EXPECT) + ")";
    Object shown = task.getVariable(SCREEN_VALUE);
    if (!(shown instanceof String value) || value.isBlank()) {
      throw new EvidenceRefusedException(RULE + " " + name + " " + expectation
          + ": record what the screen showed (screenValue)");
    }
    if (!choices.contains(value)) {
      throw new EvidenceRefusedException(RULE + " " + name + " " + expectation + ": '" + value
          + "' is not a value the seed says the screen can show (" + quoted(choices) + ")");
    }
    if (!accepted.contains(value)) {
      throw new EvidenceRefusedException(RULE + " " + name + " " + expectation + ": the screen"
          + " showed '" + value + "', so the step is not done; do it again, or leave the task open"
          + " and tell the run's DR manager");
    }
    if (task.getVariable(DONE_AT) == null) {
      // not given: the step was done when it was completed
      step.setVariableLocal(DONE_AT, Instant.now().toString());
    }
    Object label = step.getVariableLocal(EVIDENCE_LABEL);
    Object evidence = task.getVariable(EVIDENCE_VALUE);
    if (label instanceof String what && !what.isBlank()
        && (!(evidence instanceof String typed) || typed.isBlank())) {
      throw new EvidenceRefusedException(RULE + " " + name + " needs its evidence: " + what
          + " (evidenceValue)");
    }
  }

  /** The task's name without the ticket {@link TaskContext} appended. */
  private static String baseName(DelegateTask task) {
    String name = task.getName() == null ? task.getTaskDefinitionKey() : task.getName();
    int ticket = name.lastIndexOf(TaskContext.SEPARATOR);
    return ticket < 0 ? name : name.substring(0, ticket);
  }

  private static List<String> list(DelegateExecution step, String variable) {
    Object value = step.getVariableLocal(variable);
    List<String> values = new ArrayList<>();
    if (value instanceof Collection<?> items) {
      items.forEach(item -> values.add(String.valueOf(item)));
    } else if (value instanceof String text && !text.isBlank()) {
      values.add(text);
    }
    return values;
  }

  private static String quoted(List<String> values) {
    return values.stream().map(value -> "'" + value + "'").reduce((a, b) -> a + " or " + b)
        .orElse("(nothing)");
  }
}
