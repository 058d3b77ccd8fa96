package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabFileSystems;
import io.drrunbook.lab.LabShell;
import io.drrunbook.lab.LabState;
import io.drrunbook.prechecks.PrecheckResults;
import io.drrunbook.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * D2 (dr-ocms-timesten-replication-setup) against the drill lab's OCMS nodes site1.ocms-1 (the first
 * computer) and site1.ocms-2 (the second, installed with a smaller PermSize): a run started through
 * the product API ends with OCMS_REP.REPSCHEME on both data stores, both agents running with policy
 * always, the second duplicated from the first with the first's PermSize (sys.odbc.ini read back),
 * OCMS and TimesTen Alive under OPMN, every action once; the TimesTen password is in no variable,
 * history entry, log line or command line; a rerun acts on nothing and asks nobody.
 */
@DrillContext
class OcmsTimestenReplicationSetupDrillTest {

  private static final String PROCESS_ID = "dr-ocms-timesten-replication-setup";
  private static final String FIRST = "site1.ocms-1";
  private static final String SECOND = "site1.ocms-2";
  private static final String ODBC_INI = "opt/oracle/timesten/info/sys.odbc.ini";
  private static final String PERM_SIZE = "{\"permSizeMb\": 256}";
  private static final String SEED_SQL = "opt/oracle/ocms/sdp/replication/sql/seed_clusters_test_sync.sql";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired LabFileSystems files;
  @Autowired LabShell shell;
  @Autowired TestRestTemplate rest;
  @Autowired PrecheckResults prechecks;

  private DrillSupport drill;
  private final DrillLogs logs = new DrillLogs();

  @BeforeEach
  void resetLab() {
    lab.reset();
    drill = new DrillSupport(runtime, tasks, history, identity, topology, lab);
    logs.start();
  }

  @AfterEach
  void leaveTheLabAsItWas() {
    logs.stop();
    lab.reset();
  }

  @Test
  void shouldReplicateBothDataStoresAndRerunNothingWhenD2RunsTwice() throws Exception {
    LabState state = lab.state();
    Path secondIni = files.root(SECOND).resolve(ODBC_INI);
    Files.writeString(secondIni, Files.readString(secondIni).replace("PermSize=256", "PermSize=128"));

    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D2-1", PERM_SIZE);
    editSeedFilesAsAPersonWould(run);
    drill.awaitEnded(run);

    for (String node : List.of(FIRST, SECOND)) {
      assertThat(state.attribute(node, "timesten", "replicationScheme")).as(node).isEqualTo("OCMS_REP.REPSCHEME");
      assertThat(state.attribute(node, "timesten", "replicationAgent")).as(node).isEqualTo("RUNNING");
      assertThat(state.attribute(node, "timesten", "repPolicy")).as(node).isEqualTo("always");
      assertThat(state.state(node, "proc-timesten")).as(node).isEqualTo("Alive");
      assertThat(state.state(node, "proc-ocms")).as(node).isEqualTo("Alive");
      assertThat(shell.execute(node, "ttIsql -connStr DSN=ocmsdb -e 'repschemes; quit'").stdout())
          .contains("Replication Scheme OCMS_REP.REPSCHEME:");
      assertThat(shell.execute(node, "ttStatus").stdout()).containsPattern("(?m)^Replication +\\d+ +0x0000 +RECEIVER$")
          .contains("Replication agent is running.");
      assertThat(state.actionCount(node, "ttAdmin -repPolicy always")).as(node).isEqualTo(1);
      assertThat(state.actionCount(node, "tt-user create-admin ocmsuser")).as(node).isEqualTo(1);
      assertThat(state.actionCount(node, "ttIsql seed_clusters_test_sync.sql")).as(node).isEqualTo(1);
    }
    assertThat(state.attribute(SECOND, "timesten", "duplicatedFrom")).isEqualTo(FIRST);
    assertThat(state.attribute(SECOND, "timesten", "permSizeMb")).isEqualTo(256);
    assertThat(Files.readString(secondIni)).contains("\nPermSize=256\n");
    assertThat(state.actionCount(FIRST, "create_replication_sync.pl")).isEqualTo(1);
    assertThat(state.actionCount(FIRST, "ttdestroy ocmsdb")).as("the first is never destroyed").isZero();
    Map<String, Integer> secondActions = new LinkedHashMap<>();
    for (String action : List.of("opmnctl stopproc process-type=ocms", "opmnctl stopproc ias-component=TIMESTEN",
        "ttdaemonadmin -start", "sftp replace /opt/oracle/timesten/info/sys.odbc.ini", "ttdestroy ocmsdb",
        "duplicate_db_replication.pl", "opmnctl startproc ias-component=TIMESTEN", "opmnctl startproc process-type=ocms")) {
      secondActions.put(action, state.actionCount(SECOND, action));
    }
    assertThat(secondActions).as("each action on the second computer once").allSatisfy((action, count) ->
        assertThat(count).as(action).isEqualTo(1));
    assertNoPassword("DRILL-D2-1");

    // a rerun (as after a crash) reads both data stores replicating: it seeds, stops, destroys and
    // duplicates nothing, and asks nobody to edit a file
    ProcessInstance rerun = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D2-2", PERM_SIZE);
    drill.awaitEnded(rerun);
    assertThat(history.createHistoricTaskInstanceQuery().processInstanceId(rerun.getId()).count()).isZero();
    assertThat(state.actionCount(FIRST, "create_replication_sync.pl")).isEqualTo(1);
    assertThat(state.actionCount(FIRST, "ttIsql seed_clusters_test_sync.sql")).isEqualTo(1);
    secondActions.forEach((action, count) -> assertThat(state.actionCount(SECOND, action)).as(action).isEqualTo(count));
    assertThat(state.actionCount(SECOND, "ttAdmin -repPolicy always")).isEqualTo(1);
    assertNoPassword("DRILL-D2-1", "DRILL-D2-2");
  }


  @Test
  void shouldWalkEveryStepAndTouchNoNodeWhenTheRunIsADryRun() {
    ProcessInstance walk = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D2-DRY", PERM_SIZE, "dry-run");

    drill.awaitEnded(walk);

    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(walk.getId())
        .activityId("EndEvent_ReplicationConfigured").count()).isEqualTo(1);
    for (String node : List.of(FIRST, SECOND)) {
      assertThat(lab.state().commandLog(node)).as(node).isEmpty();
      assertThat(lab.state().attribute(node, "timesten", "replicationScheme")).isEqualTo("");
    }
  }

  @Test
  void shouldPassItsPrechecksAndChangeNothingWhenTheRunIsAPrecheck() {
    ProcessInstance walk = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D2-PRE", PERM_SIZE, "precheck");

    drill.awaitEnded(walk);

    List<PrecheckResults.Result> checks = prechecks.forRun(walk.getId());
    assertThat(checks).as("the catalog's prechecks and the probe of each node").hasSizeGreaterThanOrEqualTo(4)
        .allSatisfy(check -> assertThat(check.ok()).as(check.toString()).isTrue());
    assertThat(checks).extracting(Object::toString)
        .anyMatch(check -> check.contains("the TimesTen daemon of site1.ocms-1 (the first computer) runs"))
        .anyMatch(check -> check.contains("the TimesTen daemon of site1.ocms-2 (the second computer) runs"));
    for (String node : List.of(FIRST, SECOND)) {
      assertThat(lab.state().attribute(node, "timesten", "replicationScheme")).isEqualTo("");
      assertThat(lab.state().actionCount(node, "ttdestroy ocmsdb")).isZero();
    }
  }

  /** The guided step of each node: the operator puts the two host names into the node's seed file, then completes it. */
  private void editSeedFilesAsAPersonWould(ProcessInstance run) throws Exception {
    List<Task> open = await("the seed file step of each node").atMost(Duration.ofSeconds(90)).until(() -> tasks
        .createTaskQuery().processInstanceId(run.getId()).taskDefinitionKey("UserTask_EditSeedFile").list(),
        list -> list.size() == 2);
    identity.setAuthentication("operator", List.of(DrGroups.OPERATORS));
    try {
      for (Task task : open) {
        String node = (String) tasks.getVariable(task.getId(), "ocmsNode");
        Path seed = files.root(node).resolve(SEED_SQL);
        Files.writeString(seed, Files.readString(seed).replace("host1.example.com", "ocms-1.site1.ocms.lab")
            .replace("host2.example.com", "ocms-2.site1.ocms.lab"));
        tasks.complete(task.getId(), GuidedEvidence.of("both host names replaced", null));
      }
    } finally {
      identity.clearAuthentication();
    }
  }

  /** The TimesTen password (the hosts' topology secret) is in no variable, history entry, log line or lab command line. */
  private void assertNoPassword(String... tickets) throws Exception {
    String password = Files.readString(Path.of("target/drill-data/lab/secrets/site1-ocms-timesten.password")).strip();
    assertThat(password).hasSizeGreaterThan(8);
    List<String> texts = logs.texts(history, tickets);
    for (String node : List.of(FIRST, SECOND)) {
      lab.state().commandLog(node).forEach(record -> texts.add(record.command()));
    }
    assertThat(texts).hasSizeGreaterThan(20).noneMatch(text -> text != null && text.contains(password));
  }
}
