package io.drrunbook.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The connector contracts ({@code connectors/*.contract.yaml}): one per route file, well-formed, a
 * malformed one refused with a message naming file and field, and the artifacts made from them
 * ({@link ContractArtifacts}: README table, route file headers, element templates) up to date.
 * After changing a contract, write the artifacts anew with
 * {@code mvn -q -B -Dtest=ConnectorContractsTest -Ddr.contracts.write=true test}.
 */
class ConnectorContractsTest {

  static final Path CONNECTORS = Path.of("connectors");
  static final Path TEMPLATES = CONNECTORS.resolve("element-templates");
  static final boolean WRITE = Boolean.getBoolean("dr.contracts.write");
  static final Pattern ROUTE_ID = Pattern.compile("(?m)^\\s*-?\\s*route:\\s*\\n\\s+id:\\s*(\\S+)");

  static ConnectorContracts shipped() {
    return ConnectorContracts.load("file:connectors/*.contract.yaml");
  }

  @Test
  void shouldFindOneContractPerRouteFileWhenLoadedFromWhereTheRoutesAreLoaded() throws IOException {
    ConnectorContracts contracts = new ConnectorContracts("classpath:connectors/*.camel.yaml");

    Map<String, Path> routeFiles = routeFiles();
    assertThat(contracts.all().keySet()).containsExactlyElementsOf(routeFiles.keySet());
    for (Map.Entry<String, Path> route : routeFiles.entrySet()) {
      assertThat(routeId(route.getValue())).as("route id in %s", route.getValue()).isEqualTo(route.getKey());
    }
    assertThat(contracts.all()).isEqualTo(shipped().all());
  }

  @Test
  void shouldLookNextToTheRoutesWhenTheRoutesIncludePatternIsRead() {
    assertThat(ConnectorContracts.contractPatterns("classpath:connectors/*.camel.yaml, file:/opt/dr/routes/*.camel.yaml"))
        .containsExactly("classpath:connectors/*.contract.yaml", "file:/opt/dr/routes/*.contract.yaml");
    assertThatThrownBy(() -> ConnectorContracts.contractPatterns("classpath:routes/*.xml"))
        .hasMessageContaining("has no pattern ending in .camel.yaml");
  }

  @Test
  void shouldStopTheStartWhenAContractNextToTheRoutesIsMalformed() {
    assertThatThrownBy(() -> new ConnectorContracts("classpath:contracts/broken/*.camel.yaml"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("connector contract broken-route.contract.yaml: inputs[1].type 'text' is not one of string,"
            + " integer, boolean");
  }

  @Test
  void shouldNameTheFileAndFieldWhenAContractIsMalformed() {
    String valid = """
        route: x-y
        title: X
        description: does y
        inputs:
          - name: operation
            type: string
            required: true
            description: what
            allowedValues: [read, write]
        outputs: []
        errors: []
        readOnly: { input: operation, values: [read] }
        config: []
        """;
    assertThat(parse("x-y.contract.yaml", valid).readOnly().describe()).isEqualTo("operation read");
    assertThat(problem("x-z.contract.yaml", valid))
        .isEqualTo("connector contract x-z.contract.yaml: route 'x-y' does not match the file name (expected x-y.contract.yaml)");
    assertThat(problem("x-y.contract.yaml", valid.replace("title: X", "titel: X")))
        .startsWith("connector contract x-y.contract.yaml: unknown field titel (known: [");
    assertThat(problem("x-y.contract.yaml", valid.replace("readOnly: { input: operation, values: [read] }\n", "")))
        .startsWith("connector contract x-y.contract.yaml: readOnly is missing");
    assertThat(problem("x-y.contract.yaml", valid.replace("readOnly: { input: operation, values: [read] }",
        "readOnly: sometimes")))
        .startsWith("connector contract x-y.contract.yaml: readOnly 'sometimes' is not always, never");
    assertThat(problem("x-y.contract.yaml", valid.replace("values: [read] }", "values: [look] }")))
        .isEqualTo("connector contract x-y.contract.yaml: readOnly values [look] are not all allowed values of"
            + " operation [read, write]");
    assertThat(problem("x-y.contract.yaml", valid.replace("{ input: operation, values: [read] }",
        "{ catalog: recipes, input: operation }")))
        .isEqualTo("connector contract x-y.contract.yaml: readOnly.catalog 'recipes' is not one of [commands, sql-statements]");
    assertThat(problem("x-y.contract.yaml", valid.replace("required: true", "required: yes please")))
        .isEqualTo("connector contract x-y.contract.yaml: inputs[0].required is 'yes please', not true or false");
    assertThat(problem("x-y.contract.yaml", valid.replace("required: true",
        "requiredWhen: { input: mode, values: [a] }")))
        .isEqualTo("connector contract x-y.contract.yaml: inputs: operation.requiredWhen names input mode, which is"
            + " not declared");
    assertThat(problem("x-y.contract.yaml", valid.replace("errors: []", "errors: [{ code: FAILED, when: always }]")))
        .isEqualTo("connector contract x-y.contract.yaml: errors[0].code 'FAILED' is not a BPMN error code (DR_<REASON>)");
    assertThat(problem("x-y.contract.yaml", "route: [x"))
        .startsWith("connector contract x-y.contract.yaml is not YAML: ");
  }

  @Test
  void shouldDecideReadOnlyAsTheContractsSayWhenInputsAreGiven() {
    ConnectorContracts contracts = shipped();

    assertThat(readsOnly(contracts, "dns-resolve", Map.of("record", "r"))).isTrue();
    assertThat(readsOnly(contracts, "dns-switch-a-record", Map.of("record", "r"))).isFalse();
    assertThat(readsOnly(contracts, "goldengate", Map.of("operation", "lag"))).isTrue();
    assertThat(readsOnly(contracts, "goldengate", Map.of("operation", "stop"))).isFalse();
    assertThat(readsOnly(contracts, "goldengate", Map.of())).isFalse();
    assertThat(readsOnly(contracts, "http-request", Map.of())).isTrue();
    assertThat(readsOnly(contracts, "http-request", Map.of("method", "PUT"))).isFalse();
    assertThat(contracts.contract("ssh-exec").orElseThrow().readOnly().readsOnly(Map.of())).isEmpty();
    assertThat(contracts.readingRoutes()).doesNotContain("dns-switch-a-record").contains("ssh-exec", "topology-lookup");
  }

  @Test
  void shouldMatchTheContractsWhenTheReadmeTableIsRead() throws IOException {
    Path readme = CONNECTORS.resolve("README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    String expected = ContractArtifacts.withReadmeTable(text, ContractArtifacts.readmeTable(shipped().all().values()));
    if (WRITE) {
      Files.writeString(readme, expected, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(readme, StandardCharsets.UTF_8))
        .as("connectors/README.md table is stale; run " + ContractArtifacts.REGENERATE).isEqualTo(expected);
  }

  @Test
  void shouldStartWithTheContractsHeaderWhenARouteFileIsRead() throws IOException {
    List<String> stale = new ArrayList<>();
    for (ConnectorContract contract : shipped().all().values()) {
      Path file = CONNECTORS.resolve(contract.route() + ".camel.yaml");
      String text = Files.readString(file, StandardCharsets.UTF_8);
      String expected = ContractArtifacts.withRouteHeader(text, ContractArtifacts.routeHeader(contract));
      if (WRITE && !text.equals(expected)) {
        Files.writeString(file, expected, StandardCharsets.UTF_8);
      } else if (!text.equals(expected)) {
        stale.add(file.toString());
      }
    }
    assertThat(stale).as("route file headers are stale; run " + ContractArtifacts.REGENERATE).isEmpty();
  }

  @Test
  void shouldMatchTheContractsWhenTheElementTemplatesAreRead() throws IOException {
    ConnectorContracts contracts = shipped();
    if (WRITE) {
      Files.createDirectories(TEMPLATES);
    }
    List<String> stale = new ArrayList<>();
    for (ConnectorContract contract : contracts.all().values()) {
      Path file = TEMPLATES.resolve(contract.route() + ".json");
      String expected = ContractArtifacts.elementTemplate(contract);
      String text = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
      if (WRITE && !text.equals(expected)) {
        Files.writeString(file, expected, StandardCharsets.UTF_8);
      } else if (!text.equals(expected)) {
        stale.add(file.toString());
      }
    }
    try (Stream<Path> files = Files.list(TEMPLATES)) {
      files.filter(file -> !contracts.contract(file.getFileName().toString().replaceFirst("\\.json$", "")).isPresent())
          .forEach(file -> stale.add(file + " (no contract)"));
    }
    assertThat(stale).as("element templates are stale; run " + ContractArtifacts.REGENERATE).isEmpty();
  }

  @Test
  void shouldBindEveryInputAndOutputWhenATemplateIsMade() throws IOException {
    ConnectorContract goldengate = shipped().contract("goldengate").orElseThrow();
    JsonNode template = new ObjectMapper().readTree(ContractArtifacts.elementTemplate(goldengate));

    assertThat(template.path("id").asText()).isEqualTo("io.drrunbook.connectors.goldengate");
    assertThat(template.path("version").asInt()).isEqualTo(1);
    assertThat(template.path("appliesTo").toString()).isEqualTo("[\"bpmn:ServiceTask\"]");
    Map<String, JsonNode> byBinding = new TreeMap<>();
    for (JsonNode property : template.path("properties")) {
      JsonNode binding = property.path("binding");
      byBinding.put(binding.path("type").asText() + ":" + binding.path(binding.has("source") ? "source" : "name")
          .asText(), property);
    }
    assertThat(byBinding.get("property:camunda:type").path("value").asText()).isEqualTo("external");
    assertThat(byBinding.get("property:camunda:topic").path("value").asText()).isEqualTo("dr-step");
    assertThat(byBinding.get("camunda:inputParameter:route").path("type").asText()).isEqualTo("Hidden");
    assertThat(byBinding.get("camunda:inputParameter:route").path("value").asText()).isEqualTo("goldengate");
    for (ConnectorContract.Input input : goldengate.inputs()) {
      assertThat(byBinding).as("binding of input %s", input.name()).containsKey("camunda:inputParameter:" + input.name());
    }
    JsonNode host = byBinding.get("camunda:inputParameter:host");
    assertThat(host.path("constraints").path("notEmpty").asBoolean()).isTrue();
    assertThat(host.has("optional")).isFalse();
    JsonNode operation = byBinding.get("camunda:inputParameter:operation");
    assertThat(operation.path("type").asText()).isEqualTo("Dropdown");
    assertThat(operation.path("choices").findValuesAsText("value"))
        .containsExactlyElementsOf(goldengate.input("operation").orElseThrow().allowedValues());
    JsonNode type = byBinding.get("camunda:inputParameter:type");
    assertThat(type.path("optional").asBoolean()).isTrue();
    assertThat(type.path("choices").findValuesAsText("value")).containsExactly("", "extract", "pump", "replicat");
    assertThat(byBinding).containsKey("camunda:outputParameter:${lagSeconds}");
  }

  private static Boolean readsOnly(ConnectorContracts contracts, String route, Map<String, String> inputs) {
    return contracts.contract(route).orElseThrow().readOnly().readsOnly(inputs).orElseThrow();
  }

  private static ConnectorContract parse(String file, String text) {
    return ConnectorContracts.parse(file, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String problem(String file, String text) {
    try {
      parse(file, text);
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
    throw new AssertionError(file + " was accepted:\n" + text);
  }

  private static Map<String, Path> routeFiles() throws IOException {
    try (Stream<Path> files = Files.list(CONNECTORS)) {
      Map<String, Path> routes = new TreeMap<>();
      files.filter(file -> file.toString().endsWith(".camel.yaml"))
          .forEach(file -> routes.put(file.getFileName().toString().replaceFirst("\\.camel\\.yaml$", ""), file));
      assertThat(routes).isNotEmpty();
      return routes;
    }
  }

  private static String routeId(Path file) throws IOException {
    Matcher matcher = ROUTE_ID.matcher(Files.readString(file, StandardCharsets.UTF_8));
    return matcher.find() ? matcher.group(1) : null;
  }
}
