package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabState;
import io.drrunbook.topology.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * C4 (dr-oceana-ocp-db-switchover) rehearsed against the drill lab: the database team does each
 * console step of seed 002 on the lab's Omnichannel Database servers through the lab's console API
 * (as a person clicks the dashboard's buttons), then completes the guided task with what the screen
 * showed; the verified Mirror Monitor step reads the DC2 server's Cache Management Portal over HTTP.
 * Asserts the mirror roles the lab ends in, each console action done once, the Oceana clusters left
 * alone ("Do not restart the cluster"), and that a step answered against the lab is reopened with
 * what the page showed.
 */
@DrillContext
class OceanaOcpDbSwitchoverDrillTest {

  private static final String PROCESS_ID = "dr-oceana-ocp-db-switchover";
  private static final String SERVER_A = "site1.ocdb-active";
  private static final String SERVER_B = "site1.ocdb-standby";
  private static final String DC2_SERVER = "site2.ocdb-async";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired ManagementService management;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired TestRestTemplate rest;

  private final ObjectMapper json = new ObjectMapper();
  private DrillSupport drill;

  @BeforeEach
  void resetLab() {
    lab.reset();
    drill = new DrillSupport(runtime, tasks, history, identity, topology, lab);
  }

  @AfterEach
  void leaveTheLabAsFound() {
    lab.reset();
  }

  @Test
  void shouldMakeTheDc2ServerPrimaryAndServerAAsyncWhenHaWithEveryServerUpIsRehearsed() throws Exception {
    LabState state = lab.state();
    assertThat(mirrorRoles()).containsExactly("PRIMARY", "BACKUP", "ASYNC");
    ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS_ID, "DRILL-C4-HA",
        Map.of("ocdbTopology", "ha", "situation", "both-up"));

    // step 1 (seed L1253): remove Cache Mirroring from Server B on its Cache Management Portal
    Task remove = drill.awaitTask(run, "UserTask_RemoveStandbyMirroring");
    // promoting Server C first is refused by the lab: the standby is still in the mirror
    assertRefused(console(DC2_SERVER, "mirror", "switchover-cache-up-on-both-servers"), "ASYNC",
        "the standby site1.ocdb-standby is still in the mirror");
    assertDone(console(SERVER_B, "mirror", "remove-mirroring"));
    drill.completeAsDba(remove, GuidedEvidence.of("mirror configuration removed", null));

    // step 2 (L1257-1267): on Server C, BackupAndRestore.exe "Switchover Cache up on both servers"
    Task promote = drill.awaitTask(run, "UserTask_PromoteBothUp");
    assertDone(console(DC2_SERVER, "mirror", "switchover-cache-up-on-both-servers"));
    drill.completeAsDba(promote, GuidedEvidence.of("scenario executed", null));
    assertThat(state.state(SERVER_A, "cache")).as("the scenario stops Cache on the old primary").isEqualTo("STOPPED");

    // the seed's 30 seconds (L1267): the person waits; the test lets the timer fire now
    Job wait = await("30-second wait").atMost(Duration.ofSeconds(30)).until(() -> management.createJobQuery()
        .processInstanceId(run.getId()).timers().singleResult(), job -> job != null);
    management.executeJob(wait.getId());

    // step 3 (L1269-1276): start Cache on Server A, once it is up demote it to async
    Task demote = drill.awaitTask(run, "UserTask_DemoteActive");
    assertRefused(console(SERVER_A, "mirror", "demote-to-async"), "FORMER PRIMARY", "start Cache first");
    assertDone(console(SERVER_A, "cache", "start-cache"));
    assertDone(console(SERVER_A, "mirror", "demote-to-async"));
    drill.completeAsDba(demote, GuidedEvidence.of("Cache started, demoted to async", null));

    // the Mirror Monitor, read by the person and checked by the runbook over HTTP
    drill.completeAsDba(drill.awaitTask(run, "UserTask_CheckMirrorMonitor"), GuidedEvidence.of("DC2 server primary, Server A async", null));
    drill.awaitEnded(run);
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(run.getId())
        .activityId("BoundaryEvent_MirrorRolesDiffer").count()).as("the page agreed at once").isZero();

    assertThat(mirrorRoles()).containsExactly("ASYNC", "NONE", "PRIMARY");
    assertThat(state.state(SERVER_A, "cache")).isEqualTo("RUNNING");
    assertThat(state.actionCounts(SERVER_B)).containsExactly(Map.entry("console mirror remove-mirroring", 1));
    assertThat(state.actionCounts(DC2_SERVER)).containsExactly(Map.entry("console mirror switchover-cache-up-on-both-servers", 1));
    assertThat(state.actionCounts(SERVER_A)).containsExactly(Map.entry("console cache start-cache", 1),
        Map.entry("console mirror demote-to-async", 1));
    assertThat(state.commandLog(DC2_SERVER)).extracting(LabState.CommandRecord::command, LabState.CommandRecord::exitCode)
        .contains(org.assertj.core.groups.Tuple.tuple("GET /csp/sys/op/mirror-monitor", 200));
    assertClustersUntouched();
  }

  @Test
  void shouldReopenTheMirrorMonitorStepUntilTheLabAgreesWhenSingleWithTheActiveServerFailedIsRehearsed()
      throws Exception {
    LabState state = lab.state();
    // the seed's single DC1 (Server A active, the DC2 server async): the lab's standby is not in the mirror
    setUpLab(SERVER_B, "mirror", "NONE");
    // the active server has failed
    assertDone(console(SERVER_A, "cache", "stop-cache"));
    ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS_ID, "DRILL-C4-SINGLE",
        Map.of("ocdbTopology", "single", "situation", "active-failed"));

    // the person records the promotion (L1224-1231) without having executed the scenario
    Task promote = drill.awaitTask(run, "UserTask_PromoteActiveFailed");
    assertThat(tasks.getVariable(promote.getId(), "guideEnter")).isEqualTo("Select mirror scenario: Switchover Primary server down");
    drill.completeAsDba(promote, GuidedEvidence.of("scenario executed", null));
    Task monitor = drill.awaitTask(run, "UserTask_CheckMirrorMonitor");
    drill.completeAsDba(monitor, GuidedEvidence.of("DC2 server primary, DC1 servers not connected", null));

    // the runbook's read of the Mirror Monitor disagrees: the step comes back with what the page showed
    Task reopened = await("step reopened").atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run.getId()).taskDefinitionKey("UserTask_CheckMirrorMonitor").singleResult(),
        task -> task != null && !task.getId().equals(monitor.getId()));
    assertThat(String.valueOf(tasks.getVariable(reopened.getId(), "guideFinding")))
        .contains("does not match This member: site2.ocdb-async PRIMARY").contains("This member: site2.ocdb-async ASYNC");
    assertThat(mirrorRoles()).containsExactly("PRIMARY", "NONE", "ASYNC");

    // now the person executes the scenario; with Server A down "Cache up on both servers" is refused
    assertRefused(console(DC2_SERVER, "mirror", "switchover-cache-up-on-both-servers"), "ASYNC",
        "the primary is not up: use Switchover primary server down");
    assertDone(console(DC2_SERVER, "mirror", "switchover-primary-server-down"));
    drill.completeAsDba(reopened, GuidedEvidence.of("DC2 server primary, DC1 servers not connected", null));
    drill.awaitEnded(run);

    assertThat(mirrorRoles()).containsExactly("FORMER PRIMARY", "NONE", "PRIMARY");
    assertThat(state.state(SERVER_A, "cache")).isEqualTo("STOPPED");
    assertThat(state.actionCounts(DC2_SERVER)).containsExactly(Map.entry("console mirror switchover-primary-server-down", 1));
    assertThat(state.actionCounts(SERVER_A)).containsExactly(Map.entry("console cache stop-cache", 1));
    assertThat(state.actionCounts(SERVER_B)).isEmpty();
    assertThat(state.commandLog(DC2_SERVER)).filteredOn(c -> c.command().equals("GET /csp/sys/op/mirror-monitor"))
        .as("the page was read twice: once disagreeing, once agreeing").hasSize(2);
    assertClustersUntouched();
  }

  /** The mirror roles of Server A, Server B (DC1) and the DC2 server, as the lab holds them. */
  private List<String> mirrorRoles() {
    return List.of(SERVER_A, SERVER_B, DC2_SERVER).stream().map(h -> lab.state().state(h, "mirror")).toList();
  }

  /** "Do not restart the cluster" (seed L1147): the Oceana clusters are as before the switchover. */
  private void assertClustersUntouched() {
    assertThat(lab.state().state("site1.oceana-manager", "cluster-group")).isEqualTo("ACTIVE");
    assertThat(lab.state().state("site2.oceana-manager", "cluster-group")).isEqualTo("STANDBY");
    assertThat(lab.state().actionCounts("site1.oceana-manager")).isEmpty();
  }

  /** A console action as the database team's person does it (the dashboard's button sends this). */
  private ResponseEntity<String> console(String host, String component, String action) {
    return rest.withBasicAuth("dba", "dba").postForEntity(
        "/lab/api/consoles/" + host + "/" + component + "/" + action, null, String.class);
  }

  private void setUpLab(String host, String component, String value) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    ResponseEntity<String> set = rest.withBasicAuth("operator", "operator").exchange(
        "/lab/api/state/" + host + "/" + component + "/state", HttpMethod.PUT,
        new HttpEntity<>("\"" + value + "\"", headers), String.class);
    assertThat(set.getStatusCode()).as(set.getBody()).isEqualTo(HttpStatus.OK);
  }

  private static void assertDone(ResponseEntity<String> response) {
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
  }

  private void assertRefused(ResponseEntity<String> response, String state, String reason) throws Exception {
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.CONFLICT);
    JsonNode problem = json.readTree(response.getBody());
    assertThat(problem.path("state").asText()).isEqualTo(state);
    assertThat(problem.path("detail").asText()).contains("in state " + state).contains(reason);
  }


}
