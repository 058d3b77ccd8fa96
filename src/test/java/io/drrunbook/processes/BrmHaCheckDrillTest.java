package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabFileSystems;
import io.drrunbook.lab.LabShell;
import io.drrunbook.lab.LabState;
import io.drrunbook.prechecks.PrecheckResults;
import io.drrunbook.prechecks.ProcedureChecks;
import io.drrunbook.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * E2 (dr-brm-ha-check) against the drill lab's BRM (model oracle-brm): the readiness check passes
 * on a new lab and changes nothing, as a check run and as a precheck run; it fails naming the check
 * when the CM's pin.conf lacks the standby DM or when a DM is down; in mode drill, the operator
 * fails the active node on the lab's console when the run asks, and the run ends with the standby
 * data store and DM active and the CM's requests served by the standby DM. A bad mode is a 400.
 */
@DrillContext
class BrmHaCheckDrillTest {

  private static final String PROCESS_ID = "dr-brm-ha-check";
  private static final String CM = "site1.brm-cm";
  private static final String DM1 = "site1.brm-dm-1";
  private static final String DM2 = "site1.brm-dm-2";
  private static final String CHECK = "{\"mode\": \"check\"}";
  private static final String CM_PIN_CONF = "opt/portal/sys/cm/pin.conf";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired LabShell shell;
  @Autowired LabFileSystems files;
  @Autowired TestRestTemplate rest;
  @Autowired PrecheckResults prechecks;

  private DrillSupport drill;

  @BeforeEach
  void resetLab() {
    lab.reset();
    drill = new DrillSupport(runtime, tasks, history, identity, topology, lab);
  }

  @AfterEach
  void leaveTheLabAsItWas() {
    lab.reset();
  }

  @Test
  void shouldPassEveryCheckAndChangeNothingWhenTheLabIsNew() {
    String run = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-E2-1", CHECK, "drill");

    drill.assertPassed(run, "EndEvent_HaReady");
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(run)
        .activityId("Task_CheckDmMatchesStore").count()).as("K6 on each node").isEqualTo(2);
    assertLabUnchanged();

    String walk = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-E2-PRE", CHECK, "precheck");
    List<PrecheckResults.Result> checks = catalogChecks(walk);
    assertThat(checks).hasSize(9).allSatisfy(check -> assertThat(check.ok()).as(check.toString()).isTrue());
    assertThat(checks).extracting(PrecheckResults.Result::target).anyMatch(name -> name.startsWith("K1 "))
        .anyMatch(name -> name.startsWith("K8 "));
    assertLabUnchanged();
  }

  @Test
  void shouldFailNamingTheDmPointerCheckWhenTheCmsPinConfLacksTheStandbyDm() throws Exception {
    Path conf = files.root(CM).resolve(CM_PIN_CONF);
    Files.writeString(conf, Files.readString(conf).replace(" ip dm-2.site1.brm.lab 12950", ""));

    String run = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-E2-2", CHECK, "drill");

    drill.assertPassed(run, "EndEvent_HaNotReady");
    assertThat(finding(run)).contains("'brm-cm-dm-pointers-check' on site1.brm-cm");
    String walk = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-E2-2-PRE", CHECK, "precheck");
    assertThat(catalogChecks(walk)).filteredOn(check -> !check.ok()).singleElement()
        .satisfies(check -> assertThat(check.target()).startsWith("K1 the CM's pin.conf has dm_pointer entries"));
  }

  @Test
  void shouldFailNamingTheClusterwareCheckWhenTheActiveDmIsDown() {
    DrillSupport.console(rest, DM1, "dm", "crash-restart-fails");

    String run = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-E2-3", "{\"mode\": \"drill\"}", "drill");

    drill.assertPassed(run, "EndEvent_HaNotReady");
    assertThat(finding(run)).contains("'brm-clusterware-pair-check' on site1.brm-dm-1").contains("OFFLINE");
    assertThat(history.createHistoricTaskInstanceQuery().processInstanceId(run).count())
        .as("no node failed by a run that is not ready").isZero();
    assertThat(lab.state().state(DM1, "node")).isEqualTo("UP");
  }

  @Test
  void shouldEndWithTheStandbyActiveAndServingTheCmWhenTheDrillFailsTheActiveNode() {
    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-E2-4", "{\"mode\": \"drill\"}");
    Task failNode = drill.awaitTask(run, "UserTask_FailActiveNode");
    assertThat(lab.state().state(DM1, "node")).as("the run fails nothing itself").isEqualTo("UP");

    // the operator does what the step says on the lab's console, then completes the step
    DrillSupport.console(rest, DM1, "node", "node-down");
    identity.setAuthentication("operator", List.of(DrGroups.OPERATORS));
    try {
      tasks.complete(failNode.getId(), GuidedEvidence.of("node failed", null));
    } finally {
      identity.clearAuthentication();
    }
    drill.awaitEnded(run);

    drill.assertPassed(run.getId(), "EndEvent_StandbyTookOver");
    LabState state = lab.state();
    assertThat(state.state(DM1, "node")).isEqualTo("DOWN");
    assertThat(state.state(DM2, "datastore")).isEqualTo("ACTIVE");
    assertThat(state.state(DM1, "datastore")).as("the formerly active store, L165").isEqualTo("STANDBY");
    assertThat(state.attribute(DM2, "dm", "processingState")).isEqualTo("active");
    assertThat(shell.execute(CM, "brm-cm-test robj").stdout()).isEqualTo("robj: PIN_ERR_NONE (dm_tt dm-2.site1.brm.lab:12950)\n");
    assertThat(shell.execute(CM, "tail -n 10 /opt/portal/var/cm/cm.pinlog").stdout())
        .contains("connection to dm_tt dm-1.site1.brm.lab:12950 failed: failing over");
    assertThat(state.actionCount(DM2, "brm-tt-state set-active")).as("Clusterware's doing, not the run's").isZero();
  }

  @Test
  void shouldWalkTheDrillAndTouchNoBrmHostWhenTheRunIsADryRun() {
    String walk = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-E2-DRY", "{\"mode\": \"drill\"}", "dry-run");

    drill.assertPassed(walk, "UserTask_FailActiveNode");
    drill.assertPassed(walk, "EndEvent_StandbyTookOver");
    for (String host : List.of(CM, DM1, DM2)) {
      assertThat(lab.state().commandLog(host)).as(host).isEmpty();
    }
    assertThat(lab.state().state(DM1, "node")).isEqualTo("UP");
  }

  @Test
  void shouldRefuseTheStartNamingTheModeWhenItIsNeitherCheckNorDrill() {
    ResponseEntity<JsonNode> refused =
        DrillSupport.postRun(rest, PROCESS_ID, "DRILL-E2-5", "{\"mode\": \"failover\"}");

    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(refused.getBody().toString()).contains("parameters.mode");
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceBusinessKey("DRILL-E2-5").count()).isZero();
  }

  /** Nothing in the BRM lab changed state: every component as at a reset, no lab action counted. */
  private void assertLabUnchanged() {
    LabState state = lab.state();
    assertThat(state.state(DM1, "datastore")).isEqualTo("ACTIVE");
    assertThat(state.state(DM2, "datastore")).isEqualTo("STANDBY");
    for (String host : List.of(CM, DM1, DM2)) {
      assertThat(state.actionCounts(host)).as(host).isEmpty();
    }
  }

  private List<PrecheckResults.Result> catalogChecks(String walk) {
    return prechecks.forRun(walk).stream().filter(check -> ProcedureChecks.KIND.equals(check.kind())).toList();
  }

  private String finding(String run) {
    return String.valueOf(history.createHistoricVariableInstanceQuery().processInstanceId(run)
        .variableName("readinessFinding").singleResult().getValue());
  }
}
