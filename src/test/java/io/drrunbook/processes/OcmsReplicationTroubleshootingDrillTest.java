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
import java.util.stream.Stream;
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

    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D4-2",
        "{\"symptom\": \"master-catchup-required\"}");
    drill.awaitEnded(run);

    assertThat(state.attribute(FIRST, "timesten", "masterCatchup")).isEqualTo(false);
    assertThat(shell.execute(FIRST, REPSCHEMES).stdout()).as("connects without ForceConnect")
        .contains("Replication Scheme OCMS_REP.REPSCHEME:");
    assertThat(Files.readString(ini)).contains("\nForceConnect=0\n").doesNotContain("ForceConnect=1");
    try (Stream<Path> siblings = Files.list(ini.getParent())) {
      assertThat(siblings.filter(file -> file.getFileName().toString().matches("sys\\.odbc\\.ini\\..+\\.bak"))
          .map(OcmsReplicationTroubleshootingDrillTest::read).toList()).as("the backups of both edits").contains(iniBefore);
    }
    for (String node : List.of(FIRST, SECOND)) {
      assertThat(state.attribute(node, "timesten", "repPolicy")).as(node).isEqualTo("always");
      assertThat(shell.execute(node, "ttStatus").stdout()).as(node).contains("Replication agent is running.");
      assertThat(shell.execute(node, REPSCHEMES).stdout()).as(node).contains("Replication Scheme OCMS_REP.REPSCHEME:");
    }
    Map<String, Integer> firstActions = Map.of("create_replication_sync.pl", 1, "ttAdmin -repPolicy manual", 1,
        "ttAdmin -repStop", 1, "ttAdmin -repPolicy always", 1, "sftp replace /opt/oracle/timesten/info/sys.odbc.ini", 2);
    firstActions.forEach((action, count) -> assertThat(state.actionCount(FIRST, action)).as(action).isEqualTo(count));
    assertThat(state.actionCounts(SECOND)).as("the other instance accepts connections: left alone").isEmpty();

    // a rerun finds both data stores accepting connections with their scheme: it acts on nothing
    Map<String, Integer> firstBefore = state.actionCounts(FIRST);
    ProcessInstance rerun = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D4-3",
        "{\"symptom\": \"master-catchup-required\"}");
    drill.awaitEnded(rerun);
    assertThat(state.actionCounts(FIRST)).isEqualTo(firstBefore);
    assertThat(state.actionCounts(SECOND)).isEmpty();
  }

  @Test
  void shouldRefuseWith400NamingTheFieldWhenTheSymptomIsNotOneOfTheSeeds() {
    ResponseEntity<JsonNode> refused = DrillSupport.postRun(rest, PROCESS_ID, "DRILL-D4-BAD", "{\"symptom\": \"slow\"}");

    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(refused.getBody().path("errors").get(0).path("field").asText()).isEqualTo("parameters.symptom");
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceBusinessKey("DRILL-D4-BAD").count()).isZero();
  }

  @Test
  void shouldWalkTheRepairOfEachInstanceAndTouchNoNodeWhenTheRunIsADryRun() {
    ProcessInstance walk = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D4-DRY",
        "{\"symptom\": \"master-catchup-required\"}", "dry-run");

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
