package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;

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
 * Path tests of {@code processes/dr-ocms-rolling-upgrade.bpmn} (PROCEDURES D5, seed 003 L458-489)
 * on the engine alone: each OCMS node in turn through steps 1-7 (the cluster checked whole before a
 * node is taken out, the version verified after the guided upgrade, reopened when it is not
 * reported, the in-progress calls confirmed), a node at the target version in the cluster only
 * verified, one found upgraded but out of the cluster put back; asserting the path and what each
 * step was given on which node.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-ocms-rolling-upgrade.bpmn",
    "forms/form-start-ocms-rolling-upgrade.form",
    "forms/form-guided-step.form"})
class OcmsRollingUpgradeProcessTest {

  static final String PROCESS_ID = "dr-ocms-rolling-upgrade";
  static final List<String> NODES = List.of("site1.ocms-1", "site1.ocms-2");
  static final String OPMN_XML = "/opt/oracle/ocms/opmn/conf/opmn.xml";
  static final String UPGRADED = "application upgraded";
  static final String CALLS_COMPLETED = "in-progress calls completed, new version serving";
  static final List<String> TAKE_OUT = List.of("Task_ReadApplicationVersion", "Task_ReadTopology",
      "Task_CheckClusterWhole", "Task_ShutdownNode", "Task_CommentOutTopology", "Task_StartOutOfCluster");
  static final List<String> PUT_BACK = List.of("Task_VerifyApplicationVersion", "Task_ShutdownUpgradedNode",
      "Task_UncommentTopology", "Task_StartInCluster");

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine).returning("Task_ResolveOcmsNodes", Map.of("members", NODES))
        .returning("Task_ReadTopology", Map.of("changed", true));
  }

  @Test
  void shouldTakeOutUpgradeAndPutBackEachNodeInTurnWhenNoNodeIsAtTheTargetVersion() {
    steps.returning("Task_ReadApplicationVersion", Map.of("stdout", "subscriber-services 1.0\n"));
    ProcessInstance run = start();

    for (String node : NODES) {
      steps.drive();
      assertThat(run).isWaitingAt("UserTask_UpgradeApplication");
      assertThat(task(run)).hasCandidateGroup("dr-operators");
      ScriptedSteps.assertDeployedForm(processEngine, task(run), "form-guided-step");
      assertThat(processEngine.getTaskService().getVariable(task(run).getId(), "guideClickPath")).asString()
          .contains("Deploy version 1.1").contains(node);
      complete(task(run), GuidedEvidence.of(UPGRADED, null));
      steps.drive();
      assertThat(run).isWaitingAt("UserTask_ConfirmCallsCompleted");
      complete(task(run), GuidedEvidence.of(CALLS_COMPLETED, "no active session left"));
    }
    steps.drive();

    // sequential: the first node is back in the cluster (verified) before the second is read
    List<String> node = new ArrayList<>(TAKE_OUT);
    node.addAll(PUT_BACK);
    node.add("Task_VerifyBackInCluster");
    List<String> expected = new ArrayList<>(List.of("Task_ResolveOcmsNodes"));
    expected.addAll(node);
    expected.addAll(node);
    assertThat(steps.activityIds()).containsExactlyElementsOf(expected);
    assertThat(steps.calls().subList(1, 12)).extracting(call -> call.input("host")).containsOnly("site1.ocms-1");
    assertThat(steps.calls().subList(12, 23)).extracting(call -> call.input("host")).containsOnly("site1.ocms-2");
    assertThat(steps.calls("Task_ResolveOcmsNodes").get(0).inputs()).containsEntry("group", "ocms-nodes");
    assertThat(steps.calls("Task_ReadApplicationVersion").get(0).inputs()).containsEntry("route", "ssh-exec")
        .containsEntry("command", "ocms-app-version");
    assertThat(steps.calls("Task_ReadTopology").get(0).inputs()).containsEntry("route", "file-edit")
        .containsEntry("path", OPMN_XML).containsEntry("operation", "comment")
        .containsEntry("xpath", "/opmn/notification-server/topology").containsEntry("preview", true);
    assertThat(steps.calls("Task_CheckClusterWhole").get(0).inputs()).containsEntry("command", "opmn-cluster-status-check");
    assertThat(steps.calls("Task_ShutdownNode").get(0).inputs()).containsEntry("command", "opmn-shutdown");
    assertThat(steps.calls("Task_CommentOutTopology").get(0).inputs()).containsEntry("route", "file-edit")
        .containsEntry("path", OPMN_XML).containsEntry("operation", "comment")
        .containsEntry("xpath", "/opmn/notification-server/topology").doesNotContainKey("preview");
    assertThat(steps.calls("Task_StartOutOfCluster").get(0).inputs()).containsEntry("command", "opmn-startall");
    assertThat(steps.calls("Task_VerifyApplicationVersion").get(0).inputs())
        .containsEntry("command", "ocms-app-version-check").containsEntry("version", "1.1");
    assertThat(steps.calls("Task_ShutdownUpgradedNode").get(0).inputs()).containsEntry("command", "opmn-shutdown");
    assertThat(steps.calls("Task_UncommentTopology").get(0).inputs()).containsEntry("operation", "uncomment")
        .containsEntry("xpath", "/opmn/notification-server/topology").containsEntry("path", OPMN_XML);
    assertThat(steps.calls("Task_StartInCluster").get(0).inputs()).containsEntry("command", "opmn-startall");
    assertThat(steps.calls("Task_VerifyBackInCluster").get(0).inputs()).containsEntry("command", "opmn-cluster-status-check");
    assertThat(run).isEnded().hasPassed("EndEvent_RollingUpgradeDone");
  }

  @Test
  void shouldOnlyVerifyANodeAtTheTargetVersionInTheClusterWhenTheRunIsRepeated() {
    // as a rerun finds it: the first node done, the second not yet
    steps.answering("Task_ReadApplicationVersion", inputs -> Map.of("stdout",
        "site1.ocms-1".equals(inputs.get("host")) ? "subscriber-services 1.1\n" : "subscriber-services 1.0\n"));
    ProcessInstance run = start();

    steps.drive();

    assertThat(run).isWaitingAt("UserTask_UpgradeApplication");
    List<String> expected = new ArrayList<>(List.of("Task_ResolveOcmsNodes",
        "Task_ReadApplicationVersion", "Task_ReadTopology", "Task_VerifyBackInCluster"));
    expected.addAll(TAKE_OUT);
    assertThat(steps.activityIds()).containsExactlyElementsOf(expected);
    assertThat(steps.calls("Task_ShutdownNode")).extracting(call -> call.input("host")).containsExactly("site1.ocms-2");
    assertThat(steps.calls("Task_VerifyBackInCluster")).extracting(call -> call.input("host")).containsExactly("site1.ocms-1");
  }

  @Test
  void shouldPutBackWithoutUpgradingAgainANodeFoundUpgradedButOutOfTheCluster() {
    // a run stopped after step 4 on the first node: at the version, <topology> still commented out
    steps.returning("Task_ReadApplicationVersion", Map.of("stdout", "subscriber-services 1.1\n"))
        .answering("Task_ReadTopology", inputs -> Map.of("changed", !"site1.ocms-1".equals(inputs.get("host"))));
    ProcessInstance run = start();

    steps.drive();

    assertThat(steps.activityIds()).containsExactly("Task_ResolveOcmsNodes",
        "Task_ReadApplicationVersion", "Task_ReadTopology", "Task_ShutdownUpgradedNode", "Task_UncommentTopology",
        "Task_StartInCluster");
    assertThat(run).isWaitingAt("UserTask_ConfirmCallsCompleted").hasNotPassed("Task_ShutdownNode");
    complete(task(run), GuidedEvidence.of(CALLS_COMPLETED, "no active session left"));
    steps.drive();
    assertThat(steps.activityIds().subList(6, 10)).containsExactly("Task_VerifyBackInCluster",
        "Task_ReadApplicationVersion", "Task_ReadTopology", "Task_VerifyBackInCluster");
    assertThat(run).isEnded();
  }

  @Test
  void shouldReopenTheUpgradeStepWhenTheApplicationDoesNotReportTheTargetVersion() {
    steps.returning("Task_ReadApplicationVersion", Map.of("stdout", "subscriber-services 1.0\n"))
        .failingOnce("Task_VerifyApplicationVersion", "DR_VERIFY_FAILED", "subscriber-services 1.0");
    ProcessInstance run = start();
    steps.drive();
    complete(task(run), GuidedEvidence.of(UPGRADED, null));

    steps.drive();

    assertThat(run).isWaitingAt("UserTask_UpgradeApplication").hasNotPassed("Task_ShutdownUpgradedNode");
    assertThat(processEngine.getTaskService().getVariable(task(run).getId(), "guideFinding")).asString()
        .contains("subscriber-services 1.0");
    complete(task(run), GuidedEvidence.of(UPGRADED, null));
    steps.drive();
    assertThat(run).isWaitingAt("UserTask_ConfirmCallsCompleted");
    assertThat(steps.calls("Task_VerifyApplicationVersion")).hasSize(2);
  }

  private ProcessInstance start() {
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, "CHG-D5-1",
        Map.of("targetVersion", "1.1"));
  }
}
