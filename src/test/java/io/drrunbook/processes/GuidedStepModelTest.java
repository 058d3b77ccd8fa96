package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.BoundaryEvent;
import org.camunda.bpm.model.bpmn.instance.ErrorEventDefinition;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.UserTask;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputOutput;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputParameter;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The guided manual steps of every model (user tasks with {@code form-guided-step}) carry their
 * instructions as the form and {@code approval/GuidedStep} read them (processes/README.md "Guided
 * manual steps"): the seed, the system, the click path, the expected screen, the values the screen
 * can show and those accepted (a non-empty subset; an expression's quoted answers each one of the
 * choices), and what the runbook checks afterwards. A step
 * that says it is checked is followed by a dr-step service task whose DR_VERIFY_FAILED boundary event
 * leads back to the step and keeps its message in the variable the step shows as guideFinding; a
 * step that is not checked says "nothing: <why>".
 */
class GuidedStepModelTest {

  static final String FORM = "form-guided-step";
  static final List<String> REQUIRED = List.of("guideSeed", "guideSystem", "guideClickPath",
      "guideExpect", "guideChoices", "guideAccepted", "guideVerifiedBy");
  static final Pattern SEED = Pattern.compile("seed \\d{3} (L\\d+|step )");
  static final Pattern QUOTED = Pattern.compile("'([^']*)'");
  static final Pattern FINDING = Pattern.compile("\\$\\{execution\\.getVariable\\('([A-Za-z]+)'\\)}");

  static java.util.stream.Stream<Path> models() throws java.io.IOException {
    return ProcessCatalogTest.models();
  }

  @ParameterizedTest
  @MethodSource("models")
  void shouldDeclareInstructionsAndCheckWhenAStepIsGuided(Path file) {
    BpmnModelInstance model = ProcessCatalogTest.model(file);
    List<String> violations = new ArrayList<>();
    for (UserTask task : model.getModelElementsByType(UserTask.class)) {
      if (!FORM.equals(task.getCamundaFormRef())) {
        continue;
      }
      Map<String, CamundaInputParameter> inputs = inputs(task);
      String id = task.getId();
      for (String name : REQUIRED) {
        if (!inputs.containsKey(name)) {
          violations.add(id + ": no input " + name);
        }
      }
      if (inputs.containsKey("guideSeed") && !SEED.matcher(inputs.get("guideSeed").getTextContent()).find()) {
        violations.add(id + ": guideSeed does not cite 'seed NNN L<line>' or 'seed NNN step'");
      }
      List<String> choices = list(inputs.get("guideChoices"));
      List<String> accepted = list(inputs.get("guideAccepted"));
      if (choices.isEmpty() || accepted.isEmpty() || !accepted.stream().allMatch(value -> isChoice(value, choices))) {
        violations.add(id + ": guideAccepted " + accepted + " is not a non-empty subset of guideChoices " + choices);
      }
      String verifiedBy = inputs.containsKey("guideVerifiedBy") ? inputs.get("guideVerifiedBy").getTextContent() : "";
      if (!verifiedBy.startsWith("nothing: ")) {
        checkVerified(task, inputs, violations);
      }
    }
    assertThat(violations).as("guided steps of %s", file).isEmpty();
  }

  private static void checkVerified(UserTask task, Map<String, CamundaInputParameter> inputs,
      List<String> violations) {
    String id = task.getId();
    List<FlowNode> next = task.getOutgoing().stream().map(SequenceFlow::getTarget).toList();
    if (next.size() != 1 || !(next.get(0) instanceof ServiceTask check)
        || !ProcessCatalogTest.TOPIC.equals(check.getCamundaTopic())) {
      violations.add(id + ": says it is checked (guideVerifiedBy) but is not followed by one dr-step service task");
      return;
    }
    BoundaryEvent mismatch = check.getParentElement().getChildElementsByType(BoundaryEvent.class).stream()
        .filter(event -> event.getAttachedTo() == check)
        .filter(event -> event.getEventDefinitions().stream().anyMatch(definition ->
            definition instanceof ErrorEventDefinition error && error.getError() != null
                && "DR_VERIFY_FAILED".equals(error.getError().getErrorCode())))
        .findFirst().orElse(null);
    if (mismatch == null) {
      violations.add(id + ": its check " + check.getId() + " has no DR_VERIFY_FAILED boundary event");
      return;
    }
    if (!leadsTo(mismatch, task)) {
      violations.add(id + ": a mismatch of " + check.getId() + " does not reopen the step");
    }
    String variable = mismatch.getEventDefinitions().stream()
        .filter(ErrorEventDefinition.class::isInstance).map(ErrorEventDefinition.class::cast)
        .map(ErrorEventDefinition::getCamundaErrorMessageVariable).findFirst().orElse(null);
    CamundaInputParameter finding = inputs.get("guideFinding");
    var matcher = finding == null ? null : FINDING.matcher(finding.getTextContent().strip());
    if (variable == null || matcher == null || !matcher.matches() || !matcher.group(1).equals(variable)) {
      violations.add(id + ": guideFinding must show ${execution.getVariable('" + variable
          + "')}, the errorMessageVariable of " + mismatch.getId());
    }
  }

  /**
   * An accepted value is one of the choices, or an expression of a shared step whose answer depends
   * on the caller's input (${clusterState == 'ACTIVE' ? 'ACTIVE, ...' : 'STANDBY, ...'}): each of
   * the quoted values it can give is one of the choices.
   */
  private static boolean isChoice(String value, List<String> choices) {
    if (!value.startsWith("${")) {
      return choices.contains(value);
    }
    List<String> quoted = new ArrayList<>();
    var literal = QUOTED.matcher(value);
    while (literal.find()) {
      quoted.add(literal.group(1));
    }
    return quoted.stream().anyMatch(choices::contains)
        && quoted.stream().filter(q -> !value.contains("== '" + q + "'") && !value.contains("!= '" + q + "'"))
            .allMatch(choices::contains);
  }

  private static boolean leadsTo(FlowNode from, FlowNode target) {
    Deque<FlowNode> open = new ArrayDeque<>(List.of(from));
    Set<String> seen = new HashSet<>();
    while (!open.isEmpty()) {
      FlowNode node = open.pop();
      if (node == target) {
        return true;
      }
      if (!seen.add(node.getId()) || (node != from && !(node instanceof org.camunda.bpm.model.bpmn.instance.Gateway))) {
        continue;
      }
      node.getOutgoing().forEach(flow -> open.push(flow.getTarget()));
    }
    return false;
  }

  private static Map<String, CamundaInputParameter> inputs(UserTask task) {
    Map<String, CamundaInputParameter> inputs = new LinkedHashMap<>();
    if (task.getExtensionElements() == null) {
      return inputs;
    }
    task.getExtensionElements().getElementsQuery().filterByType(CamundaInputOutput.class).list()
        .forEach(io -> io.getCamundaInputParameters().forEach(p -> inputs.put(p.getCamundaName(), p)));
    return inputs;
  }

  private static List<String> list(CamundaInputParameter parameter) {
    List<String> values = new ArrayList<>();
    if (parameter != null && parameter.getValue() instanceof CamundaList list) {
      list.getValues().forEach(value -> values.add(value.getTextContent().strip()));
    }
    return values;
  }
}
