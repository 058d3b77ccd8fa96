package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Path tests of {@code processes/dr-ocms-cluster-setup.bpmn} (PROCEDURES D1, seed 003 L71-257) on the
 * engine alone: both association methods, the NAT traversal choice and the guided console steps per
 * node, asserting the path and what each OPMN and file step was given on which node.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-ocms-cluster-setup.bpmn",
    "forms/form-start-ocms-cluster-setup.form",
    "forms/form-guided-step.form"})
class OcmsClusterSetupProcessTest {

  static final String PROCESS_ID = "dr-ocms-cluster-setup";
  static final List<String> NODES = List.of("site1.ocms-1", "site1.ocms-2");
  static final String OPMN_XML = "/opt/oracle/ocms/opmn/conf/opmn.xml";
  static final String EDGE_PROXY_XML = "/opt/oracle/ocms/sdp/edgeproxy/conf/edgeproxy.xml";

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine)
        .returning("Task_ResolveNodes", Map.of("members", NODES))
        .returning("Task_ResolveEdgeProxies", Map.of("members", NODES, "hostName", "ocms-1.site1.ocms.lab"));
  }

  @Test
  void shouldSetTheMulticastAddressOnEveryNodeAndConfigureTheClusterWhenDiscoveryIsDynamic() {
    ProcessInstance run = start(Map.of("multicastAddress", "239.192.0.10", "multicastPort", 6201));

    workConsoleSteps(run);

    assertThat(steps.activityIds()).containsExactly("Task_ResolveNodes", "Task_ResolveEdgeProxies",
        "Task_SetMulticastDiscover", "Task_SetMulticastDiscover", "Task_ReloadOpmnDynamic", "Task_ReloadOpmnDynamic",
        "Task_StartCluster", "Task_StartCluster", "Task_VerifyCluster", "Task_VerifyCluster",
        "Task_StopCluster", "Task_StopCluster", "Task_AddOc4jPing", "Task_AddOc4jPing",
        "Task_SetNatTraversal", "Task_SetNatTraversal", "Task_RestartCluster", "Task_RestartCluster",
        "Task_VerifyEdgeProxy", "Task_VerifyEdgeProxy", "Task_VerifyClusterConfigured", "Task_VerifyClusterConfigured");
    assertThat(steps.calls("Task_ResolveEdgeProxies").get(0).inputs()).containsEntry("group", "ocms-edge-proxies")
        .containsEntry("host", "site1.ocms-1");
    assertThat(steps.calls("Task_SetMulticastDiscover")).extracting(call -> call.input("host"))
        .containsExactlyInAnyOrderElementsOf(NODES);
    assertThat(steps.calls("Task_SetMulticastDiscover").get(0).inputs()).containsEntry("path", OPMN_XML)
        .containsEntry("operation", "set").containsEntry("xpath", "/opmn/notification-server/topology/discover/@list")
        .containsEntry("value", "*239.192.0.10:6201");
    assertThat(steps.calls("Task_ReloadOpmnDynamic")).extracting(call -> call.input("command"))
        .containsOnly("opmn-reload");
    assertThat(steps.calls("Task_VerifyCluster")).extracting(call -> call.input("command"))
        .containsOnly("opmn-cluster-status-check");
    assertThat(steps.calls("Task_StopCluster")).extracting(call -> call.input("command")).containsOnly("opmn-stopall");
    assertThat(steps.calls("Task_AddOc4jPing").get(0).inputs()).containsEntry("path", EDGE_PROXY_XML)
        .containsEntry("xpath", "/edge-proxy/oc4j-ping")
        .containsEntry("value", "<oc4j-ping interval=\"1\" allowed-miss-count=\"2\"/>");
    assertThat(steps.calls("Task_SetNatTraversal")).extracting(call -> call.input("value")).containsOnly("true");
    assertThat(steps.calls("Task_VerifyEdgeProxy").get(0).inputs()).containsEntry("command", "opmn-process-alive-check")
        .containsEntry("processType", "EdgeProxy");
    assertThat(run).isEnded().hasPassed("EndEvent_ClusterSetUp").hasNotPassed("Task_RunOasForDiscovery");
  }

  @Test
  void shouldRunEveryNodeAndNameTheFirstAsDiscoveryServerWhenThatMethodIsChosen() {
    ProcessInstance run = start(Map.of("associationMethod", "discovery-server", "discoveryPort", 6200));

    workConsoleSteps(run);

    assertThat(steps.activityIds()).startsWith("Task_ResolveNodes", "Task_ResolveEdgeProxies",
        "Task_RunOasForDiscovery", "Task_RunOasForDiscovery", "Task_SetDiscoveryServer", "Task_SetDiscoveryServer",
        "Task_ReloadOpmnDiscovery", "Task_ReloadOpmnDiscovery", "Task_StartCluster");
    assertThat(steps.calls("Task_RunOasForDiscovery")).extracting(call -> call.input("command"))
        .containsOnly("opmn-startall");
    assertThat(steps.calls("Task_SetDiscoveryServer")).extracting(call -> call.input("value"))
        .containsOnly("ocms-1.site1.ocms.lab:6200");
    assertThat(run).isEnded().hasPassed("EndEvent_ClusterSetUp").hasNotPassed("Task_SetMulticastDiscover");
  }

  @Test
  void shouldLookUpTheNamedDiscoveryServerAndDisableNatTraversalWhenTheRunSaysSo() {
    ProcessInstance run = start(Map.of("associationMethod", "discovery-server", "discoveryServer", "site1.ocms-2",
        "discoveryPort", 6300, "natTraversal", false));

    workConsoleSteps(run);

    assertThat(steps.calls("Task_ResolveEdgeProxies").get(0).inputs()).containsEntry("host", "site1.ocms-2");
    assertThat(steps.calls("Task_SetDiscoveryServer")).extracting(call -> call.input("value"))
        .containsOnly("ocms-1.site1.ocms.lab:6300");
    assertThat(steps.calls("Task_SetNatTraversal")).extracting(call -> call.input("value")).containsOnly("false");
    assertThat(run).isEnded();
  }

  @Test
  void shouldGuideEachSipContainerAndEdgeProxyNodeWhenTheClusterIsStopped() {
    ProcessInstance run = start(Map.of());
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_ConfigureSipContainer");
    List<Task> sip = processEngine.getTaskService().createTaskQuery().processInstanceId(run.getId()).list();
    assertThat(sip).hasSize(2);
    assertThat(sip).extracting(task -> processEngine.getTaskService().getVariable(task.getId(), "guideSystem"))
        .containsExactlyInAnyOrder(
            "the Application Server Control Console (Enterprise Manager) of the SIP Application Server on site1.ocms-1, its MBean browser",
            "the Application Server Control Console (Enterprise Manager) of the SIP Application Server on site1.ocms-2, its MBean browser");
    assertThat(steps.activityIds()).endsWith("Task_StopCluster").doesNotContain("Task_AddOc4jPing");
    sip.forEach(task -> complete(task, GuidedEvidence.of("three attributes set, no transport appended", null)));

    List<Task> edge = processEngine.getTaskService().createTaskQuery().processInstanceId(run.getId()).list();
    assertThat(edge).hasSize(2).allSatisfy(task -> {
      assertThat(task.getTaskDefinitionKey()).isEqualTo("UserTask_ConfigureEdgeProxyRecordRoute");
      assertThat(String.valueOf(processEngine.getTaskService().getVariable(task.getId(), "guideEnter")))
          .contains("the load balancer or DNS server");
      assertThat(String.valueOf(processEngine.getTaskService().getVariable(task.getId(), "guideClickPath")))
          .contains("disable stickiness for UDP datagrams");
    });
  }

  private ProcessInstance start(Map<String, Object> parameters) {
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("associationMethod", "dynamic-discovery");
    variables.put("multicastAddress", "225.0.0.20");
    variables.put("multicastPort", 6200);
    variables.put("discoveryServer", "");
    variables.put("discoveryPort", 6200);
    variables.put("natTraversal", true);
    variables.putAll(parameters);
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, "CHG-D1-1", variables);
  }

  /** Drives the steps and works every guided console step (per node) until the run ends. */
  private void workConsoleSteps(ProcessInstance run) {
    steps.drive();
    for (int round = 0; round < 4; round++) {
      for (Task task : processEngine.getTaskService().createTaskQuery().processInstanceId(run.getId()).list()) {
        complete(task, GuidedEvidence.of(task.getTaskDefinitionKey().equals("UserTask_ConfigureSipContainer")
            ? "three attributes set, no transport appended" : "RecordRoute set", null));
      }
      steps.drive();
    }
  }
}
