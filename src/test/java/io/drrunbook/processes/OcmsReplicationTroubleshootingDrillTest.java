package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.DrillContext;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabConsoles;
import io.drrunbook.lab.LabFileSystems;
import io.drrunbook.lab.LabShell;
import io.drrunbook.lab.LabState;
import io.drrunbook.topology.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * D4 (dr-ocms-replication-troubleshooting) against the drill lab's OCMS nodes, both replicating as
 * D2 leaves them, with the lab's fault on the first node site1.ocms-1: "agent not running" ends with
 * its agent running with policy always and the second untouched; "master catchup required" ends with
 * the first accepting connections with its scheme re-created, ForceConnect back to 0 in sys.odbc.ini
 * (a backup of the file as it was beside it), policy always, the second left alone, and a rerun acts
 * on nothing; a symptom the seed does not name is a 400.
 */
@DrillContext
class OcmsReplicationTroubleshootingDrillTest {

  private static final String PROCESS_ID = "dr-ocms-replication-troubleshooting";
  private static final String FIRST = "site1.ocms-1";
  private static final String SECOND = "site1.ocms-2";
  /** Master Catchup Required, with the lab's PermSize of ocmsdb (256 MB) for the duplicate of L829. */
  private static final String CATCHUP = "{\"symptom\": \"master-catchup-required\", \"permSizeMb\": 256}";
  private static final String ODBC_INI = "opt/oracle/timesten/info/sys.odbc.ini";
  private static final String REPSCHEMES = "ttIsql -connStr DSN=ocmsdb -e 'repschemes; quit'";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired LabFileSystems files;
  @Autowired LabShell shell;
  @Autowired LabConsoles consoles;
  @Autowired TestRestTemplate rest;

  private DrillSupport drill;

  @BeforeEach
  void resetLab() {
    lab.reset();
    drill = new DrillSupport(runtime, tasks, history, identity, topology, lab);
    drill.replicateOcmsNodes(FIRST, SECOND);
  }

  @AfterEach
  void leaveTheLabAsItWas() {
    lab.reset();
  }

  @Test
  void shouldRunTheFirstInstancesAgentWithPolicyAlwaysWhenItWasUnableToConnect() {
    LabState state = lab.state();
    consoles.act(FIRST, "timesten", "fault-agent-not-running", "drill");
    assertThat(shell.execute(FIRST, "ttStatus").stdout()).contains("Replication agent is stopped.");

    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D4-1", "{\"symptom\": \"unable-to-connect\"}");
    drill.awaitEnded(run);

    assertThat(state.attribute(FIRST, "timesten", "repPolicy")).isEqualTo("always");
    assertThat(state.attribute(FIRST, "timesten", "replicationAgent")).isEqualTo("RUNNING");
    assertThat(shell.execute(FIRST, "ttStatus").stdout()).containsPattern("(?m)^Replication +\\d+ +0x0000 +TRANSMITTER$")
        .contains("Replication policy  : Always").contains("Replication agent is running.");
    assertThat(shell.execute(FIRST, REPSCHEMES).stdout()).contains("Replication Scheme OCMS_REP.REPSCHEME:");
    assertThat(state.actionCount(FIRST, "ttAdmin -repPolicy always")).isEqualTo(1);
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(run.getId())
        .variableName("firstAgentRunning").singleResult().getValue()).as("what ttStatus showed first").isEqualTo(false);
    assertThat(state.actionCounts(SECOND)).as("the second is not touched").isEmpty();
  }

  @Test
  void shouldRecreateTheFirstsSchemeAndSetForceConnectBackWhenMasterCatchupIsRequiredAndRerunNothing() throws Exception {
    LabState state = lab.state();
    consoles.act(FIRST, "timesten", "fault-master-catchup-required", "drill");
    assertThat(shell.execute(FIRST, REPSCHEMES).stdout())
        .isEqualTo("Master Catchup Required. New Connections are not allowed.\n");
    Path ini = files.root(FIRST).resolve(ODBC_INI);
    String iniBefore = Files.readString(ini);

    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D4-2", CATCHUP);
    drill.awaitEnded(run);

    assertThat(state.attribute(FIRST, "timesten", "masterCatchup")).isEqualTo(false);
    assertThat(shell.execute(FIRST, REPSCHEMES).stdout()).as("connects without ForceConnect")
        .contains("Replication Scheme OCMS_REP.REPSCHEME:");
    assertThat(Files.readString(ini)).contains("\nForceConnect=0\n").doesNotContain("ForceConnect=1");
    assertThat(DrillSupport.backups(files, FIRST, ODBC_INI).stream()
        .map(OcmsReplicationTroubleshootingDrillTest::read).toList()).as("the backups of both edits").contains(iniBefore);
    for (String node : List.of(FIRST, SECOND)) {
      assertThat(state.attribute(node, "timesten", "repPolicy")).as(node).isEqualTo("always");
      assertThat(shell.execute(node, "ttStatus").stdout()).as(node).contains("Replication agent is running.");
      assertThat(shell.execute(node, REPSCHEMES).stdout()).as(node).contains("Replication Scheme OCMS_REP.REPSCHEME:");
    }
    Map<String, Integer> firstActions = Map.of("create_replication_sync.pl", 1, "ttAdmin -repPolicy manual", 1,
        "ttAdmin -repStop", 1, "ttAdmin -repPolicy always", 1, "sftp replace /opt/oracle/timesten/info/sys.odbc.ini", 2);
    firstActions.forEach((action, count) -> assertThat(state.actionCount(FIRST, action)).as(action).isEqualTo(count));
    // the other instance accepts connections (its scheme is not re-created), and then, seed L829, it
    // is duplicated from the first (D2's second-instance steps, called by D4)
    assertThat(state.actionCount(SECOND, "create_replication_sync.pl")).isZero();
    assertThat(state.actionCount(SECOND, "ttdestroy ocmsdb")).isEqualTo(1);
    assertThat(state.actionCount(SECOND, "duplicate_db_replication.pl")).isEqualTo(1);
    assertThat(state.attribute(SECOND, "timesten", "duplicatedFrom")).isEqualTo(FIRST);
    assertThat(state.state(SECOND, "proc-ocms")).isEqualTo("Alive");
    assertThat(state.state(SECOND, "proc-timesten")).isEqualTo("Alive");
    assertThat(history.createHistoricProcessInstanceQuery().superProcessInstanceId(run.getId())
        .processDefinitionKey("dr-ocms-timesten-replication-setup").finished().count()).isEqualTo(1);

    // a rerun finds both data stores accepting connections with their scheme: it acts on nothing
    Map<String, Integer> firstBefore = state.actionCounts(FIRST);
    Map<String, Integer> secondBefore = state.actionCounts(SECOND);
    ProcessInstance rerun = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D4-3", CATCHUP);
    drill.awaitEnded(rerun);
    assertThat(state.actionCounts(FIRST)).isEqualTo(firstBefore);
    assertThat(state.actionCounts(SECOND)).isEqualTo(secondBefore);
  }

  @Test
  void shouldRefuseWith400NamingTheFieldWhenTheSymptomIsNotOneOfTheSeeds() {
    ResponseEntity<JsonNode> refused = DrillSupport.postRun(rest, PROCESS_ID, "DRILL-D4-BAD", "{\"symptom\": \"slow\"}");

    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(refused.getBody().path("errors").get(0).path("field").asText()).isEqualTo("parameters.symptom");
    // the duplicate of the seed's last step needs the first computer's PermSize
    ResponseEntity<JsonNode> noPermSize = DrillSupport.postRun(rest, PROCESS_ID, "DRILL-D4-BAD",
        "{\"symptom\": \"master-catchup-required\"}");
    assertThat(noPermSize.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(noPermSize.getBody().path("errors").get(0).path("field").asText()).isEqualTo("parameters.permSizeMb");
    assertThat(noPermSize.getBody().path("errors").get(0).path("message").asText())
        .isEqualTo("is required when symptom is master-catchup-required");
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceBusinessKey("DRILL-D4-BAD").count()).isZero();
  }

  @Test
  void shouldWalkTheRepairOfEachInstanceAndTouchNoNodeWhenTheRunIsADryRun() {
    ProcessInstance walk = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D4-DRY", CATCHUP, "dry-run");

    drill.awaitEnded(walk);

    for (String step : List.of("Task_SetForceConnect", "Task_RecreateReplication", "Task_ResetForceConnect")) {
      assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(walk.getId())
          .activityId(step).count()).as(step).isEqualTo(2);
    }
    for (String node : List.of(FIRST, SECOND)) {
      assertThat(lab.state().commandLog(node)).as(node).isEmpty();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
