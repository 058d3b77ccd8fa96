package io.drrunbook.connectors.genesys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.connectors.http.HttpRequestConnector;
import io.drrunbook.lab.ConfigApiLabFixture;
import io.drrunbook.lab.LabState;
import io.drrunbook.lab.faults.FaultRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The genesys-config connector against the lab's Genesys Configuration Server REST API (a real JDK
 * HTTP server answering the shipped model, with its generated Authorization secret), through the real
 * http-request connector: every operation changes the object as wanted and says what it was before,
 * a second run changes nothing and sends no write (counted once), refusals and unknown objects map to
 * DR_CONFIG_REJECTED or exists=false, an API that loses the write fails verification, 5xx is
 * technical, and the dry-run plan renders the requests without contacting the endpoint.
 */
class GenesysConfigConnectorTest {

  private static final String API = ConfigApiLabFixture.API;

  @TempDir
  Path dir;

  private ConfigApiLabFixture lab;
  private GenesysConfigConnector connector;

  @BeforeEach
  void start() {
    lab = new ConfigApiLabFixture(dir);
    connector = new GenesysConfigConnector(new HttpRequestConnector(lab.topology, lab.secrets), lab.topology);
  }

  @AfterEach
  void stop() {
    lab.close();
  }

  @Test
  void shouldReturnObjectWhenReadingExistingApplication() throws Exception {
    Map<String, Object> result = connector.call(inputs("GIM_Server", "read"));

    assertThat(result).containsEntry("exists", true).containsEntry("changed", false)
        .containsEntry("type", "InfoMart").containsEntry("enabled", true)
        .containsEntry("host", "gim.site1.genesys.lab")
        .containsEntry("commandLine", "-host cs-mgmt.site1.genesys.lab -port 2020 -app GIM_Server")
        .containsEntry("connections", List.of("ICON_Site1_Voice", "ICON_Site2_Voice", "DAP_IDB_Site1",
            "DAP_IDB_Site2", "DAP_InfoMart_Site1"));
    assertThat(result.get("current").toString()).contains("\"run-scheduler\":\"true\"");
    assertThat(connector.call(inputs("DAP_InfoMart_Site2", "read"))).containsEntry("database", "site2.gim-db");
  }

  @Test
  void shouldAnswerNotExistingWhenReadingUnknownApplication() throws Exception {
    Map<String, Object> result = connector.call(inputs("GIM_Site9", "read"));

    assertThat(result).containsEntry("exists", false).containsEntry("changed", false)
        .containsEntry("previous", "").containsEntry("current", "");
    assertThat(lab.state.commandLog(API)).extracting(LabState.CommandRecord::command, LabState.CommandRecord::exitCode)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("GET /api/v2/applications/GIM_Site9", 404));
  }

  @Test
  void shouldRejectChangeWhenApplicationIsUnknown() {
    assertThatThrownBy(() -> connector.call(inputs("GIM_Site9", "enable")))
        .isInstanceOfSatisfying(StepBusinessException.class,
            e -> assertThat(e.errorCode()).isEqualTo("DR_CONFIG_REJECTED"))
        .hasMessageContaining("HTTP 404")
        .hasMessageContaining("no application GIM_Site9");
  }

  @Test
  void shouldSetHostOnceWhenStepRunsTwice() throws Exception {
    Map<String, Object> first = connector.call(inputs("GIM_Server", "set-host", "host", "site2.gim"));
    Map<String, Object> second = connector.call(inputs("GIM_Server", "set-host", "host", "site2.gim"));

    assertThat(first).containsEntry("changed", true).containsEntry("previous", "gim.site1.genesys.lab")
        .containsEntry("current", "gim.site2.genesys.lab").containsEntry("operation", "set-host")
        .containsEntry("application", "GIM_Server");
    assertThat(second).containsEntry("changed", false).containsEntry("previous", "gim.site2.genesys.lab")
        .containsEntry("current", "gim.site2.genesys.lab");
    assertThat(lab.state.attribute(API, "GIM_Server", "host")).isEqualTo("gim.site2.genesys.lab");
    assertThat(lab.state.actionCounts(API)).containsExactly(Map.entry("set-host GIM_Server gim.site2.genesys.lab", 1));
    assertThat(lab.state.commandLog(API)).extracting(LabState.CommandRecord::command).containsExactly(
        "GET /api/v2/applications/GIM_Server", "PUT /api/v2/applications/GIM_Server/host",
        "GET /api/v2/applications/GIM_Server", "GET /api/v2/applications/GIM_Server");
  }

  @Test
  void shouldWriteHostNamesIntoCommandLineWhenItNamesLogicalHosts() throws Exception {
    Map<String, Object> inputs = inputs("GIM_Server", "set-command-line",
        "commandLine", "-host {hostname:site2.cs-mgmt} -port 2020 -app GIM_Server");

    Map<String, Object> first = connector.call(inputs);
    Map<String, Object> second = connector.call(inputs);

    assertThat(first).containsEntry("changed", true)
        .containsEntry("previous", "-host cs-mgmt.site1.genesys.lab -port 2020 -app GIM_Server")
        .containsEntry("current", "-host cs-mgmt.site2.genesys.lab -port 2020 -app GIM_Server");
    assertThat(second).containsEntry("changed", false);
    assertThat(lab.state.attribute(API, "GIM_Server", "commandLine"))
        .isEqualTo("-host cs-mgmt.site2.genesys.lab -port 2020 -app GIM_Server");
    assertThat(lab.state.actionCount(API, "set-command-line GIM_Server")).isEqualTo(1);
  }

  @Test
  void shouldMoveConnectionsToSite2WhenRemovingAndAddingTwice() throws Exception {
    Map<String, Object> remove = inputs("GIM_Server", "remove-connection",
        "connection", "ICON_Site1_Voice, DAP_IDB_Site1,DAP_InfoMart_Site1");
    Map<String, Object> add = inputs("GIM_Server", "add-connection", "connection", "DAP_InfoMart_Site2");

    Map<String, Object> removed = connector.call(remove);
    Map<String, Object> added = connector.call(add);
    Map<String, Object> removedAgain = connector.call(remove);
    Map<String, Object> addedAgain = connector.call(add);

    assertThat(removed).containsEntry("changed", true)
        .containsEntry("previous", "ICON_Site1_Voice, ICON_Site2_Voice, DAP_IDB_Site1, DAP_IDB_Site2, DAP_InfoMart_Site1")
        .containsEntry("current", "ICON_Site2_Voice, DAP_IDB_Site2");
    assertThat(added).containsEntry("changed", true)
        .containsEntry("current", "ICON_Site2_Voice, DAP_IDB_Site2, DAP_InfoMart_Site2");
    assertThat(removedAgain).containsEntry("changed", false);
    assertThat(addedAgain).containsEntry("changed", false);
    assertThat(lab.state.attribute(API, "GIM_Server", "connections"))
        .isEqualTo(List.of("ICON_Site2_Voice", "DAP_IDB_Site2", "DAP_InfoMart_Site2"));
    assertThat(lab.state.actionCounts(API)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "remove-connection GIM_Server ICON_Site1_Voice", 1,
        "remove-connection GIM_Server DAP_IDB_Site1", 1,
        "remove-connection GIM_Server DAP_InfoMart_Site1", 1,
        "add-connection GIM_Server DAP_InfoMart_Site2", 1));
  }

  @Test
  void shouldAddOnlyMissingConnectionsWhenSomeAreThere() throws Exception {
    Map<String, Object> result = connector.call(inputs("GIM_Server", "add-connection",
        "connection", "ICON_Site2_Voice,ICON_Site3_Voice"));

    assertThat(result).containsEntry("changed", true).containsEntry("current",
        "ICON_Site1_Voice, ICON_Site2_Voice, DAP_IDB_Site1, DAP_IDB_Site2, DAP_InfoMart_Site1, ICON_Site3_Voice");
    assertThat(lab.state.actionCounts(API)).containsExactly(Map.entry("add-connection GIM_Server ICON_Site3_Voice", 1));
  }

  @Test
  void shouldRejectConnectionWhenApplicationIsUnknownAndKeepConnections() {
    assertThatThrownBy(() -> connector.call(inputs("GIM_Server", "add-connection", "connection", "DAP_InfoMart_Site9")))
        .isInstanceOfSatisfying(StepBusinessException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("DR_CONFIG_REJECTED");
          assertThat(e.result()).containsEntry("status", 409);
        })
        .hasMessageContaining("POST site2.config-api /api/v2/applications/GIM_Server/connections was refused: HTTP 409")
        .hasMessageContaining("no application DAP_InfoMart_Site9");
    assertThat((List<?>) lab.state.attribute(API, "GIM_Server", "connections")).hasSize(5);
    assertThat(lab.state.actionCounts(API)).isEmpty();
  }

  @Test
  void shouldSetOptionOnceWhenStepRunsTwice() throws Exception {
    Map<String, Object> inputs = inputs("GIM_Server", "set-option",
        "section", "schedule", "option", "run-scheduler", "value", "false");

    Map<String, Object> first = connector.call(inputs);
    Map<String, Object> second = connector.call(inputs);

    assertThat(first).containsEntry("changed", true).containsEntry("previous", "true").containsEntry("current", "false");
    assertThat(second).containsEntry("changed", false).containsEntry("current", "false");
    assertThat(lab.state.attribute(API, "GIM_Server", "options"))
        .isEqualTo(Map.of("schedule", Map.of("run-scheduler", "false", "run-aggregates", "true")));
    assertThat(lab.state.actionCount(API, "set-option GIM_Server schedule/run-scheduler false")).isEqualTo(1);
  }

  @Test
  void shouldEnableAndDisableOnceWhenStepsRunTwice() throws Exception {
    Map<String, Object> enabled = connector.call(inputs("DAP_InfoMart_Site3", "enable"));
    Map<String, Object> disabled = connector.call(inputs("ICON_Site1_Voice", "disable"));
    Map<String, Object> enabledAgain = connector.call(inputs("DAP_InfoMart_Site3", "enable"));
    Map<String, Object> disabledAgain = connector.call(inputs("ICON_Site1_Voice", "disable"));

    assertThat(enabled).containsEntry("changed", true).containsEntry("previous", "disabled").containsEntry("current", "enabled");
    assertThat(disabled).containsEntry("changed", true).containsEntry("previous", "enabled").containsEntry("current", "disabled");
    assertThat(enabledAgain).containsEntry("changed", false);
    assertThat(disabledAgain).containsEntry("changed", false);
    assertThat(lab.state.state(API, "DAP_InfoMart_Site3")).isEqualTo("ENABLED");
    assertThat(lab.state.state(API, "ICON_Site1_Voice")).isEqualTo("DISABLED");
    assertThat(lab.state.actionCounts(API)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "enable DAP_InfoMart_Site3", 1, "disable ICON_Site1_Voice", 1));
  }

  @Test
  void shouldFailVerificationWhenApiLosesTheWrite() {
    Map<String, Object> inputs = inputs("GIM_Server", "set-host", "host", "site2.gim");
    inputs.put("endpoint", ConfigApiLabFixture.LOSSY_API);

    assertThatThrownBy(() -> connector.call(inputs))
        .isInstanceOfSatisfying(StepBusinessException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("DR_VERIFY_FAILED");
          assertThat(e.result()).containsEntry("previous", "gim.site1.genesys.lab")
              .containsEntry("current", "gim.site1.genesys.lab").containsEntry("changed", true);
        })
        .hasMessageContaining("wanted host = gim.site2.genesys.lab");
    assertThat(lab.state.actionCount(ConfigApiLabFixture.LOSSY_API, "set-host GIM_Server (lost)")).isEqualTo(1);
  }

  @Test
  void shouldFailTechnicallyWhenApiAnswers5xx() throws Exception {
    lab.faults.add(new FaultRequest("http-error", API, null, null, null, null, null, 503, null));

    assertThatThrownBy(() -> connector.call(inputs("GIM_Server", "set-host", "host", "site2.gim")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("HTTP 503");
    lab.faults.clear();
    assertThat(lab.state.attribute(API, "GIM_Server", "host")).isEqualTo("gim.site1.genesys.lab");
  }

  @Test
  void shouldRefuseInputsWhenOperationOrHostIsUnknown() {
    assertThatThrownBy(() -> connector.call(inputs("GIM_Server", "rename")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operation 'rename' is not one of [read, set-host");
    assertThatThrownBy(() -> connector.call(inputs("GIM_Server", "set-host", "host", "site9.gim")))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("unknown site 'site9'");
    assertThatThrownBy(() -> connector.call(inputs("GIM_Server", "add-connection", "connection", " , ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'connection' names no application");
    assertThat(lab.state.commandLog(API)).isEmpty();
  }

  @Test
  void shouldRenderRequestsWithoutContactWhenPlanning() {
    String secret = lab.authorization(API);
    String url = lab.url(API);

    StepPlan plan = connector.plan("genesys-config", inputs("GIM_Server", "set-host", "host", "site2.gim"));
    StepPlan connections = connector.plan("genesys-config", inputs("GIM_Server", "remove-connection",
        "connection", "ICON_Site1_Voice,DAP_IDB_Site1"));

    assertThat(plan.actions()).hasSize(3);
    assertThat(plan.actions().get(0)).startsWith("http site2.config-api: GET " + url + "/api/v2/applications/GIM_Server")
        .contains("check: nothing is sent when it is already host = gim.site2.genesys.lab");
    assertThat(plan.actions().get(1)).isEqualTo("http site2.config-api: PUT " + url + "/api/v2/applications/GIM_Server/host"
        + "\n  Content-Type: application/json"
        + "\n  Authorization: <the secret " + lab.topology.endpoint(API).getAuthorization() + ">"
        + "\n\n{\"host\":\"gim.site2.genesys.lab\"}");
    assertThat(plan.actions().get(2)).contains("verify: it must be host = gim.site2.genesys.lab");
    assertThat(connections.actions()).extracting(a -> a.lines().findFirst().orElseThrow()).containsExactly(
        "http site2.config-api: GET " + url + "/api/v2/applications/GIM_Server   (check: nothing is sent when it is already not connected to ICON_Site1_Voice, DAP_IDB_Site1)",
        "http site2.config-api: DELETE " + url + "/api/v2/applications/GIM_Server/connections/ICON_Site1_Voice",
        "http site2.config-api: DELETE " + url + "/api/v2/applications/GIM_Server/connections/DAP_IDB_Site1",
        "http site2.config-api: GET " + url + "/api/v2/applications/GIM_Server   (verify: it must be not connected to ICON_Site1_Voice, DAP_IDB_Site1)");
    assertThat(plan.targets()).containsExactly(new StepPlan.Target(TargetKind.ENDPOINT, API));
    assertThat(plan.result()).containsEntry("changed", true).containsEntry("current", "host = gim.site2.genesys.lab");
    assertThat(String.join("\n", plan.actions()) + String.join("\n", connections.actions())).doesNotContain(secret);
    assertThat(connector.plannedRoutes()).containsExactly("genesys-config");
    assertThat(lab.state.commandLog(API)).isEmpty();
  }

  @Test
  void shouldReturnResultMapWhenRouteFileCallsTheBean() throws Exception {
    CamelContext camel = new DefaultCamelContext();
    try {
      camel.getRegistry().bind("genesysConfig", connector);
      PluginHelper.getRoutesLoader(camel).loadRoutes(
          ResourceHelper.resolveMandatoryResource(camel, "classpath:connectors/genesys-config.camel.yaml"));
      camel.start();

      @SuppressWarnings("unchecked")
      Map<String, Object> result = camel.createProducerTemplate().requestBody("direct:genesys-config",
          inputs("GIM_Server", "set-option", "section", "schedule", "option", "run-aggregates", "value", "false"), Map.class);

      assertThat(camel.getRoute("genesys-config")).isNotNull();
      assertThat(result).containsEntry("changed", true).containsEntry("current", "false");
    } finally {
      camel.stop();
    }
  }

  private static Map<String, Object> inputs(String application, String operation, String... more) {
    Map<String, Object> inputs = new HashMap<>();
    inputs.put("route", "genesys-config");
    inputs.put("endpoint", API);
    inputs.put("application", application);
    inputs.put("operation", operation);
    for (int i = 0; i < more.length; i += 2) {
      inputs.put(more[i], more[i + 1]);
    }
    return inputs;
  }
}
