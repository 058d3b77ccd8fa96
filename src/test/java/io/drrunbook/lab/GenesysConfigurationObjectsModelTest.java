package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model lab/models/genesys-configuration-objects.yaml over real HTTP (JDK client, the generated
 * Authorization secret): the initial state before the disaster, a GET after each write reflects it,
 * each write is counted, and refusals answer 400 / 404 / 409 with a JSON error, leaving the state as
 * it was.
 */
class GenesysConfigurationObjectsModelTest {

  private static final String API = ConfigApiLabFixture.API;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private ConfigApiLabFixture lab;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    lab = new ConfigApiLabFixture(dir);
  }

  @AfterEach
  void stop() {
    lab.close();
  }

  @Test
  void shouldServeStateBeforeDisasterWhenLabStarts() throws Exception {
    JsonNode gim = json(call("GET", "/api/v2/applications/GIM_Server", null), 200);

    assertThat(gim.get("type").asText()).isEqualTo("InfoMart");
    assertThat(gim.get("enabled").asBoolean()).isTrue();
    assertThat(gim.get("host").asText()).isEqualTo("gim.site1.genesys.lab");
    assertThat(gim.get("commandLine").asText()).isEqualTo("-host cs-mgmt.site1.genesys.lab -port 2020 -app GIM_Server");
    assertThat(names(gim.get("connections")))
        .containsExactly("ICON_Site1_Voice", "ICON_Site2_Voice", "DAP_IDB_Site1", "DAP_IDB_Site2", "DAP_InfoMart_Site1");
    assertThat(gim.at("/options/schedule/run-scheduler").asText()).isEqualTo("true");
    assertThat(gim.at("/options/schedule/run-aggregates").asText()).isEqualTo("true");
    JsonNode dap3 = json(call("GET", "/api/v2/applications/DAP_InfoMart_Site3", null), 200);
    assertThat(dap3.get("database").asText()).isEqualTo("site3.gim-db");
    assertThat(dap3.get("enabled").asBoolean()).isFalse();
    assertThat(json(call("GET", "/api/v2/applications/ICON_Site3_Voice", null), 200).get("enabled").asBoolean()).isFalse();
    assertThat(names(json(call("GET", "/api/v2/applications", null), 200).get("applications")))
        .hasSize(10).contains("GIM_Server", "ICON_Site3_Voice", "DAP_IDB_Site3", "DAP_InfoMart_Site2");
  }

  @Test
  void shouldReflectEveryWriteWhenReadAfterwards() throws Exception {
    assertThat(call("PUT", "/api/v2/applications/GIM_Server/host", "{\"host\": \"gim.site2.genesys.lab\"}").statusCode()).isEqualTo(204);
    assertThat(call("PUT", "/api/v2/applications/GIM_Server/command-line",
        "{\"commandLine\": \"-host cs-mgmt.site2.genesys.lab -port 2020 -app GIM_Server\"}").statusCode()).isEqualTo(204);
    assertThat(call("DELETE", "/api/v2/applications/GIM_Server/connections/DAP_InfoMart_Site1", null).statusCode()).isEqualTo(204);
    assertThat(call("POST", "/api/v2/applications/GIM_Server/connections", "{\"application\": \"DAP_InfoMart_Site2\"}").statusCode()).isEqualTo(201);
    assertThat(call("PUT", "/api/v2/applications/GIM_Server/options/schedule/run-scheduler", "{\"value\": false}").statusCode()).isEqualTo(204);
    assertThat(call("PUT", "/api/v2/applications/ICON_Site1_Voice/enabled", "{\"enabled\": false}").statusCode()).isEqualTo(204);
    assertThat(call("PUT", "/api/v2/applications/DAP_InfoMart_Site3/enabled", "{\"enabled\": \"true\"}").statusCode()).isEqualTo(204);

    JsonNode gim = json(call("GET", "/api/v2/applications/GIM_Server", null), 200);
    assertThat(gim.get("host").asText()).isEqualTo("gim.site2.genesys.lab");
    assertThat(gim.get("commandLine").asText()).contains("cs-mgmt.site2.genesys.lab");
    assertThat(names(gim.get("connections")))
        .containsExactly("ICON_Site1_Voice", "ICON_Site2_Voice", "DAP_IDB_Site1", "DAP_IDB_Site2", "DAP_InfoMart_Site2");
    assertThat(gim.at("/options/schedule/run-scheduler").asText()).isEqualTo("false");
    assertThat(gim.at("/options/schedule/run-aggregates").asText()).isEqualTo("true");
    assertThat(json(call("GET", "/api/v2/applications/ICON_Site1_Voice", null), 200).get("enabled").asBoolean()).isFalse();
    assertThat(json(call("GET", "/api/v2/applications/DAP_InfoMart_Site3", null), 200).get("enabled").asBoolean()).isTrue();
    assertThat(lab.state.state(API, "ICON_Site1_Voice")).isEqualTo("DISABLED");
    assertThat(lab.state.actionCounts(API)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "set-host GIM_Server gim.site2.genesys.lab", 1,
        "set-command-line GIM_Server", 1,
        "remove-connection GIM_Server DAP_InfoMart_Site1", 1,
        "add-connection GIM_Server DAP_InfoMart_Site2", 1,
        "set-option GIM_Server schedule/run-scheduler false", 1,
        "disable ICON_Site1_Voice", 1,
        "enable DAP_InfoMart_Site3", 1));
  }

  @Test
  void shouldRefuseWithoutChangeWhenRequestMakesNoSense() throws Exception {
    assertError(call("GET", "/api/v2/applications/GIM_Site9", null), 404, "no application GIM_Site9");
    assertError(call("PUT", "/api/v2/applications/GIM_Site9/host", "{\"host\": \"x\"}"), 404, "no application GIM_Site9");
    assertError(call("PUT", "/api/v2/applications/GIM_Server/host", "{}"), 400, "needs a host");
    assertError(call("PUT", "/api/v2/applications/GIM_Server/host", "not json"), 400, "needs a host");
    assertError(call("PUT", "/api/v2/applications/GIM_Server/options/schedule/run-scheduler", "{\"val\": 1}"), 400, "needs a value");
    assertError(call("PUT", "/api/v2/applications/GIM_Server/enabled", "{\"enabled\": \"maybe\"}"), 400, "enabled true or false");
    assertError(call("POST", "/api/v2/applications/GIM_Server/connections", "{\"application\": \"ICON_Site9\"}"), 409, "no application ICON_Site9");
    assertError(call("POST", "/api/v2/applications/GIM_Server/connections", "{\"application\": \"ICON_Site1_Voice\"}"), 409, "already connected");
    assertError(call("POST", "/api/v2/applications/GIM_Server/connections", "{\"application\": \"GIM_Server\"}"), 409, "itself");
    assertError(call("DELETE", "/api/v2/applications/GIM_Server/connections/DAP_InfoMart_Site2", null), 404, "no connection to DAP_InfoMart_Site2");

    assertThat(lab.state.attribute(API, "GIM_Server", "host")).isEqualTo("gim.site1.genesys.lab");
    assertThat((List<?>) lab.state.attribute(API, "GIM_Server", "connections")).hasSize(5);
    assertThat(lab.state.actionCounts(API)).isEmpty();
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(lab.url(API) + path))
        .header("Authorization", lab.authorization(API))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return JSON.readTree(response.body());
  }

  private static void assertError(HttpResponse<String> response, int status, String message) throws Exception {
    assertThat(json(response, status).get("error").asText()).contains(message);
  }

  private static List<String> names(JsonNode array) {
    List<String> names = new java.util.ArrayList<>();
    array.forEach(node -> names.add(node.asText()));
    return names;
  }
}
