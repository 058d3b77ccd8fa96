package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.connectors.ConnectorContract;
import io.drrunbook.connectors.ConnectorContracts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputOutput;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputParameter;
import org.camunda.bpm.model.xml.instance.ModelElementInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Every service task of every shipped BPMN against the contract of the route it names
 * ({@code connectors/<route>.contract.yaml}): an unknown route, an input the connector does not take,
 * a required input missing, a literal value outside the allowed values or the input's type, and the
 * element template the task names ({@code camunda:modelerTemplate} = {@code io.drrunbook.connectors.<route>},
 * version 1). The prechecks of {@code config/procedures.yaml} are checked against the same contracts.
 * The fixtures under {@code src/test/resources/contracts/} prove that each kind of violation is
 * reported, naming process, element and input.
 */
class ConnectorContractBpmnTest {

  static final ConnectorContracts CONTRACTS = ConnectorContracts.load("file:connectors/*.contract.yaml");
  static final String CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn";
  static final String TEMPLATE_PREFIX = "io.drrunbook.connectors.";
  static final String TEMPLATE_VERSION = "1";
  static final Path FIXTURES = Path.of("src/test/resources/contracts");

  static Stream<Path> models() throws IOException {
    return ProcessCatalogTest.models();
  }

  @ParameterizedTest
  @MethodSource("models")
  void shouldGiveEveryConnectorWhatItsContractAsksWhenAShippedProcessIsParsed(Path file) throws IOException {
    assertThat(violations(file)).as("service tasks of %s against connectors/*.contract.yaml", file).isEmpty();
  }

  @Test
  void shouldCheckServiceTasksOfEveryShippedProcessWhenTheModelsAreParsed() throws IOException {
    long tasks = 0;
    for (Path file : models().toList()) {
      try (InputStream in = Files.newInputStream(file)) {
        tasks += Bpmn.readModelFromStream(in).getModelElementsByType(ServiceTask.class).size();
      }
    }
    assertThat(tasks).as("service tasks in processes/").isGreaterThan(50);
  }

  @Test
  void shouldGiveEveryPrecheckWhatItsContractAsksWhenTheProcedureCatalogIsRead() throws IOException {
    assertThat(precheckViolations(Path.of("src/main/resources/config/procedures.yaml"))).isEmpty();
  }

  @Test
  void shouldReportAnUnknownRouteWhenATaskNamesARouteWithoutContract() throws IOException {
    assertThat(violations(FIXTURES.resolve("unknown-route.bpmn"))).containsExactly(
        "dr-test-contract-unknown-route Task_Step: route ssh-exek has no contract (connectors/ssh-exek.contract.yaml)");
  }

  @Test
  void shouldReportAnUnknownInputWhenATaskGivesAnInputTheConnectorDoesNotTake() throws IOException {
    assertThat(violations(FIXTURES.resolve("unknown-input.bpmn"))).containsExactly(
        "dr-test-contract-unknown-input Task_Step: input ttl is not an input of dns-switch-a-record"
            + " (it takes [record, targetHost, timeoutSeconds])");
  }

  @Test
  void shouldReportMissingInputsWhenATaskLacksARequiredOneOrOneItsOperationNeeds() throws IOException {
    assertThat(violations(FIXTURES.resolve("missing-input.bpmn"))).containsExactly(
        "dr-test-contract-missing-input Task_Step: required input endpoint is missing",
        "dr-test-contract-missing-input Task_Step: input host is missing (required when operation is set-host)");
  }

  @Test
  void shouldReportLiteralValuesWhenTheyAreOutsideTheAllowedValuesOrType() throws IOException {
    assertThat(violations(FIXTURES.resolve("value-not-allowed.bpmn"))).containsExactly(
        "dr-test-contract-value-not-allowed Task_Step: input operation is 'restart', not one of"
            + " [status, lag, stop, start, start-replicat-at-scn, clean-folders]",
        "dr-test-contract-value-not-allowed Task_Step: input maxLagSeconds is 'soon', not an integer");
  }

  @Test
  void shouldReportTheElementTemplateWhenItIsNotTheRoutesOne() throws IOException {
    assertThat(violations(FIXTURES.resolve("wrong-template.bpmn"))).containsExactly(
        "dr-test-contract-wrong-template Task_Step: camunda:modelerTemplate is 'io.drrunbook.connectors.ssh-exec',"
            + " expected 'io.drrunbook.connectors.sql-exec' (the template of route sql-exec)",
        "dr-test-contract-wrong-template Task_Step: camunda:modelerTemplateVersion is 'null', expected '1'");
  }

  @Test
  void shouldReportATaskWhenItIsNotAnExternalStepTask() throws IOException {
    assertThat(violations(FIXTURES.resolve("not-a-step.bpmn"))).containsExactly(
        "dr-test-contract-not-a-step Task_Step: not an external task on topic dr-step");
  }

  @Test
  void shouldAcceptExpressionsWhenTheirValueIsOnlyKnownAtRunTime() throws IOException {
    assertThat(violations(FIXTURES.resolve("valid.bpmn"))).isEmpty();
  }

  @Test
  void shouldReportAPrecheckWhenItGivesAnUnknownInputOrNamesAnUnknownRoute() throws IOException {
    Path catalog = Files.createTempFile("procedures", ".yaml");
    try {
      Files.writeString(catalog, """
          dr:
            procedures:
              dr-x-y:
                prechecks:
                  - name: typo
                    route: goldengate
                    inputs: { host: site2.gim-ogg, operation: status, type: replicat, proces: REPGIM }
                  - name: no contract
                    route: ssh-exek
                    inputs: { host: site2.ogg }
          """);
      assertThat(precheckViolations(catalog)).containsExactly(
          "dr-x-y.prechecks[0] (typo): input proces is not an input of goldengate (it takes [host, operation,"
              + " process, type, scn, expectStatus, maxLagSeconds, timeoutSeconds])",
          "dr-x-y.prechecks[0] (typo): input process is missing (required when operation is status)",
          "dr-x-y.prechecks[1] (no contract): route ssh-exek has no contract (connectors/ssh-exek.contract.yaml)");
    } finally {
      Files.delete(catalog);
    }
  }

  /** Every violation of the service tasks of one BPMN file, each as "process element: problem". */
  static List<String> violations(Path file) throws IOException {
    BpmnModelInstance model;
    try (InputStream in = Files.newInputStream(file)) {
      model = Bpmn.readModelFromStream(in);
    }
    List<String> violations = new ArrayList<>();
    for (ServiceTask task : model.getModelElementsByType(ServiceTask.class)) {
      String where = processOf(task) + " " + task.getId() + ": ";
      if (!"external".equals(task.getCamundaType()) || !ProcessCatalogTest.TOPIC.equals(task.getCamundaTopic())) {
        violations.add(where + "not an external task on topic " + ProcessCatalogTest.TOPIC);
        continue;
      }
      Map<String, String> inputs = inputs(task);
      String route = inputs.get(ConnectorContract.ROUTE_INPUT);
      Optional<ConnectorContract> contract = CONTRACTS.contract(route);
      if (route == null || !ConnectorContract.isLiteral(route)) {
        violations.add(where + "no literal route input");
        continue;
      }
      if (contract.isEmpty()) {
        violations.add(where + "route " + route + " has no contract (connectors/" + route + ".contract.yaml)");
        continue;
      }
      contract.get().problems(inputs).forEach(problem -> violations.add(where + problem));
      String template = task.getAttributeValueNs(CAMUNDA_NS, "modelerTemplate");
      if (!(TEMPLATE_PREFIX + route).equals(template)) {
        violations.add(where + "camunda:modelerTemplate is '" + template + "', expected '" + TEMPLATE_PREFIX + route
            + "' (the template of route " + route + ")");
      }
      String version = task.getAttributeValueNs(CAMUNDA_NS, "modelerTemplateVersion");
      if (!TEMPLATE_VERSION.equals(version)) {
        violations.add(where + "camunda:modelerTemplateVersion is '" + version + "', expected '" + TEMPLATE_VERSION
            + "'");
      }
    }
    return violations;
  }

  /** Every violation of the prechecks of a procedure catalog, each as "procedure.prechecks[i] (name): problem". */
  @SuppressWarnings("unchecked")
  static List<String> precheckViolations(Path catalog) throws IOException {
    Map<String, Object> document;
    try (InputStream in = Files.newInputStream(catalog)) {
      document = new Yaml().load(in);
    }
    Map<String, Map<String, Object>> procedures =
        (Map<String, Map<String, Object>>) ((Map<String, Object>) document.get("dr")).get("procedures");
    List<String> violations = new ArrayList<>();
    procedures.forEach((id, procedure) -> {
      List<Map<String, Object>> checks = (List<Map<String, Object>>) procedure.getOrDefault("prechecks", List.of());
      for (int i = 0; i < checks.size(); i++) {
        Map<String, Object> check = checks.get(i);
        String where = id + ".prechecks[" + i + "] (" + check.get("name") + "): ";
        String route = String.valueOf(check.get("route"));
        Map<String, String> inputs = new LinkedHashMap<>();
        ((Map<String, Object>) check.getOrDefault("inputs", Map.of()))
            .forEach((name, value) -> inputs.put(name, String.valueOf(value)));
        Optional<ConnectorContract> contract = CONTRACTS.contract(route);
        if (contract.isEmpty()) {
          violations.add(where + "route " + route + " has no contract (connectors/" + route + ".contract.yaml)");
        } else {
          contract.get().problems(inputs).forEach(problem -> violations.add(where + problem));
        }
      }
    });
    return violations;
  }

  /** The task's input parameters: text for a plain value, null for a list, map or script. */
  static Map<String, String> inputs(ServiceTask task) {
    Map<String, String> inputs = new LinkedHashMap<>();
    if (task.getExtensionElements() == null) {
      return inputs;
    }
    for (CamundaInputOutput io : task.getExtensionElements().getElementsQuery().filterByType(CamundaInputOutput.class)
        .list()) {
      for (CamundaInputParameter parameter : io.getCamundaInputParameters()) {
        boolean plain = parameter.getDomElement().getChildElements().isEmpty();
        inputs.put(parameter.getCamundaName(), plain ? parameter.getTextContent().strip() : null);
      }
    }
    return inputs;
  }

  private static String processOf(ModelElementInstance element) {
    ModelElementInstance parent = element.getParentElement();
    while (parent != null && !(parent instanceof Process)) {
      parent = parent.getParentElement();
    }
    return parent == null ? "?" : ((Process) parent).getId();
  }
}
