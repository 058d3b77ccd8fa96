package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.DrillContext;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabConsoles;
import io.drrunbook.lab.LabShell;
import io.drrunbook.lab.LabState;
import io.drrunbook.prechecks.PrecheckResults;
import io.drrunbook.topology.Topology;
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
 * D3 (dr-ocms-timesten-recovery) against the drill lab's OCMS nodes site1.ocms-1 and site1.ocms-2,
 * both replicating as D2 leaves them: the second's TimesTen brought down for a few minutes is
 * restarted (nothing recovered); killed after 90 minutes away (OPMN revives it, the first holds it
 * Failed) it is recovered with the seed's steps on both nodes, after which both replicate the scheme
 * and see each other Start, each step acted once; a rerun acts on nothing; a bad failedInstance is a
 * 400 naming the field.
 */
@DrillContext
class OcmsTimestenRecoveryDrillTest {

  private static final String PROCESS_ID = "dr-ocms-timesten-recovery";
  private static final String FIRST = "site1.ocms-1";
  private static final String SECOND = "site1.ocms-2";
  private static final String RECEIVERS = "ttRepAdmin -receiver -list -connStr DSN=ocmsdb";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired LabShell shell;
  @Autowired LabConsoles consoles;
  @Autowired TestRestTemplate rest;
  @Autowired PrecheckResults prechecks;

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
  void shouldRestartTimesTenAndOcmsAndRecoverNothingWhenTheOutageWasAFewMinutes() {
    LabState state = lab.state();
    shell.execute(SECOND, "opmnctl stopproc process-type=ocms");
    shell.execute(SECOND, "opmnctl stopproc ias-component=TIMESTEN");
    state.set(SECOND, "timesten", "outageMinutes", 5);
    assertThat(state.attribute(SECOND, "timesten", "replicationAgent")).isEqualTo("STOPPED");

    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D3-1",
        "{\"failedInstance\": \"second\", \"outageMinutes\": 5}");
    drill.awaitEnded(run);

    assertThat(state.state(SECOND, "proc-timesten")).isEqualTo("Alive");
    assertThat(state.state(SECOND, "proc-ocms")).isEqualTo("Alive");
    assertReplicatingInSync();
    assertThat(state.actionCount(SECOND, "opmnctl startproc ias-component=TIMESTEN")).isEqualTo(1);
    assertThat(state.actionCount(SECOND, "opmnctl startproc process-type=ocms")).isEqualTo(1);
    for (String node : List.of(FIRST, SECOND)) {
      assertThat(state.actionCount(node, "recover_replication_sync.pl")).as(node).isZero();
      assertThat(state.actionCount(node, "create_replication_sync.pl")).as(node).isZero();
      assertThat(state.actionCount(node, "ttAdmin -repPolicy manual")).as(node).isZero();
    }
  }

  @Test
  void shouldRecoverTheFailedInstanceOnBothNodesAndRerunNothingWhenItWasDownLongerThanTheThreshold() {
    LabState state = lab.state();
    state.set(SECOND, "timesten", "outageMinutes", 90);
    consoles.act(SECOND, "timesten", "fail-timesten", "drill");
    assertThat(shell.execute(FIRST, RECEIVERS).stdout()).as("the survivor holds the second Failed")
        .containsPattern("(?m)^OCMSDB +OCMS-2\\.SITE1\\.OCMS\\.LAB +Auto +Failed +24$");

    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D3-2",
        "{\"failedInstance\": \"second\", \"outageMinutes\": 90}");
    drill.awaitEnded(run);

    assertReplicatingInSync();
    Map<String, Integer> failedActions = Map.of("ttAdmin -repPolicy manual", 1, "ttAdmin -repStop", 1,
        "recover_replication_sync.pl", 1, "ttAdmin -repPolicy always", 1, "create_replication_sync.pl", 0,
        "ttIsql drop replication ocms_rep.repscheme", 0);
    Map<String, Integer> survivingActions = Map.of("ttAdmin -repPolicy manual", 1, "ttAdmin -repStop", 1,
        "recover_replication_sync.pl", 0, "ttAdmin -repPolicy always", 1, "create_replication_sync.pl", 1,
        "ttIsql drop replication ocms_rep.repscheme", 1);
    failedActions.forEach((action, count) ->
        assertThat(state.actionCount(SECOND, action)).as("failed: " + action).isEqualTo(count));
    survivingActions.forEach((action, count) ->
        assertThat(state.actionCount(FIRST, action)).as("surviving: " + action).isEqualTo(count));
    assertThat(state.actionCount(SECOND, "ttdestroy ocmsdb")).as("the steps, not the prose: nothing deleted").isZero();
    assertThat(state.actionCount(SECOND, "duplicate_db_replication.pl")).isZero();

    // a rerun (as after a crash once the recovery was done) finds the survivor holding the second in
    // sync: it acts on neither node
    Map<String, Integer> firstBefore = state.actionCounts(FIRST);
    Map<String, Integer> secondBefore = state.actionCounts(SECOND);
    ProcessInstance rerun = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D3-3",
        "{\"failedInstance\": \"second\", \"outageMinutes\": 90}");
    drill.awaitEnded(rerun);
    assertThat(state.actionCounts(FIRST)).isEqualTo(firstBefore);
    assertThat(state.actionCounts(SECOND)).isEqualTo(secondBefore);
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(rerun.getId())
        .activityId("Task_SetFailedRepPolicyManual").count()).isZero();
    assertReplicatingInSync();
  }

  @Test
  void shouldRefuseWith400NamingTheFieldAndStartNothingWhenTheFailedInstanceIsNeitherFirstNorSecond() {
    ResponseEntity<JsonNode> refused = DrillSupport.postRun(rest, PROCESS_ID, "DRILL-D3-BAD",
        "{\"failedInstance\": \"third\", \"outageMinutes\": 90}");

    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(refused.getBody().path("errors").get(0).path("field").asText()).isEqualTo("parameters.failedInstance");
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceBusinessKey("DRILL-D3-BAD").count()).isZero();
  }

  @Test
  void shouldWalkEveryRecoveryStepAndTouchNoNodeWhenTheRunIsADryRun() {
    ProcessInstance walk = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D3-DRY",
        "{\"failedInstance\": \"second\", \"outageMinutes\": 90}", "dry-run");

    drill.awaitEnded(walk);

    for (String step : List.of("Task_RecoverReplicationOnFailed", "Task_RecreateReplicationOnSurviving",
        "EndEvent_InstanceRecovered")) {
      assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(walk.getId())
          .activityId(step).count()).as(step).isEqualTo(1);
    }
    for (String node : List.of(FIRST, SECOND)) {
      assertThat(lab.state().commandLog(node)).as(node).isEmpty();
    }
  }

  @Test
  void shouldPassItsPrechecksAndChangeNothingWhenTheRunIsAPrecheck() {
    ProcessInstance walk = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D3-PRE",
        "{\"failedInstance\": \"first\", \"outageMinutes\": 90}", "precheck");

    drill.awaitEnded(walk);

    List<PrecheckResults.Result> checks = prechecks.forRun(walk.getId());
    assertThat(checks).extracting(Object::toString)
        .anyMatch(check -> check.contains("OPMN of site1.ocms-1 answers"))
        .anyMatch(check -> check.contains("OPMN of site1.ocms-2 answers"));
    assertThat(checks).allSatisfy(check -> assertThat(check.ok()).as(check.toString()).isTrue());
    for (String node : List.of(FIRST, SECOND)) {
      assertThat(lab.state().actionCounts(node)).as(node).isEmpty();
    }
  }

  /** Each node: the scheme, policy always, the agent with its processes, its peer Start and none Failed. */
  private void assertReplicatingInSync() {
    for (String node : List.of(FIRST, SECOND)) {
      assertThat(lab.state().attribute(node, "timesten", "replicationSync")).as(node).isEqualTo("in-sync");
      assertThat(lab.state().attribute(node, "timesten", "repPolicy")).as(node).isEqualTo("always");
      assertThat(shell.execute(node, "ttIsql -connStr DSN=ocmsdb -e 'repschemes; quit'").stdout()).as(node)
          .contains("Replication Scheme OCMS_REP.REPSCHEME:");
      assertThat(shell.execute(node, "ttStatus").stdout()).as(node)
          .containsPattern("(?m)^Replication +\\d+ +0x0000 +TRANSMITTER$").contains("Replication agent is running.");
      assertThat(shell.execute(node, RECEIVERS).stdout()).as(node).contains(" Start ").doesNotContain("Failed");
    }
  }
}
