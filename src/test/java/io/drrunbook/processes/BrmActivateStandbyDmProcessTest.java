package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Path tests of {@code processes/dr-brm-activate-standby-dm.bpmn} (PROCEDURES E1, seed 004 L175-205)
 * on the engine alone: the standby data store set active when Clusterware could not restart the DM,
 * and the three ends with nothing to do (the DM restarted, the failed DM's data store not active,
 * the CM's requests not rejected), asserting the path and what each step was given on which host.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {"processes/dr-brm-activate-standby-dm.bpmn", "forms/form-start-brm-activate-standby-dm.form"})
class BrmActivateStandbyDmProcessTest {

  static final String PROCESS_ID = "dr-brm-activate-standby-dm";
  static final Map<String, Object> DM_NOT_RUNNING = Map.of("stdout", "dm_tt, Not Running\nprocessing state: none\n");
  static final Map<String, Object> DM_RUNNING = Map.of("stdout", "dm_tt, (5101), Running\nprocessing state: active\n");

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine).returning("Task_ReadFailedDm", DM_NOT_RUNNING);
  }

  @Test
  void shouldSetTheStandbyStoreActiveAndVerifyWhenClusterwareCouldNotRestartTheDm() {
    ProcessInstance run = start();

    steps.drive();

    assertThat(steps.activityIds()).containsExactly("Task_ReadFailedDm", "Task_CheckFailedStoreActive",
        "Task_CheckStandbyRejecting", "Task_CheckCmLogNotPrimary", "Task_SetStandbyStoreActive",
        "Task_VerifyStandbyDmActive", "Task_VerifyCmRequest");
    assertThat(steps.onlyInputs("Task_ReadFailedDm")).containsEntry("host", "site1.brm-dm-1").containsEntry("command", "brm-dm-status");
    assertThat(steps.onlyInputs("Task_CheckFailedStoreActive")).containsEntry("host", "site1.brm-dm-1")
        .containsEntry("command", "brm-datastore-state-check").containsEntry("storeState", "ACTIVE");
    assertThat(steps.onlyInputs("Task_CheckStandbyRejecting")).containsEntry("host", "site1.brm-cm")
        .containsEntry("command", "brm-cm-request-rejected-check");
    assertThat(steps.onlyInputs("Task_CheckCmLogNotPrimary")).containsEntry("host", "site1.brm-cm")
        .containsEntry("command", "brm-cm-log-not-primary-check");
    assertThat(steps.onlyInputs("Task_SetStandbyStoreActive")).containsEntry("host", "site1.brm-dm-2")
        .containsEntry("command", "brm-datastore-set-active");
    assertThat(steps.onlyInputs("Task_VerifyStandbyDmActive")).containsEntry("host", "site1.brm-dm-2")
        .containsEntry("command", "brm-dm-processing-state-check").containsEntry("processingState", "active");
    assertThat(steps.onlyInputs("Task_VerifyCmRequest")).containsEntry("host", "site1.brm-cm")
        .containsEntry("command", "brm-cm-request-check");
    assertThat(steps.calls()).noneMatch(call -> "site1.brm-dm-1".equals(call.input("host"))
        && call.activityId().startsWith("Task_Set"));
    assertThat(run).isEnded().hasPassed("EndEvent_StandbyDmActive");
  }

  @Test
  void shouldEndWithNothingToDoWhenClusterwareRestartedTheDm() {
    steps.returning("Task_ReadFailedDm", DM_RUNNING);
    ProcessInstance run = start();

    steps.drive();

    assertThat(steps.activityIds()).containsExactly("Task_ReadFailedDm");
    assertThat(run).isEnded().hasPassed("EndEvent_NothingToDoDmRestarted");
    assertThat(ScriptedSteps.variable(processEngine, run.getId(), "failedDmStatus")).isEqualTo("dm_tt, (5101), Running\nprocessing state: active");
  }

  /** A precondition check that finds otherwise (seed 004 L197, L199) ends the run with its finding, nothing set. */
  @ParameterizedTest
  @CsvSource({
      "Task_CheckFailedStoreActive, EndEvent_NothingToDoStoreNotActive, 'verification of ''brm-datastore-state-check'' on site1.brm-dm-1 failed: ... (stdout: brm_tt STANDBY)'",
      "Task_CheckStandbyRejecting, EndEvent_NothingToDoNotRejecting, 'verification of ''brm-cm-request-rejected-check'' on site1.brm-cm failed: ... (stdout: robj: PIN_ERR_NONE)'"})
  void shouldEndWithNothingToDoWhenAPreconditionCheckFindsOtherwise(String check, String end, String finding) {
    steps.failingOnce(check, "DR_VERIFY_FAILED", finding);
    ProcessInstance run = start();

    steps.drive();

    assertThat(steps.activityIds()).endsWith(check).doesNotContain("Task_CheckCmLogNotPrimary", "Task_SetStandbyStoreActive");
    assertThat(run).isEnded().hasPassed(end).hasNotPassed("EndEvent_StandbyDmActive");
    assertThat(ScriptedSteps.variable(processEngine, run.getId(), "preconditionFinding")).isEqualTo(finding);
  }

  private ProcessInstance start() {
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, "CHG-E1-1");
  }
}
