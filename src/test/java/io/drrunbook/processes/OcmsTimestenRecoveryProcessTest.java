package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.ArrayList;
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

/**
 * Path tests of {@code processes/dr-ocms-timesten-recovery.bpmn} (PROCEDURES D3, seed 003 L714-781)
 * on the engine alone: a short outage restarted, a long one recovered on the failed then the
 * surviving node in the seed's order, a long one the survivor already holds in sync (nothing done),
 * a survivor whose scheme cannot be read (the steps run), asserting the path and what each step was
 * given on which node.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-ocms-timesten-recovery.bpmn",
    "forms/form-start-ocms-timesten-recovery.form"})
class OcmsTimestenRecoveryProcessTest {

  static final String PROCESS_ID = "dr-ocms-timesten-recovery";
  static final String FIRST = OcmsTimestenReplicationSetupProcessTest.FIRST;
  static final String SECOND = OcmsTimestenReplicationSetupProcessTest.SECOND;
  static final String HEADER = "Peer name       Host name                Port   State   Proto\n"
      + "--------------- ------------------------ ------ ------- -----\n";
  static final Map<String, Object> FAILED = Map.of("stdout",
      HEADER + "OCMSDB          OCMS-2.SITE1.OCMS.LAB    Auto   Failed  24\n");
  static final Map<String, Object> IN_SYNC = Map.of("stdout",
      HEADER + "OCMSDB          OCMS-2.SITE1.OCMS.LAB    Auto   Start   24\n");
  static final List<String> RECOVERY = List.of("Task_SetFailedRepPolicyManual", "Task_StopReplicationOnFailed",
      "Task_RecoverReplicationOnFailed", "Task_SetFailedRepPolicyAlways", "Task_SetSurvivingRepPolicyManual",
      "Task_StopReplicationOnSurviving", "Task_DropReplicationOnSurviving", "Task_RecreateReplicationOnSurviving",
      "Task_SetSurvivingRepPolicyAlways");
  static final List<String> VERIFICATION = List.of("Task_VerifyReplicationRunning", "Task_VerifyReplicationRunning",
      "Task_VerifySchemeOnEachNode", "Task_VerifySchemeOnEachNode", "Task_VerifyPeersInSync", "Task_VerifyPeersInSync");

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine)
        .returning("Task_ResolveNodes", Map.of("members", List.of(FIRST, SECOND)))
        .returning("Task_ResolveFailedFqdn", Map.of("hostName", "ocms-2.site1.ocms.lab"))
        .returning("Task_ResolveSurvivingFqdn", Map.of("hostName", "ocms-1.site1.ocms.lab"))
        .returning("Task_ReadSurvivorReceivers", FAILED);
  }

  @Test
  void shouldRestartTimesTenAndOcmsOnTheFailedNodeWhenTheOutageWasShorterThanTheThreshold() {
    ProcessInstance run = start("second", 5, 60);

    steps.drive();

    assertThat(steps.activityIds()).containsExactlyElementsOf(concat(List.of("Task_ResolveNodes",
        "Task_StartTimesTenOnFailed", "Task_StartOcmsOnFailed"), VERIFICATION));
    assertThat(input("Task_StartTimesTenOnFailed")).containsEntry("host", SECOND)
        .containsEntry("command", "opmn-start-ias-component").containsEntry("iasComponent", "TIMESTEN");
    assertThat(input("Task_StartOcmsOnFailed")).containsEntry("host", SECOND)
        .containsEntry("command", "opmn-start-process-type").containsEntry("processType", "ocms");
    assertThat(steps.calls("Task_VerifyPeersInSync")).extracting(call -> call.input("host"))
        .containsExactlyInAnyOrder(FIRST, SECOND);
    assertThat(run).isEnded().hasPassed("Task_StartOcmsOnFailed", "EndEvent_InstanceRecovered")
        .hasNotPassed("Task_ResolveFailedFqdn");
  }

  @Test
  void shouldRecoverTheFailedThenTheSurvivingInstanceInTheSeedsOrderWhenTheOutageWasLonger() {
    ProcessInstance run = start("second", 90, 60);

    steps.drive();

    List<String> ids = steps.activityIds();
    assertThat(ids.subList(ids.indexOf("Task_ReadSurvivorReceivers") + 1, ids.size()))
        .containsExactlyElementsOf(concat(RECOVERY, VERIFICATION));
    assertThat(input("Task_ReadSurvivorReceivers")).containsEntry("host", FIRST)
        .containsEntry("command", "timesten-receivers");
    for (String failedStep : RECOVERY.subList(0, 4)) {
      assertThat(input(failedStep)).as(failedStep).containsEntry("host", SECOND);
    }
    for (String survivingStep : RECOVERY.subList(4, 9)) {
      assertThat(input(survivingStep)).as(survivingStep).containsEntry("host", FIRST);
    }
    assertThat(input("Task_SetFailedRepPolicyManual")).containsEntry("command", "timesten-rep-policy-manual");
    assertThat(input("Task_StopReplicationOnFailed")).containsEntry("command", "timesten-rep-stop-connstr");
    assertThat(input("Task_RecoverReplicationOnFailed")).containsEntry("command", "timesten-recover-replication")
        .containsEntry("hostFqdn", "ocms-2.site1.ocms.lab");
    assertThat(input("Task_SetFailedRepPolicyAlways")).containsEntry("command", "timesten-rep-policy-always");
    assertThat(input("Task_StopReplicationOnSurviving")).containsEntry("command", "timesten-rep-stop");
    assertThat(input("Task_DropReplicationOnSurviving")).containsEntry("command", "timesten-drop-replication");
    assertThat(input("Task_RecreateReplicationOnSurviving")).containsEntry("command", "timesten-create-replication")
        .containsEntry("hostFqdn", "ocms-1.site1.ocms.lab");
    assertThat(run).isEnded().hasPassed("Gateway_RecoveryNeeded", "Gateway_RecoverFailed", "EndEvent_InstanceRecovered")
        .hasNotPassed("Task_StartTimesTenOnFailed");
  }

  @Test
  void shouldRecoverTheFirstNodeFromTheSecondWhenTheFirstFailed() {
    steps.returning("Task_ResolveFailedFqdn", Map.of("hostName", "ocms-1.site1.ocms.lab"))
        .returning("Task_ResolveSurvivingFqdn", Map.of("hostName", "ocms-2.site1.ocms.lab"));
    ProcessInstance run = start("first", 61, 60);

    steps.drive();

    assertThat(input("Task_ReadSurvivorReceivers")).containsEntry("host", SECOND);
    assertThat(input("Task_RecoverReplicationOnFailed")).containsEntry("host", FIRST)
        .containsEntry("hostFqdn", "ocms-1.site1.ocms.lab");
    assertThat(input("Task_RecreateReplicationOnSurviving")).containsEntry("host", SECOND)
        .containsEntry("hostFqdn", "ocms-2.site1.ocms.lab");
    assertThat(run).isEnded().hasPassed("EndEvent_InstanceRecovered");
  }

  @Test
  void shouldRestartNotRecoverWhenTheOutageEqualsTheThreshold() {
    ProcessInstance run = start("first", 60, 60);

    steps.drive();

    assertThat(input("Task_StartTimesTenOnFailed")).containsEntry("host", FIRST);
    assertThat(steps.activityIds()).doesNotContainAnyElementsOf(RECOVERY);
    assertThat(run).isEnded().hasPassed("Task_StartOcmsOnFailed");
  }

  @Test
  void shouldActOnNothingAndOnlyVerifyWhenTheSurvivorHoldsTheFailedInstanceInSyncAlready() {
    steps.returning("Task_ReadSurvivorReceivers", IN_SYNC);
    ProcessInstance run = start("second", 120, 60);

    steps.drive();

    assertThat(steps.activityIds()).doesNotContainAnyElementsOf(RECOVERY)
        .doesNotContain("Task_StartTimesTenOnFailed", "Task_StartOcmsOnFailed")
        .containsSubsequence(VERIFICATION);
    assertThat(run).isEnded().hasPassed("Gateway_RecoveryNeeded", "EndEvent_InstanceRecovered")
        .hasNotPassed("Gateway_RecoverFailed");
  }

  @Test
  void shouldRunTheRecoveryStepsWhenTheSurvivorsSchemeCannotBeRead() {
    steps.failingOnce("Task_ReadSurvivorReceivers", "DR_VERIFY_FAILED",
        "TT8191: This store (OCMSDB on OCMS-1.SITE1.OCMS.LAB) is not involved in a replication scheme");
    ProcessInstance run = start("second", 120, 60);

    steps.drive();

    assertThat(steps.activityIds()).containsSubsequence(concat(RECOVERY, VERIFICATION));
    assertThat(run).isEnded().hasPassed("BoundaryEvent_SurvivorSchemeUnreadable", "EndEvent_InstanceRecovered")
        .hasNotPassed("Gateway_RecoveryNeeded");
  }

  private ProcessInstance start(String failedInstance, int outageMinutes, int failThresholdMinutes) {
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, "CHG-D3-1",
        Map.of("failedInstance", failedInstance, "outageMinutes", outageMinutes,
            "failThresholdMinutes", failThresholdMinutes));
  }

  private Map<String, Object> input(String activityId) {
    assertThat(steps.calls(activityId)).as(activityId).hasSize(1);
    return steps.calls(activityId).get(0).inputs();
  }

  /** The two lists one after the other. */
  static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }
}
