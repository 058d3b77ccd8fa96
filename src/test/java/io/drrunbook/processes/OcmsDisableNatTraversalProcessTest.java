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

/**
 * Path tests of {@code processes/dr-ocms-disable-nat-traversal.bpmn} (PROCEDURES D6, seed 003
 * L263-283) on the engine alone: each Edge Proxy node in turn, stopped, edited and started where
 * its edgeproxy.xml still enables NAT traversal, only started where it does not; the guided
 * Oracle Communicator step at the end; asserting the path and what each step was given on which node.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-ocms-disable-nat-traversal.bpmn",
    "forms/form-start-ocms-disable-nat-traversal.form",
    "forms/form-guided-step.form"})
class OcmsDisableNatTraversalProcessTest {

  static final String PROCESS_ID = "dr-ocms-disable-nat-traversal";
  static final List<String> NODES = List.of("site1.ocms-1", "site1.ocms-2");
  static final String EDGE_PROXY_XML = "/opt/oracle/ocms/sdp/edgeproxy/conf/edgeproxy.xml";

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine).returning("Task_ResolveEdgeProxies", Map.of("members", NODES));
  }

  @Test
  void shouldStopEditAndStartEachEdgeProxyInTurnWhenNatTraversalIsEnabledOnEveryNode() {
    steps.returning("Task_ReadNatTraversal", Map.of("changed", true));
    ProcessInstance run = start();

    steps.drive();

    // sequential: the first node is done (started again) before the second is read
    assertThat(steps.activityIds()).containsExactly("Task_ResolveEdgeProxies",
        "Task_ReadNatTraversal", "Task_StopEdgeProxy", "Task_DisableNatTraversal", "Task_StartEdgeProxy",
        "Task_ReadNatTraversal", "Task_StopEdgeProxy", "Task_DisableNatTraversal", "Task_StartEdgeProxy");
    assertThat(steps.calls().subList(1, 9)).extracting(call -> call.input("host"))
        .containsExactly("site1.ocms-1", "site1.ocms-1", "site1.ocms-1", "site1.ocms-1",
            "site1.ocms-2", "site1.ocms-2", "site1.ocms-2", "site1.ocms-2");
    assertThat(steps.calls("Task_ResolveEdgeProxies").get(0).inputs()).containsEntry("group", "ocms-edge-proxies");
    assertThat(steps.calls("Task_ReadNatTraversal").get(0).inputs()).containsEntry("route", "file-edit")
        .containsEntry("path", EDGE_PROXY_XML).containsEntry("operation", "set")
        .containsEntry("xpath", "/edge-proxy/nat-traverse/@enabled").containsEntry("value", "false")
        .containsEntry("preview", true);
    assertThat(steps.calls("Task_DisableNatTraversal").get(0).inputs()).containsEntry("route", "file-edit")
        .containsEntry("path", EDGE_PROXY_XML).containsEntry("xpath", "/edge-proxy/nat-traverse/@enabled")
        .containsEntry("value", "false").doesNotContainKey("preview");
    assertThat(steps.calls("Task_StopEdgeProxy")).allSatisfy(call -> assertThat(call.inputs())
        .containsEntry("route", "ssh-exec").containsEntry("command", "opmn-stop-process-type")
        .containsEntry("processType", "EdgeProxy"));
    assertThat(steps.calls("Task_StartEdgeProxy")).allSatisfy(call -> assertThat(call.inputs())
        .containsEntry("command", "opmn-start-process-type").containsEntry("processType", "EdgeProxy"));

    assertThat(run).isWaitingAt("UserTask_MatchOracleCommunicator");
    assertThat(task(run)).hasCandidateGroup("dr-operators");
    ScriptedSteps.assertDeployedForm(processEngine, task(run), "form-guided-step");
    complete(task(run), GuidedEvidence.of("Oracle Communicator default matches (disabled), a client registers", null));
    assertThat(run).isEnded().hasPassed("EndEvent_NatTraversalDisabled");
  }

  @Test
  void shouldOnlyStartTheEdgeProxyOfANodeWhoseFileHasNatTraversalDisabledAlready() {
    // as a rerun after a crash finds it: the first node done, the second not yet
    steps.answering("Task_ReadNatTraversal", inputs -> Map.of("changed", "site1.ocms-2".equals(inputs.get("host"))));
    ProcessInstance run = start();

    steps.drive();

    assertThat(steps.activityIds()).containsExactly("Task_ResolveEdgeProxies",
        "Task_ReadNatTraversal", "Task_StartEdgeProxy",
        "Task_ReadNatTraversal", "Task_StopEdgeProxy", "Task_DisableNatTraversal", "Task_StartEdgeProxy");
    assertThat(steps.calls("Task_StopEdgeProxy")).extracting(call -> call.input("host")).containsExactly("site1.ocms-2");
    assertThat(steps.calls("Task_StartEdgeProxy")).extracting(call -> call.input("host")).containsExactlyElementsOf(NODES);
    assertThat(run).isWaitingAt("UserTask_MatchOracleCommunicator");
  }

  @Test
  void shouldStopAndEditNothingWhenEveryNodeHasNatTraversalDisabledAlready() {
    steps.returning("Task_ReadNatTraversal", Map.of("changed", false));
    ProcessInstance run = start();

    steps.drive();

    assertThat(steps.activityIds()).containsExactly("Task_ResolveEdgeProxies",
        "Task_ReadNatTraversal", "Task_StartEdgeProxy", "Task_ReadNatTraversal", "Task_StartEdgeProxy");
    assertThat(run).isWaitingAt("UserTask_MatchOracleCommunicator").hasNotPassed("Task_StopEdgeProxy");
  }

  private ProcessInstance start() {
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, "CHG-D6-1", Map.of());
  }
}
