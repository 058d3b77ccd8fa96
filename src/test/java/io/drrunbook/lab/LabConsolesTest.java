package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * The lab's console actions ({@code /lab/api/consoles}, model {@code actions}): listed per host and
 * component as offered now, acted as a person would (state changed as the model says, counted once,
 * in the command log), refused with a problem document: 404 naming what is unknown, 409 naming the
 * state an action is not allowed in (nothing changes). The Omnichannel Database servers' Mirror
 * Monitor answers over HTTP what the console actions did.
 */
@DrillContext
class LabConsolesTest {

  @Autowired TestRestTemplate http;
  @Autowired Lab lab;
  @Autowired Topology topology;
  @Autowired SecretResolver secrets;

  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  @AfterEach
  void resetLab() {
    lab.reset();
  }

  @Test
  void shouldListEachComponentsConsoleActionsWithWhetherTheyAreAllowedNow() throws Exception {
    ResponseEntity<String> listed = http.withBasicAuth("oceana", "oceana").getForEntity("/lab/api/consoles", String.class);
    assertThat(listed.getStatusCode()).as(listed.getBody()).isEqualTo(HttpStatus.OK);
    JsonNode consoles = json.readTree(listed.getBody());
    JsonNode clusterGroup = component(consoles, "site1.oceana-manager", "cluster-group");
    assertThat(clusterGroup.path("state").asText()).isEqualTo("ACTIVE");
    JsonNode standby = action(clusterGroup, "set-standby");
    assertThat(standby.path("title").asText()).isEqualTo("Set Cluster Group to Standby");
    assertThat(standby.path("seed").asText()).startsWith("seed 002 L1114");
    assertThat(standby.path("allowed").asBoolean()).isTrue();
    JsonNode active = action(clusterGroup, "set-active");
    assertThat(active.path("allowed").asBoolean()).isFalse();
    assertThat(active.path("refusal").asText()).isEqualTo("allowed in STANDBY");
    // the standby must leave the mirror before the DC2 server is promoted with Cache up on both
    JsonNode promote = action(component(consoles, "site2.ocdb-async", "mirror"), "switchover-cache-up-on-both-servers");
    assertThat(promote.path("allowed").asBoolean()).isFalse();
    assertThat(promote.path("refusal").asText()).contains("the standby site1.ocdb-standby is still in the mirror");
    assertThat(lab.state().state("site2.smgr", "cluster1-node1")).isEqualTo("Managed by Primary");
    // the dashboard's view carries the same actions on its components
    JsonNode view = json.readTree(http.withBasicAuth("operator", "operator").getForEntity("/lab/api/state", String.class).getBody());
    assertThat(view.toString()).contains("\"name\":\"set-standby\",\"title\":\"Set Cluster Group to Standby\"");
  }

  @Test
  void shouldChangeTheLabAndCountEachActionOnceWhenAPersonActs() throws Exception {
    ResponseEntity<String> acted = post("oceana", "/lab/api/consoles/site1.oceana-manager/cluster-group/set-standby");
    assertThat(acted.getStatusCode()).as(acted.getBody()).isEqualTo(HttpStatus.OK);
    assertThat(json.readTree(acted.getBody()).path("after").path("state").asText()).isEqualTo("STANDBY");
    LabState state = lab.state();
    assertThat(state.state("site1.oceana-manager", "cluster-group")).isEqualTo("STANDBY");
    assertThat(state.attribute("site1.oceana-manager", "cluster-group", "nodeMode")).isEqualTo("Deny New Service");
    assertThat(state.actionCount("site1.oceana-manager", "console cluster-group set-standby")).isEqualTo(1);
    assertThat(state.commandLog("site1.oceana-manager")).extracting(LabState.CommandRecord::command)
        .containsExactly("console cluster-group set-standby by oceana");

    // System Manager's switchover checklist: the Breeze nodes are then managed by the Secondary
    post("oceana", "/lab/api/consoles/site1.smgr/geo-redundancy/disable-replication");
    post("oceana", "/lab/api/consoles/site1.smgr/system-manager/shut-down");
    assertThat(state.state("site1.smgr", "cluster1-node1")).isEqualTo("Managed by Primary");
    post("oceana", "/lab/api/consoles/site2.smgr/system-manager/activate");
    assertThat(state.state("site1.smgr", "cluster1-node1")).isEqualTo("Managed by Secondary");
    assertThat(state.state("site2.smgr", "cluster3-node1")).isEqualTo("Managed by Secondary");
    // an action with steps of its own (an attribute, not the state)
    post("oceana", "/lab/api/consoles/site2.control-manager/ha-service/set-manual");
    assertThat(state.attribute("site2.control-manager", "ha-service", "startupType")).isEqualTo("Manual");
    assertThat(post("oceana", "/lab/api/consoles/site2.control-manager/ha-service/set-manual").getStatusCode())
        .isEqualTo(HttpStatus.CONFLICT);
    // the manual Control Manager switchover's file: System32's copy edited, Syswow64's follows (L1692-1693)
    post("oceana", "/lab/api/consoles/site2.control-manager/nav360-config/point-to-secondary");
    assertThat(state.component("site2.control-manager", "nav360-config").attributes())
        .containsEntry("system32", "secondary database").containsEntry("syswow64", "secondary database");
    assertThat(state.state("site2.control-manager", "nav360-config")).isEqualTo("secondary database");
    assertThat(state.state("site2.control-manager", "audit-log")).isEqualTo("STOPPED");
    post("oceana", "/lab/api/consoles/site2.control-manager/audit-log/start-service");
    assertThat(state.state("site2.control-manager", "audit-log")).isEqualTo("RUNNING");
    assertThat(state.actionCounts("site2.control-manager")).containsOnlyKeys("console ha-service set-manual",
        "console nav360-config point-to-secondary", "console audit-log start-service");
  }

  @Test
  void shouldRefuseWithAProblemNamingWhatIsUnknownOrTheStateAnActionIsNotAllowedIn() throws Exception {
    assertProblem(post("oceana", "/lab/api/consoles/site9.nothing/cluster-group/set-standby"), HttpStatus.NOT_FOUND, "host");
    assertProblem(post("oceana", "/lab/api/consoles/site1.oceana-manager/no-such/set-standby"), HttpStatus.NOT_FOUND, "component");
    assertProblem(post("oceana", "/lab/api/consoles/site1.oceana-manager/cluster-group/explode"), HttpStatus.NOT_FOUND, "action");

    ResponseEntity<String> refused = post("oceana", "/lab/api/consoles/site1.oceana-manager/cluster-group/set-active");
    JsonNode problem = assertProblem(refused, HttpStatus.CONFLICT, "state");
    assertThat(problem.path("detail").asText()).isEqualTo("'Set Cluster Group to Active' (set-active) is not allowed on"
        + " site1.oceana-manager cluster-group in state ACTIVE: allowed in STANDBY");
    assertThat(problem.path("state").asText()).isEqualTo("ACTIVE");
    // Demote to Async needs Cache running (seed "Once the Cache is up")
    lab.state().set("site1.ocdb-active", "mirror", null, "FORMER PRIMARY");
    lab.state().set("site1.ocdb-active", "cache", null, "STOPPED");
    assertThat(assertProblem(post("dba", "/lab/api/consoles/site1.ocdb-active/mirror/demote-to-async"),
        HttpStatus.CONFLICT, "state").path("detail").asText())
        .endsWith("in state FORMER PRIMARY: Cache is not running on site1.ocdb-active: start Cache first (seed L1271 \"Once the Cache is up\")");
    assertThat(lab.state().state("site1.oceana-manager", "cluster-group")).isEqualTo("ACTIVE");
    assertThat(lab.state().actionCounts("site1.oceana-manager")).isEmpty();
    assertThat(lab.state().commandLog("site1.oceana-manager")).extracting(LabState.CommandRecord::exitCode).containsExactly(409);

    // a lost data center's consoles do not answer
    lab.sites().down("site2", "test");
    assertThat(assertProblem(post("oceana", "/lab/api/consoles/site2.oceana-manager/cluster-group/set-active"),
        HttpStatus.CONFLICT, "state").path("detail").asText()).contains("site2 is down");
    assertThat(lab.state().state("site2.oceana-manager", "cluster-group")).isEqualTo("STANDBY");
    // unauthenticated: no action
    assertThat(http.postForEntity("/lab/api/consoles/site1.oceana-manager/cluster-group/set-standby", null, String.class)
        .getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
  }

  @Test
  void shouldLetTheAgentsLeaveOnlyDrainedQueuesAndLogInOnlyWhereTheClustersAreActiveWhenTheyMoveToDc2() throws Exception {
    LabState state = lab.state();
    assertThat(state.state("site1.workspaces", "voice-queue")).isEqualTo("contacts queued");
    assertThat(state.state("site2.workspaces", "voice-queue")).isEqualTo("0 contacts");
    // the agents stay while a queue of their data center still has contacts (seed L961-967)
    assertThat(assertProblem(post("oceana", "/lab/api/consoles/site1.workspaces/agents/log-out"), HttpStatus.CONFLICT,
        "state").path("detail").asText()).endsWith("contacts are still queued on this data center: the agents work them off first (seed L961-967)");
    for (String channel : new String[] {"voice", "email", "chat", "sms", "social", "web-voice", "web-video"}) {
      assertThat(post("oceana", "/lab/api/consoles/site1.workspaces/" + channel + "-queue/work-off").getStatusCode())
          .isEqualTo(HttpStatus.OK);
    }
    assertThat(post("oceana", "/lab/api/consoles/site1.workspaces/agents/log-out").getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(state.state("site1.workspaces", "agents")).isEqualTo("logged out");

    // Communication Manager of DC1 down: the ESS of DC2 comes into operation, the phones move to it (L1076-1078)
    assertThat(state.state("site2.ess", "call-server")).isEqualTo("STANDBY");
    assertThat(state.state("site1.communication-manager", "registrations")).isEqualTo("phonesets and gateways registered");
    assertThat(post("voice", "/lab/api/consoles/site1.communication-manager/call-server/shut-down").getStatusCode())
        .isEqualTo(HttpStatus.OK);
    assertThat(state.state("site2.ess", "call-server")).isEqualTo("IN SERVICE");
    assertThat(state.state("site2.ess", "registrations")).isEqualTo("phonesets and gateways registered");
    assertThat(state.state("site1.communication-manager", "registrations")).isEqualTo("none");

    // the agents log in at DC2 once its Oceana clusters are ACTIVE (L1744-1746)
    assertThat(assertProblem(post("oceana", "/lab/api/consoles/site2.workspaces/agents/log-in"), HttpStatus.CONFLICT,
        "state").path("detail").asText()).contains("the Oceana clusters of this data center are not ACTIVE");
    assertThat(state.state("site2.workspaces", "agents")).isEqualTo("logged out");
    post("oceana", "/lab/api/consoles/site2.oceana-manager/cluster-group/set-active");
    assertThat(post("oceana", "/lab/api/consoles/site2.workspaces/agents/log-in").getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(state.state("site2.workspaces", "agents")).isEqualTo("logged in");
    assertThat(state.actionCounts("site2.workspaces")).containsOnlyKeys("console agents log-in");
  }

  @Test
  void shouldShowTheMirrorRolesOnTheMirrorMonitorAfterTheSeedsHaSwitchover() throws Exception {
    assertThat(mirrorMonitor("site2.ocdb-async")).contains("This member: site2.ocdb-async ASYNC",
        "Member site1.ocdb-active (Server A): PRIMARY, connected", "Member site1.ocdb-standby (Server B): BACKUP, connected");
    post("dba", "/lab/api/consoles/site1.ocdb-standby/mirror/remove-mirroring");
    post("dba", "/lab/api/consoles/site2.ocdb-async/mirror/switchover-cache-up-on-both-servers");
    assertThat(lab.state().state("site1.ocdb-active", "cache")).isEqualTo("STOPPED");
    post("dba", "/lab/api/consoles/site1.ocdb-active/cache/start-cache");
    ResponseEntity<String> demoted = post("dba", "/lab/api/consoles/site1.ocdb-active/mirror/demote-to-async");
    assertThat(demoted.getStatusCode()).as(demoted.getBody()).isEqualTo(HttpStatus.OK);
    String page = mirrorMonitor("site2.ocdb-async");
    assertThat(page).contains("This member: site2.ocdb-async PRIMARY", "Member site1.ocdb-active (Server A): ASYNC, connected")
        .doesNotContain("site1.ocdb-standby");
  }

  /** GET of the server's Mirror Monitor over HTTP with its portal's authorization, as the runbook reads it. */
  private String mirrorMonitor(String server) throws Exception {
    var endpoint = topology.endpoint(server);
    HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(endpoint.getUrl() + "/csp/sys/op/mirror-monitor"))
        .header("Authorization", secrets.resolve(endpoint.getAuthorization()).trim()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    return page.body();
  }

  private ResponseEntity<String> post(String user, String path) {
    return http.withBasicAuth(user, user).postForEntity(path, null, String.class);
  }

  private JsonNode assertProblem(ResponseEntity<String> response, HttpStatus status, String field) throws Exception {
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
    JsonNode problem = json.readTree(response.getBody());
    assertThat(problem.path("errors").get(0).path("field").asText()).as(response.getBody()).isEqualTo(field);
    return problem;
  }

  private static JsonNode component(JsonNode consoles, String host, String component) {
    return StreamSupport.stream(consoles.spliterator(), false)
        .filter(console -> console.path("host").asText().equals(host))
        .flatMap(console -> StreamSupport.stream(console.path("components").spliterator(), false))
        .filter(c -> c.path("component").asText().equals(component))
        .findFirst().orElseThrow(() -> new AssertionError("no " + host + " " + component + " in " + consoles));
  }

  private static JsonNode action(JsonNode component, String name) {
    return StreamSupport.stream(component.path("actions").spliterator(), false)
        .filter(a -> a.path("name").asText().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no action " + name + " in " + component));
  }
}
