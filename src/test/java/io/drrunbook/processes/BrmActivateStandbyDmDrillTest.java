package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabShell;
import io.drrunbook.lab.LabState;
import io.drrunbook.prechecks.PrecheckResults;
import io.drrunbook.topology.Topology;
import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;

/**
 * E1 (dr-brm-activate-standby-dm) against the drill lab's BRM (model oracle-brm): after the active
 * DM crashed and Clusterware could not restart it (console action crash-restart-fails), a run
 * started through the product API ends with the standby data store and DM active and the CM's test
 * request served by the standby DM, the formerly active store left active (the seed's open point);
 * a rerun sets nothing. After a crash that Clusterware repaired, the run ends with nothing to do.
 * Its precheck reads the situation and changes nothing.
 */
@DrillContext
class BrmActivateStandbyDmDrillTest {

  private static final String PROCESS_ID = "dr-brm-activate-standby-dm";
  private static final String CM = "site1.brm-cm";
  private static final String DM1 = "site1.brm-dm-1";
  private static final String DM2 = "site1.brm-dm-2";
  private static final String SET_ACTIVE = "brm-tt-state set-active";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired LabShell shell;
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
  void shouldActivateTheStandbyAndServeTheCmThenRerunNothingWhenTheDmCannotBeRestarted() {
    DrillSupport.console(rest, DM1, "dm", "crash-restart-fails");
    assertThat(shell.execute(CM, "brm-cm-test robj").stdout()).as("before the run").startsWith("robj: PIN_ERR_NOT_PRIMARY");
    LabState state = lab.state();

    String run = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-E1-1", "{}", "drill");

    drill.assertPassed(run, "EndEvent_StandbyDmActive");
    assertThat(state.state(DM2, "datastore")).isEqualTo("ACTIVE");
    assertThat(state.attribute(DM2, "dm", "processingState")).isEqualTo("active");
    assertThat(shell.execute(DM2, "pin_ctl status dm_tt").stdout()).endsWith("processing state: active\n");
    assertThat(shell.execute(CM, "brm-cm-test robj").stdout()).isEqualTo("robj: PIN_ERR_NONE (dm_tt dm-2.site1.brm.lab:12950)\n");
    assertThat(state.state(DM1, "dm")).as("the failed DM is left as it is").isEqualTo("DOWN");
    assertThat(state.state(DM1, "datastore")).as("remains active (L197): the seed's open point").isEqualTo("ACTIVE");
    assertThat(state.actionCount(DM2, SET_ACTIVE)).isEqualTo(1);
    assertThat(state.actionCounts(DM1)).as("nothing done on the failed node").doesNotContainKey(SET_ACTIVE);

    // a rerun (as after a crash of the run) finds the CM's requests served: it sets nothing
    String rerun = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-E1-2", "{}", "drill");
    drill.assertPassed(rerun, "EndEvent_NothingToDoNotRejecting");
    assertThat(state.actionCount(DM2, SET_ACTIVE)).isEqualTo(1);
    assertThat(state.state(DM2, "datastore")).isEqualTo("ACTIVE");
  }

  @Test
  void shouldEndWithNothingToDoAndSetNothingWhenClusterwareRestartedTheDm() {
    DrillSupport.console(rest, DM1, "dm", "crash-restart-ok");

    String run = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-E1-3", "{}", "drill");

    drill.assertPassed(run, "EndEvent_NothingToDoDmRestarted");
    assertThat(lab.state().state(DM1, "datastore")).isEqualTo("ACTIVE");
    assertThat(lab.state().state(DM2, "datastore")).isEqualTo("STANDBY");
    assertThat(lab.state().actionCount(DM2, SET_ACTIVE)).isZero();
    assertThat(shell.execute(CM, "brm-cm-test robj").stdout()).isEqualTo("robj: PIN_ERR_NONE (dm_tt dm-1.site1.brm.lab:12950)\n");
  }

  @Test
  void shouldPassItsPrechecksAndSetNothingWhenTheRunIsAPrecheckAfterTheDmCouldNotBeRestarted() {
    DrillSupport.console(rest, DM1, "dm", "crash-restart-fails");

    String walk = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-E1-PRE", "{}", "precheck");

    List<PrecheckResults.Result> checks = prechecks.forRun(walk);
    assertThat(checks).filteredOn(check -> "check".equals(check.kind())).hasSize(4)
        .allSatisfy(check -> assertThat(check.ok()).as(check.toString()).isTrue());
    assertThat(lab.state().state(DM2, "datastore")).isEqualTo("STANDBY");
    assertThat(lab.state().actionCount(DM2, SET_ACTIVE)).isZero();
  }
}
