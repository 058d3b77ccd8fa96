package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.BoundaryEvent;
import org.camunda.bpm.model.bpmn.instance.CallActivity;
import org.camunda.bpm.model.bpmn.instance.Documentation;
import org.camunda.bpm.model.bpmn.instance.EndEvent;
import org.camunda.bpm.model.bpmn.instance.Error;
import org.camunda.bpm.model.bpmn.instance.FlowElement;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.Gateway;
import org.camunda.bpm.model.bpmn.instance.IntermediateCatchEvent;
import org.camunda.bpm.model.bpmn.instance.IntermediateThrowEvent;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.StartEvent;
import org.camunda.bpm.model.bpmn.instance.SubProcess;
import org.camunda.bpm.model.bpmn.instance.Task;
import org.camunda.bpm.model.bpmn.instance.UserTask;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputOutput;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the models in step with the rest of the code base (STYLE.md "A catalog test"): for every
 * {@code processes/*.bpmn} the process id, history time to live, the route and form each element
 * names, candidate groups, documentation citing the seed, id conventions, and no addresses or
 * passwords in the model. Each test lists every violation it finds, not only the first.
 */
class ProcessCatalogTest {

  static final Path PROCESSES = Path.of("processes");
  static final Path FORMS = Path.of("forms");
  static final Path CONNECTORS = Path.of("connectors");
  static final String TOPIC = "dr-step";
  static final Set<String> GROUPS = Set.of("dr-operators", "dr-approvers", "dr-admins", "dr-voice",
      "dr-oceana", "dr-database");
  static final int FORM_SCHEMA_VERSION = 16;

  static final Pattern PROCESS_ID = Pattern.compile("dr-[a-z0-9]+(-[a-z0-9]+)+");
  static final Pattern PASCAL_CASE = Pattern.compile("[A-Z][A-Za-z0-9]*");
  static final Pattern GENERATED_ID = Pattern.compile("_[0-9a-z]{7}$");
  static final Pattern ERROR_CODE = Pattern.compile("DR_[A-Z0-9]+(_[A-Z0-9]+)*");
  static final Pattern IPV4 = Pattern.compile("(?<![\\d.])(?:\\d{1,3}\\.){3}\\d{1,3}(?![\\d.])");
  static final Pattern PASSWORD = Pattern.compile(
      "(?i)(pass(word|wd)?|pwd|secret|credential)\\s*[\"']?\\s*(=|:|>)\\s*[\"']?[^\\s\"'<]"
          + "|" + String.join("|", SeedSecretsTest.SEED_PASSWORDS));

  static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Path> models() throws IOException {
    try (Stream<Path> files = Files.list(PROCESSES)) {
      return files.filter(file -> file.toString().endsWith(".bpmn")).sorted().toList().stream();
    }
  }

  @Test
  void shouldFindProcessesWhenTheCatalogIsRead() throws IOException {
    assertThat(models()).isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("models")
  void shouldUseTheFileNameAsExecutableProcessIdWhenAModelIsDeployed(Path file) {
    Collection<Process> processes = model(file).getModelElementsByType(Process.class);
    String expectedId = file.getFileName().toString().replaceFirst("\\.bpmn$", "");
    assertThat(processes).as("processes in %s", file).hasSize(1);
    Process process = processes.iterator().next();
    assertThat(process.getId()).matches(PROCESS_ID).isEqualTo(expectedId);
    assertThat(process.isExecutable()).as("isExecutable of %s", expectedId).isTrue();
    assertThat(process.getName()).as("name of %s", expectedId).isNotBlank();
    assertThat(process.getCamundaHistoryTimeToLiveString()).as("historyTimeToLive of %s", expectedId).isNotBlank();
  }

  @ParameterizedTest
  @MethodSource("models")
  void shouldReachAnExistingConnectorRouteWhenAServiceTaskRuns(Path file) {
    List<String> violations = new ArrayList<>();
    for (ServiceTask task : model(file).getModelElementsByType(ServiceTask.class)) {
      String id = task.getId();
      if (!"external".equals(task.getCamundaType()) || !TOPIC.equals(task.getCamundaTopic())) {
        violations.add(id + ": not an external task on topic " + TOPIC);
      }
      if (task.isCamundaAsyncBefore() || task.isCamundaAsyncAfter()) {
        violations.add(id + ": async flags are not needed on external tasks");
      }
      String route = inputs(task).get("route");
      if (route == null || route.isBlank() || route.contains("${")) {
        violations.add(id + ": no literal 'route' input parameter");
      } else if (!Files.isRegularFile(CONNECTORS.resolve(route + ".camel.yaml"))) {
        violations.add(id + ": route " + route + " has no file connectors/" + route + ".camel.yaml");
      }
    }
    assertThat(violations).as("service tasks of %s", file).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("models")
  void shouldOpenADeployedFormForTheRightGroupsWhenAUserTaskIsCreated(Path file) throws IOException {
    List<String> violations = new ArrayList<>();
    for (UserTask task : model(file).getModelElementsByType(UserTask.class)) {
      String id = task.getId();
      List<String> groups = task.getCamundaCandidateGroupsList();
      if (groups.isEmpty() || !GROUPS.containsAll(groups)) {
        violations.add(id + ": candidate groups " + groups + " not a non-empty subset of " + GROUPS);
      }
      String formRef = task.getCamundaFormRef();
      if (formRef == null || formRef.isBlank()) {
        violations.add(id + ": no camunda:formRef");
        continue;
      }
      Path form = FORMS.resolve(formRef + ".form");
      if (!Files.isRegularFile(form)) {
        violations.add(id + ": formRef " + formRef + " has no file " + form);
        continue;
      }
      JsonNode json = JSON.readTree(Files.readString(form, StandardCharsets.UTF_8));
      if (!formRef.equals(json.path("id").asText())) {
        violations.add(id + ": " + form + " has id " + json.path("id") + " instead of " + formRef);
      }
      if (json.path("schemaVersion").asInt() != FORM_SCHEMA_VERSION) {
        violations.add(id + ": " + form + " has schemaVersion " + json.path("schemaVersion"));
      }
    }
    assertThat(violations).as("user tasks of %s", file).isEmpty();
  }

  /**
   * A run keeps the forms of the deployment it started with (issue 11): every {@code camunda:formRef}
   * of a user task or start event is bound with {@code camunda:formRefBinding="deployment"}, and the
   * model has at least one form reference when it has a user task.
   */
  @ParameterizedTest
  @MethodSource("models")
  void shouldBindEveryFormToItsDeploymentWhenAFormIsReferenced(Path file) {
    BpmnModelInstance model = model(file);
    List<String> violations = new ArrayList<>();
    int formRefs = 0;
    for (UserTask task : model.getModelElementsByType(UserTask.class)) {
      if (task.getCamundaFormRef() != null) {
        formRefs++;
        if (!"deployment".equals(task.getCamundaFormRefBinding())) {
          violations.add(task.getId() + ": formRefBinding " + task.getCamundaFormRefBinding());
        }
      }
    }
    for (StartEvent start : model.getModelElementsByType(StartEvent.class)) {
      if (start.getCamundaFormRef() != null) {
        formRefs++;
        if (!"deployment".equals(start.getCamundaFormRefBinding())) {
          violations.add(start.getId() + ": formRefBinding " + start.getCamundaFormRefBinding());
        }
      }
    }
    assertThat(violations).as("form bindings in %s (must be deployment)", file).isEmpty();
    assertThat(formRefs).as("form references in %s", file)
        .isGreaterThanOrEqualTo(model.getModelElementsByType(UserTask.class).size());
  }

  @ParameterizedTest
  @MethodSource("models")
  void shouldCiteTheSeedWhenAnElementIsDocumented(Path file) {
    List<String> violations = new ArrayList<>();
    for (FlowNode node : model(file).getModelElementsByType(FlowNode.class)) {
      String text = node.getDocumentations().stream().map(Documentation::getTextContent)
          .reduce("", String::concat);
      if (!text.contains("seed") && !text.contains("derived")) {
        violations.add(node.getId() + ": documentation cites neither a seed step nor 'derived'");
      }
    }
    assertThat(violations).as("documentation in %s", file).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("models")
  void shouldFollowTheNamingRulesWhenElementsAreNamed(Path file) {
    BpmnModelInstance model = model(file);
    List<String> violations = new ArrayList<>();
    for (FlowElement element : model.getModelElementsByType(FlowElement.class)) {
      String prefix = prefixFor(element);
      String id = element.getId();
      if (prefix == null) {
        continue;
      }
      if (!id.startsWith(prefix + "_") || !PASCAL_CASE.matcher(id.substring(prefix.length() + 1)).matches()) {
        violations.add(id + ": expected " + prefix + "_ followed by PascalCase");
      }
      if (GENERATED_ID.matcher(id).find()) {
        violations.add(id + ": looks like a generated modeler id");
      }
    }
    for (Error error : model.getModelElementsByType(Error.class)) {
      if (!error.getId().startsWith("Error_") || GENERATED_ID.matcher(error.getId()).find()) {
        violations.add(error.getId() + ": expected Error_ followed by PascalCase");
      }
      if (error.getErrorCode() == null || !ERROR_CODE.matcher(error.getErrorCode()).matches()) {
        violations.add(error.getId() + ": error code " + error.getErrorCode() + " is not DR_<REASON>");
      }
    }
    assertThat(violations).as("ids in %s", file).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("models")
  void shouldContainNoAddressOrPasswordWhenTheModelIsRead(Path file) throws IOException {
    List<String> violations = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      if (IPV4.matcher(lines.get(i)).find()) {
        violations.add("line " + (i + 1) + ": IPv4 literal");
      }
      if (PASSWORD.matcher(lines.get(i)).find()) {
        violations.add("line " + (i + 1) + ": looks like a password");
      }
    }
    assertThat(violations).as("%s (use logical names and secret references)", file).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("models")
  void shouldBeListedWhenTheProcessReadmeIsRead(Path file) throws IOException {
    String readme = Files.readString(PROCESSES.resolve("README.md"), StandardCharsets.UTF_8);
    String id = file.getFileName().toString().replaceFirst("\\.bpmn$", "");
    assertThat(readme).as("processes/README.md lists %s", id).contains("`" + id + "`");
  }

  // --- helpers -------------------------------------------------------------------------------

  static BpmnModelInstance model(Path file) {
    return Bpmn.readModelFromFile(file.toFile());
  }

  private static Map<String, String> inputs(BaseElement element) {
    Map<String, String> inputs = new LinkedHashMap<>();
    if (element.getExtensionElements() == null) {
      return inputs;
    }
    element.getExtensionElements().getElementsQuery().filterByType(CamundaInputOutput.class).list()
        .forEach(io -> io.getCamundaInputParameters()
            .forEach((CamundaInputParameter p) -> inputs.put(p.getCamundaName(), p.getTextContent().trim())));
    return inputs;
  }

  /** The STYLE.md id prefix of an element type; null for types without a rule. */
  private static String prefixFor(FlowElement element) {
    if (element instanceof SequenceFlow) {
      return "Flow";
    }
    if (element instanceof StartEvent) {
      return "StartEvent";
    }
    if (element instanceof EndEvent) {
      return "EndEvent";
    }
    if (element instanceof BoundaryEvent) {
      return "BoundaryEvent";
    }
    if (element instanceof IntermediateCatchEvent || element instanceof IntermediateThrowEvent) {
      return "Event";
    }
    if (element instanceof Gateway) {
      return "Gateway";
    }
    if (element instanceof UserTask) {
      return "UserTask";
    }
    if (element instanceof Task) {
      return "Task";
    }
    if (element instanceof SubProcess) {
      return "SubProcess";
    }
    if (element instanceof CallActivity) {
      return "CallActivity";
    }
    return null;
  }
}
