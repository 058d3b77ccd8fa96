package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.http.HttpRequestConnector;
import io.drrunbook.lab.faults.Fault;
import io.drrunbook.lab.faults.FaultRequest;
import io.drrunbook.lab.faults.LabFaultEffects;
import io.drrunbook.lab.faults.LabFaults;
import io.drrunbook.lab.model.LabModels;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Endpoint;
import io.drrunbook.topology.TopologyProperties.Site;
import io.drrunbook.topology.TopologyProperties;
import java.io.IOException;
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
 * Lab HTTP endpoints answering a model's API calls, reached through the real http-request connector
 * (JDK HTTP client): REST reads and writes change the lab state, SOAP answers, the generated
 * Authorization secret is required, and faults injected through the lab's fault registry (http-error,
 * soap-fault, slow, unreachable) reach the connector as the failures it reports.
 */
class LabHttpEndpointsTest {

  private static final String API = "site2.demo-api";

  @TempDir
  Path dir;

  private LabState state;
  private LabHttpEndpoints endpoints;
  private HttpRequestConnector connector;
  private TopologyProperties topology;
  private LabFaults faults;

  @BeforeEach
  void startEndpoint() {
    topology = new TopologyProperties();
    for (int n = 1; n <= 2; n++) {
      Site site = new Site();
      Endpoint endpoint = new Endpoint();
      endpoint.setUrl("http://127.0.0.1:1/api/v1");
      endpoint.setAuthorization("file:" + dir.resolve("secrets/site" + n + "-demo-api.authorization"));
      site.getEndpoints().put("demo-api", endpoint);
      topology.getSites().put("site" + n, site);
    }
    LabProperties lab = new LabProperties();
    lab.setDir(dir.resolve("lab"));
    lab.setEphemeralPorts(true);
    lab.getRoles().put(API, "demo-api");
    LabModels models = LabModels.load(List.of("classpath:lab/models/*.yaml", "classpath:lab-models/demo-api.yaml"))
        .checkReferences();
    Topology resolved = new Topology(topology);
    SecretResolver secrets = new SecretResolver(new SecretMasker());
    state = new LabState(lab, resolved, models, LabFixture.CLOCK);
    endpoints = new LabHttpEndpoints(lab, resolved, state, secrets);
    faults = new LabFaults(state::hosts, resolved, LabFixture.CLOCK);
    new LabFaultEffects(faults, state, endpoints);
    endpoints.start();
    connector = new HttpRequestConnector(resolved, secrets);
  }

  @AfterEach
  void stop() {
    endpoints.stop();
  }

  @Test
  void shouldChangeLabStateWhenConnectorPutsJson() throws Exception {
    Map<String, Object> put = connector.call(Map.of("endpoint", API, "method", "PUT", "path", "/widgets/widget",
        "body", "{\"state\": \"RUNNING\"}"));
    Map<String, Object> get = connector.call(Map.of("endpoint", API, "path", "/widgets/widget",
        "expectBody", "\"state\": \"RUNNING\""));

    assertThat(put).containsEntry("status", 204);
    assertThat(get).containsEntry("status", 200);
    assertThat(state.state(API, "widget")).isEqualTo("RUNNING");
    assertThat(state.actionCount(API, "put widget widget RUNNING")).isEqualTo(1);
    assertThat(state.commandLog(API)).extracting(LabState.CommandRecord::command)
        .containsExactly("PUT /widgets/widget", "GET /widgets/widget");
  }

  @Test
  void shouldRenderTheRequestWithoutSendingItWhenPlanned() {
    var plan = connector.plan("http-request", Map.of("endpoint", API, "method", "PUT", "path", "/widgets/widget",
        "body", "{\"state\": \"RUNNING\"}", "expectBody", "RUNNING"));

    assertThat(plan.actions()).singleElement().isEqualTo("http " + API + ": PUT "
        + new Topology(topology).endpoint(API).getUrl() + "/widgets/widget   (answer must match /RUNNING/)"
        + "\n  Content-Type: application/json"
        + "\n  Authorization: <the secret " + new Topology(topology).endpoint(API).getAuthorization() + ">"
        + "\n\n{\"state\": \"RUNNING\"}");
    assertThat(plan.targets()).extracting(Object::toString).containsExactly("endpoint " + API);
    assertThat(state.commandLog(API)).isEmpty();
    assertThat(state.state(API, "widget")).isEqualTo("STOPPED");
  }

  @Test
  void shouldRaiseRejectionWhenApiAnswers4xx() {
    assertThatThrownBy(() -> connector.call(Map.of("endpoint", API, "path", "/widgets/nope")))
        .isInstanceOf(StepBusinessException.class)
        .hasMessageContaining("HTTP 404")
        .hasMessageContaining("no widget nope");
    assertThatThrownBy(() -> connector.call(Map.of("endpoint", API, "method", "PUT", "path", "/widgets/widget", "body", "{}")))
        .isInstanceOf(StepBusinessException.class)
        .hasMessageContaining("HTTP 400");
    assertThat(state.state(API, "widget")).isEqualTo("STOPPED");
  }

  @Test
  void shouldAnswerSoapCallWhenActionMatches() throws Exception {
    Map<String, Object> result = connector.call(Map.of("endpoint", API, "path", "/soap",
        "soapAction", "urn:demo#GetStatus", "body", "<soapenv:Envelope/>"));

    assertThat(result.get("body").toString()).contains("<status>STOPPED</status>");
  }

  @Test
  void shouldRefuseRequestWhenAuthorizationIsMissing() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(topology.getSites().get("site2").getEndpoints().get("demo-api").getUrl()
            + "/widgets/widget")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void shouldFailTechnicallyWhenEndpointAnswers5xx() throws Exception {
    faults.add(new FaultRequest("http-error", API, null, null, null, null, null, 503, null));

    assertThatThrownBy(() -> connector.call(Map.of("endpoint", API, "path", "/widgets/widget")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("HTTP 503");
    faults.clear();
    assertThat(connector.call(Map.of("endpoint", API, "path", "/widgets/widget"))).containsEntry("status", 200);
  }

  @Test
  void shouldReportForcedLagWhenReplicationLagFaultIsSet() {
    faults.add(new FaultRequest("replication-lag", "site1-to-site2", null, null, null, null, 120L, null, null));

    assertThat(new io.drrunbook.lab.model.LabScope(state, API, Map.of()).lag("site1-to-site2")).isEqualTo(120);
    faults.clear();
    assertThat(state.lagOverride("site1-to-site2")).isEmpty();
  }

  @Test
  void shouldReportFaultStringWhenSoapFaultIsInjected() {
    faults.add(new FaultRequest("soap-fault", API, null, "Server busy <retry later>", null, null, null, null, null));

    assertThatThrownBy(() -> connector.call(Map.of("endpoint", API, "path", "/soap",
        "soapAction", "urn:demo#GetStatus", "body", "<x/>")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("SOAP Fault (HTTP 500): Server busy &lt;retry later&gt;");
  }

  @Test
  void shouldHitTimeLimitWhenEndpointIsSlow() {
    faults.add(new FaultRequest("slow", API, null, null, null, "PT3S", null, null, null));

    assertThatThrownBy(() -> connector.call(Map.of("endpoint", API, "path", "/widgets/widget", "timeoutSeconds", 1)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no answer within 1 s");
  }

  @Test
  void shouldRefuseConnectionWhenEndpointIsUnreachableAndAnswerAgainAfter() throws Exception {
    Fault down = faults.add(FaultRequest.of("unreachable", API));

    assertThatThrownBy(() -> connector.call(Map.of("endpoint", API, "path", "/widgets/widget")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("connection refused");

    faults.remove(down.id());
    assertThat(connector.call(Map.of("endpoint", API, "path", "/widgets/widget"))).containsEntry("status", 200);
  }
}
