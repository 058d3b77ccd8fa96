package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.DrillContext;
import io.drrunbook.approval.EvidenceRefusedException;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabState;
import io.drrunbook.topology.Topology;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * C5 (dr-oracle-dataguard-role-transition) against the drill lab: dgmgrl over SSH to the simulated
 * Oracle Database hosts of DC1 (site1.oracle-db, orcl) and DC2 (site2.oracle-db, orcl_stby). A
 * switchover then a switchback, and a failover (DC1 down) then a reinstate then a switchback, each
 * return the lab exactly to its initial state; a rerun finds the role taken and acts on nothing; the
 * guided steps refuse a wrong value and the verified step is reopened while DC1 is still down.
 */
@DrillContext
class DataguardRoleTransitionDrillTest {

  private static final String PROCESS_ID = "dr-oracle-dataguard-role-transition";
  private static final String DC1 = "site1.oracle-db";
  private static final String DC2 = "site2.oracle-db";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired TestRestTemplate rest;

  private DrillSupport drill;
  private final DrillLogs logs = new DrillLogs();

  @BeforeEach
  void resetLab() {
    lab.reset();
    drill = new DrillSupport(runtime, tasks, history, identity, topology, lab);
    logs.start();
  }

  @AfterEach
  void leaveNoFault() {
    logs.stop();
    lab.reset();
  }

  private void assertNoSeedSecret(String... tickets) {
    logs.assertNoSeedSecret(history, tickets);
  }

  @Test
  void shouldReturnTheLabToItsInitialStateWhenSwitchoverThenSwitchbackRun() {
    LabState state = lab.state();
    Map<String, Object> initial = dataGuard();

    // the standby is behind: the lag gate waits, nothing is switched until it has caught up
    state.set(DC2, "database", "applyLagSeconds", 45);
    ProcessInstance switchover = start("switchover", "DRILL-C5-SO");
    await("lag gate waited").atMost(Duration.ofSeconds(60)).until(() -> history
        .createHistoricActivityInstanceQuery().processInstanceId(switchover.getId())
        .activityId("BoundaryEvent_SwitchoverLagging").count() > 0);
    assertThat(state.actionCount(DC1, "dgmgrl switchover to orcl_stby")).isZero();
    state.set(DC2, "database", "applyLagSeconds", 0);
    drill.awaitEnded(switchover);
    assertThat(state.state(DC2, "database")).isEqualTo("PRIMARY");
    assertThat(state.state(DC1, "database")).isEqualTo("PHYSICAL STANDBY");
    assertThat(state.actionCount(DC1, "dgmgrl switchover to orcl_stby")).isEqualTo(1);

    // a rerun (as after a crash) reads the roles first and switches nothing
    drill.awaitEnded(start("switchover", "DRILL-C5-SO-AGAIN"));
    assertThat(state.actionCount(DC1, "dgmgrl switchover to orcl_stby")).isEqualTo(1);
    assertThat(state.commandLog(DC1)).extracting(LabState.CommandRecord::command)
        .allMatch(command -> !command.contains("sys/"), "no password on a dgmgrl command line");

    drill.awaitEnded(start("switchback", "DRILL-C5-SB"));
    assertThat(state.actionCount(DC2, "dgmgrl switchover to orcl")).isEqualTo(1);
    assertThat(dataGuard()).isEqualTo(initial);
    assertNoSeedSecret("DRILL-C5-SO", "DRILL-C5-SO-AGAIN", "DRILL-C5-SB");
  }

  @Test
  void shouldReturnTheLabToItsInitialStateWhenFailoverReinstateAndSwitchbackRun() {
    LabState state = lab.state();
    Map<String, Object> initial = dataGuard();
    state.set(DC1, "database", "siteDown", true);

    ProcessInstance failover = start("failover", "DRILL-C5-FO");
    Task backup = drill.awaitTask(failover, "UserTask_BackUpNewPrimary");
    assertThat(backup.getName()).isEqualTo("Back up the new primary database · DRILL-C5-FO");
    assertThat(tasks.getVariable(backup.getId(), "guideSystem"))
        .isEqualTo("the new primary database orcl_stby at DC2, with the site's backup tool (RMAN or the site's own)");
    assertThat(String.valueOf(tasks.getVariable(backup.getId(), "guideOptions")))
        .isEqualTo("[{\"label\":\"COMPLETED\",\"value\":\"COMPLETED\"},{\"label\":\"RUNNING\",\"value\":\"RUNNING\"},"
            + "{\"label\":\"FAILED\",\"value\":\"FAILED\"}]");
    assertThatThrownBy(() -> drill.completeAsDba(backup, GuidedEvidence.of("COMPLETED", " ")))
        .isInstanceOf(EvidenceRefusedException.class)
        .hasMessageContaining("needs its evidence: backup id");
    assertThatThrownBy(() -> drill.completeAsDba(backup, GuidedEvidence.of("DONE", "RMAN-TAG-DRILL-1")))
        .isInstanceOf(EvidenceRefusedException.class)
        .hasMessageContaining("'DONE' is not a value the seed says the screen can show ('COMPLETED' or 'RUNNING' or 'FAILED')");
    drill.completeAsDba(backup, GuidedEvidence.of("COMPLETED", "RMAN-TAG-DRILL-1"));
    assertThat(history.createHistoricVariableInstanceQuery().activityInstanceIdIn(
        history.createHistoricTaskInstanceQuery().taskId(backup.getId()).singleResult().getActivityInstanceId())
        .variableName("evidenceValue").singleResult().getValue()).as("evidence kept with its step")
        .isEqualTo("RMAN-TAG-DRILL-1");
    assertThat(state.state(DC2, "database")).isEqualTo("PRIMARY");
    assertThat(state.state(DC1, "database")).isEqualTo("DISABLED");

    // a value the seed says must not be there is refused, naming the expectation
    Task back = drill.awaitTask(failover, "UserTask_OriginalPrimaryBack");
    assertThat(tasks.getVariable(back.getId(), "guideFinding")).isNull();
    // (through the engine REST API, as Tasklist submits the form: a 400 with the reason)
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    ResponseEntity<JsonNode> refused = rest.withBasicAuth("dba", "dba").postForEntity(
        "/engine-rest/task/" + back.getId() + "/submit-form", new HttpEntity<>(
            "{\"variables\": {\"screenValue\": {\"value\": \"OPEN\", \"type\": \"String\"},"
                + " \"doneAt\": {\"value\": \"2026-12-03T17:00:00Z\", \"type\": \"String\"}}}", headers),
        JsonNode.class);
    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(refused.getBody().path("message").asText())
        .contains("expects the screen to show 'MOUNTED'").contains("the screen showed 'OPEN'");
    assertThat(tasks.createTaskQuery().taskId(back.getId()).count()).as("the step stays open").isEqualTo(1);
    // answered "mounted" while DC1 is still down: the broker's check disagrees, the step is reopened
    drill.completeAsDba(back, GuidedEvidence.of("MOUNTED", null));
    Task reopened = await("step reopened").atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery()
        .processInstanceId(failover.getId()).taskDefinitionKey("UserTask_OriginalPrimaryBack").singleResult(),
        task -> task != null && !task.getId().equals(back.getId()));
    assertThat(String.valueOf(tasks.getVariable(reopened.getId(), "guideFinding")))
        .contains("ORA-12543: TNS:destination host unreachable");
    assertThat(state.actionCount(DC1, "dgmgrl reinstate database orcl")).isZero();

    state.set(DC1, "database", "siteDown", false);
    drill.completeAsDba(reopened, GuidedEvidence.of("MOUNTED", null));
    drill.awaitEnded(failover);
    assertThat(state.state(DC1, "database")).isEqualTo("PHYSICAL STANDBY");
    assertThat(state.state(DC2, "database")).isEqualTo("PRIMARY");
    assertThat(state.actionCount(DC2, "dgmgrl failover to orcl_stby")).isEqualTo(1);
    assertThat(state.actionCount(DC1, "dgmgrl reinstate database orcl")).isEqualTo(1);
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(failover.getId())
        .variableName("newPrimaryBackupId").singleResult().getValue()).isEqualTo("RMAN-TAG-DRILL-1");

    // a reinstate run after it (as after a crash) finds a healthy standby and reinstates nothing
    drill.awaitEnded(start("reinstate", "DRILL-C5-RE-AGAIN"));
    assertThat(state.actionCount(DC1, "dgmgrl reinstate database orcl")).isEqualTo(1);

    drill.awaitEnded(start("switchback", "DRILL-C5-FO-SB"));
    assertThat(dataGuard()).isEqualTo(initial);
    assertNoSeedSecret("DRILL-C5-FO", "DRILL-C5-RE-AGAIN", "DRILL-C5-FO-SB");
  }

  @Test
  void shouldWalkTheFailoverWithoutEvidenceAndChangeNothingWhenTheRunIsADryRun() {
    LabState state = lab.state();
    Map<String, Object> initial = dataGuard();

    ProcessInstance walk = runtime.startProcessInstanceByKey(PROCESS_ID, "DRILL-C5-DRY", Map.of(
        "mode", "failover", "primaryDb", "orcl", "standbyDb", "orcl_stby", "flashbackWindowHours", 24,
        "lagPollInterval", "PT1S", "runMode", "dry-run"));

    drill.awaitEnded(walk);
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(walk.getId())
        .activityId("EndEvent_Reinstated").count()).isEqualTo(1);
    assertThat(dataGuard()).isEqualTo(initial);
    assertThat(state.commandLog(DC1)).isEmpty();
    assertThat(state.commandLog(DC2)).isEmpty();
  }

  private ProcessInstance start(String mode, String ticket) {
    return runtime.startProcessInstanceByKey(PROCESS_ID, ticket, Map.of("mode", mode,
        "primaryDb", "orcl", "standbyDb", "orcl_stby", "flashbackWindowHours", 24, "lagPollInterval", "PT1S"));
  }



  /** The two databases' roles and every attribute the model keeps (lags, flashback, site down). */
  private Map<String, Object> dataGuard() {
    Map<String, Object> snapshot = new LinkedHashMap<>();
    for (String host : List.of(DC1, DC2)) {
      LabState.ComponentView database = lab.state().component(host, "database");
      snapshot.put(host, database.state());
      snapshot.put(host + ".attributes", new LinkedHashMap<>(database.attributes()));
    }
    return snapshot;
  }

}
