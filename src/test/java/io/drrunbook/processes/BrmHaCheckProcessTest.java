package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;

import java.util.List;
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
 * Path tests of {@code processes/dr-brm-ha-check.bpmn} (PROCEDURES E2, census section 5) on the
 * engine alone: every readiness check passed in mode check, a failed check of the CM and of one
 * node (HA not ready, the finding kept, no later check), mode drill in a drill run (the guided node
 * failure, then the takeover verified) and in an execute run (no node failed).
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-brm-ha-check.bpmn",
    "forms/form-start-brm-ha-check.form",
    "forms/form-guided-step.form"})
class BrmHaCheckProcessTest {

  static final String PROCESS_ID = "dr-brm-ha-check";
  static final String DM1 = "site1.brm-dm-1";
  static final String DM2 = "site1.brm-dm-2";
  static final List<String> CHECKS = List.of("Task_CheckDmPointers", "Task_CheckCmRetryDelay",
      "Task_CheckClusterwarePair", "Task_CheckDmRetryDelay", "Task_ReadStoreState", "Task_CheckDmMatchesStore",
      "Task_CheckTnsnames", "Task_CheckDmRetryDelay", "Task_ReadStoreState", "Task_CheckDmMatchesStore",
      "Task_CheckTnsnames", "Task_CheckRacServiceConfig", "Task_CheckRacServiceRunning");
  static final List<String> DRILL = List.of("Task_VerifyStandbyStoreActive", "Task_VerifyStandbyDmActive",
      "Task_VerifyCmServedByStandby", "Task_VerifyCmLogFailover");

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine)
        .returning("Task_ResolveDmNodes", Map.of("members", List.of(DM1, DM2)))
        .returning("Task_ResolveActiveDmName", Map.of("hostName", "dm-1.site1.brm.lab"))
        .returning("Task_ResolveStandbyDmName", Map.of("hostName", "dm-2.site1.brm.lab"))
        .returning("Task_ResolvePrimaryRacName", Map.of("hostName", "rac-1.site1.brm.lab"))
        .returning("Task_ResolveBackupRacName", Map.of("hostName", "rac-2.site1.brm.lab"))
        .returning("Task_ReadStoreState", Map.of("stdout", "brm_tt STANDBY\n"));
  }

  @Test
  void shouldRunEveryReadinessCheckAndChangeNothingWhenTheModeIsCheck() {
    ProcessInstance run = start("check", "drill");

    steps.drive();

    List<String> ids = steps.activityIds();
    assertThat(ids.subList(ids.indexOf("Task_CheckDmPointers"), ids.size())).containsExactlyElementsOf(CHECKS);
    assertThat(steps.onlyInputs("Task_CheckDmPointers")).containsEntry("host", "site1.brm-cm")
        .containsEntry("command", "brm-cm-dm-pointers-check").containsEntry("activeDmHost", "dm-1.site1.brm.lab")
        .containsEntry("standbyDmHost", "dm-2.site1.brm.lab");
    assertThat(steps.onlyInputs("Task_CheckClusterwarePair")).containsEntry("host", DM1)
        .containsEntry("command", "brm-clusterware-pair-check");
    assertThat(steps.calls("Task_CheckDmMatchesStore")).extracting(call -> call.input("host")).containsExactly(DM1, DM2);
    assertThat(steps.calls("Task_CheckDmMatchesStore")).allSatisfy(call -> assertThat(call.inputs())
        .containsEntry("command", "brm-dm-processing-state-check").containsEntry("processingState", "standby"));
    assertThat(steps.calls("Task_CheckTnsnames")).allSatisfy(call -> assertThat(call.inputs())
        .containsEntry("primaryRacHost", "rac-1.site1.brm.lab").containsEntry("backupRacHost", "rac-2.site1.brm.lab")
        .containsEntry("service", "brm_schema1"));
    assertThat(steps.onlyInputs("Task_CheckRacServiceRunning")).containsEntry("host", "site1.brm-rac-1")
        .containsEntry("command", "brm-rac-service-running-check");
    assertThat(ids).doesNotContainAnyElementsOf(DRILL);
    assertThat(run).isEnded().hasPassed("EndEvent_HaReady").hasNotPassed("UserTask_FailActiveNode");
  }

  /** The first check that fails (on the CM, or on the second node) ends the run not ready, with its finding. */
  @ParameterizedTest
  @CsvSource({
      "Task_CheckDmPointers, site1.brm-cm, Task_CheckCmRetryDelay, 'verification of ''brm-cm-dm-pointers-check'' on site1.brm-cm failed: its output does not match ...'",
      "Task_CheckTnsnames, site1.brm-dm-2, Task_CheckRacServiceConfig, 'verification of ''brm-dm-tnsnames-check'' on site1.brm-dm-2 failed: its output does not match ...'"})
  void shouldEndNotReadyWithTheFindingAndCheckNoFurtherWhenACheckFails(String check, String host, String notRun,
      String finding) {
    steps.failingOnce(check, inputs -> host.equals(inputs.get("host")), "DR_VERIFY_FAILED", finding);
    ProcessInstance run = start("drill", "drill");

    steps.drive();

    assertThat(steps.activityIds()).endsWith(check).doesNotContain(notRun);
    assertThat(steps.calls().get(steps.calls().size() - 1).input("host")).isEqualTo(host);
    assertThat(run).isEnded().hasPassed("BoundaryEvent_NotReady", "EndEvent_HaNotReady")
        .hasNotPassed("UserTask_FailActiveNode");
    assertThat(ScriptedSteps.variable(processEngine, run.getId(), "readinessFinding")).isEqualTo(finding);
  }

  @Test
  void shouldAskForTheNodeFailureThenVerifyTheTakeoverWhenTheModeIsDrillInADrillRun() {
    ProcessInstance run = start("drill", "drill");

    steps.drive();
    assertThat(run).isWaitingAt("UserTask_FailActiveNode");
    assertThat(steps.activityIds()).doesNotContainAnyElementsOf(DRILL);
    assertThat(processEngine.getTaskService().getVariable(task(run).getId(), "guideClickPath").toString())
        .contains("/lab/api/consoles/site1.brm-dm-1/node/node-down");
    complete(task(run), GuidedEvidence.of("node failed", null));
    steps.drive();

    List<String> ids = steps.activityIds();
    assertThat(ids.subList(ids.size() - DRILL.size(), ids.size())).containsExactlyElementsOf(DRILL);
    assertThat(steps.onlyInputs("Task_VerifyStandbyStoreActive")).containsEntry("host", DM2)
        .containsEntry("command", "brm-datastore-state-check").containsEntry("storeState", "ACTIVE");
    assertThat(steps.onlyInputs("Task_VerifyStandbyDmActive")).containsEntry("host", DM2).containsEntry("processingState", "active");
    assertThat(steps.onlyInputs("Task_VerifyCmServedByStandby")).containsEntry("host", "site1.brm-cm")
        .containsEntry("command", "brm-cm-request-served-by-check").containsEntry("dmHost", "dm-2.site1.brm.lab");
    assertThat(steps.onlyInputs("Task_VerifyCmLogFailover")).containsEntry("command", "brm-cm-log-failover-check")
        .containsEntry("dmHost", "dm-1.site1.brm.lab");
    assertThat(run).isEnded().hasPassed("EndEvent_StandbyTookOver");
  }

  @Test
  void shouldReopenTheNodeFailureWithTheFindingWhenTheStandbyStoreIsNotActiveAfterIt() {
    String finding = "verification of 'brm-datastore-state-check' on site1.brm-dm-2 failed: ... (stdout: brm_tt STANDBY)";
    steps.failingOnce("Task_VerifyStandbyStoreActive", "DR_VERIFY_FAILED", finding);
    ProcessInstance run = start("drill", "drill");
    steps.drive();
    complete(task(run), GuidedEvidence.of("node failed", null));

    steps.drive();

    assertThat(run).isWaitingAt("UserTask_FailActiveNode");
    assertThat(processEngine.getTaskService().getVariable(task(run).getId(), "guideFinding")).isEqualTo(finding);
    assertThat(steps.activityIds()).doesNotContain("Task_VerifyStandbyDmActive");
    complete(task(run), GuidedEvidence.of("node failed", null));
    steps.drive();
    assertThat(steps.calls("Task_VerifyStandbyStoreActive")).hasSize(2);
    assertThat(run).isEnded().hasPassed("EndEvent_StandbyTookOver");
  }

  @Test
  void shouldFailNoNodeWhenTheModeIsDrillInAnExecuteRun() {
    ProcessInstance run = start("drill", "execute");

    steps.drive();

    assertThat(steps.activityIds()).doesNotContainAnyElementsOf(DRILL);
    assertThat(run).isEnded().hasPassed("EndEvent_DrillNotInExecute").hasNotPassed("UserTask_FailActiveNode");
  }

  private ProcessInstance start(String mode, String runMode) {
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, "CHG-E2-1",
        Map.of("mode", mode, "runMode", runMode));
  }
}
