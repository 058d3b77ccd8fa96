package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;

import java.util.LinkedHashMap;
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
 * Path tests of {@code processes/dr-ocms-sip-app-ha.bpmn} (PROCEDURES D7, seed 003 L295-456) on the
 * engine alone, one per value of {@code procedure} and per branch: enable-ha (with and without a
 * cluster element and a group name), session-replication, disable-ha (with and without a cluster
 * element), deployed-app-ha's guided steps; asserting the path and which file, XPath and value each
 * edit was given on which node.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-ocms-sip-app-ha.bpmn",
    "forms/form-start-ocms-sip-app-ha.form",
    "forms/form-guided-step.form"})
class OcmsSipAppHaProcessTest {

  static final String PROCESS_ID = "dr-ocms-sip-app-ha";
  static final List<String> NODES = List.of("site1.ocms-1", "site1.ocms-2");
  static final String WEB_INF = "/opt/oracle/ocms/j2ee/ocms/applications/proxyregistrarssr/proxyregistrarssr/WEB-INF/";
  static final String DEPLOYMENT = "/opt/oracle/ocms/j2ee/ocms/application-deployments/proxyregistrarssr/";
  static final String ORION = DEPLOYMENT + "orion-application.xml";
  static final String NO_CLUSTER = "DR_EDIT_TARGET_NOT_FOUND";

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine).returning("Task_ResolveOcmsNodes", Map.of("members", NODES));
  }

  @Test
  void shouldAddDistributableAndTheClusterElementOnEveryNodeWhenHaIsEnabledOnAnApplicationWithoutCluster() {
    for (String node : NODES) {
      steps.failingOnce("Task_SetAllowColocation", inputs -> node.equals(inputs.get("host")), NO_CLUSTER,
          "the file has no /orion-application/cluster");
    }
    ProcessInstance run = start("enable-ha", "");

    steps.drive();

    assertThat(run).isEnded().hasPassed("EndEvent_DescriptorsEdited").hasNotPassed("Task_SetGroupName");
    for (String node : NODES) {
      assertThat(activitiesOn(node)).containsExactly("Task_DistributableSipXml", "Task_DistributableWebXml",
          "Task_SetAllowColocation", "Task_AddCluster", "Task_SetClusterEnabled", "Task_SetWriteQuota");
    }
    assertThat(steps.calls("Task_ResolveOcmsNodes").get(0).inputs()).containsEntry("group", "ocms-nodes");
    assertEdit("Task_DistributableSipXml", WEB_INF + "sip.xml", "/sip-app/distributable", "<distributable/>");
    assertEdit("Task_DistributableWebXml", WEB_INF + "web.xml", "/web-app/distributable", "<distributable/>");
    assertEdit("Task_SetAllowColocation", ORION, "/orion-application/cluster/@allow-colocation", "false");
    assertEdit("Task_AddCluster", ORION, "/orion-application/cluster", "<cluster allow-colocation=\"false\"></cluster>");
    assertEdit("Task_SetClusterEnabled", ORION, "/orion-application/cluster/@enabled", "true");
    assertThat(steps.calls("Task_SetWriteQuota")).allSatisfy(call -> assertThat(call.inputs())
        .containsEntry("xpath", "/orion-application/cluster/@write-quota").containsEntry("value", 2));
  }

  @Test
  void shouldSetTheGroupNameAndAddNoClusterWhenHaIsEnabledWithAGroupNameOnAnApplicationWithCluster() {
    ProcessInstance run = start("enable-ha", "ocms-apps");

    steps.drive();

    assertThat(run).isEnded().hasPassed("EndEvent_DescriptorsEdited").hasNotPassed("Task_AddCluster");
    for (String node : NODES) {
      assertThat(activitiesOn(node)).containsExactly("Task_DistributableSipXml", "Task_DistributableWebXml",
          "Task_SetAllowColocation", "Task_SetClusterEnabled", "Task_SetWriteQuota", "Task_SetGroupName");
    }
    assertEdit("Task_SetGroupName", ORION, "/orion-application/cluster/@group-name", "ocms-apps");
  }

  @Test
  void shouldSetAllowColocationAndThePropertyConfigUrlOnlyWhenSessionReplicationIsConfigured() {
    steps.failingOnce("Task_SetAllowColocation", inputs -> NODES.get(1).equals(inputs.get("host")), NO_CLUSTER,
        "the file has no /orion-application/cluster");
    ProcessInstance run = start("session-replication", "");

    steps.drive();

    assertThat(run).isEnded().hasPassed("EndEvent_DescriptorsEdited");
    assertThat(activitiesOn(NODES.get(0))).containsExactly("Task_SetAllowColocation", "Task_SetPropertyConfig");
    assertThat(activitiesOn(NODES.get(1)))
        .containsExactly("Task_SetAllowColocation", "Task_AddCluster", "Task_SetPropertyConfig");
    assertEdit("Task_SetPropertyConfig", ORION, "/orion-application/cluster/property-config",
        "<property-config><url>file://" + DEPLOYMENT + "jgroups-tcp.xml</url></property-config>");
  }

  @Test
  void shouldSetEnabledFalseOnlyWhenHaIsDisabledAndAddADisabledClusterWhereThereIsNone() {
    steps.failingOnce("Task_DisableCluster", inputs -> NODES.get(1).equals(inputs.get("host")), NO_CLUSTER,
        "the file has no /orion-application/cluster");
    ProcessInstance run = start("disable-ha", "");

    steps.drive();

    assertThat(run).isEnded().hasPassed("EndEvent_DescriptorsEdited").hasNotPassed("Task_SetAllowColocation");
    assertThat(activitiesOn(NODES.get(0))).containsExactly("Task_DisableCluster");
    assertThat(activitiesOn(NODES.get(1))).containsExactly("Task_DisableCluster", "Task_AddDisabledCluster");
    assertEdit("Task_DisableCluster", ORION, "/orion-application/cluster/@enabled", "false");
    assertEdit("Task_AddDisabledCluster", ORION, "/orion-application/cluster", "<cluster enabled=\"false\"></cluster>");
  }

  @Test
  void shouldGuideTheFiveEarStepsAndEditNoFileWhenHaIsConfiguredForADeployedApplication() {
    ProcessInstance run = start("deployed-app-ha", "");

    for (String step : List.of("UserTask_Undeploy", "UserTask_UnpackEar", "UserTask_EditUnpackedDescriptors",
        "UserTask_RepackageEar", "UserTask_Redeploy")) {
      steps.drive();
      assertThat(run).isWaitingAt(step);
      assertThat(task(run)).hasCandidateGroup("dr-operators");
      ScriptedSteps.assertDeployedForm(processEngine, task(run), "form-guided-step");
      String accepted = ((List<?>) processEngine.getTaskService().getVariable(task(run).getId(), "guideAccepted"))
          .get(0).toString();
      complete(task(run), GuidedEvidence.of(accepted, "drill"));
    }

    assertThat(run).isEnded().hasPassed("EndEvent_DeployedAppHaConfigured").hasNotPassed("SubProcess_EditEachNode");
    assertThat(steps.activityIds()).containsExactly("Task_ResolveOcmsNodes");
  }

  private ProcessInstance start(String procedure, String groupName) {
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("procedure", procedure);
    variables.put("application", "proxyregistrarssr");
    variables.put("webModule", "proxyregistrarssr");
    variables.put("groupName", groupName);
    variables.put("writeQuota", 2);
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, "CHG-D7-1", variables);
  }

  private List<String> activitiesOn(String node) {
    return steps.calls().stream().filter(call -> node.equals(call.input("host"))).map(ScriptedSteps.Call::activityId)
        .toList();
  }

  /** Every call of the step (one per node) edits the file with set at the XPath to the value. */
  private void assertEdit(String activityId, String path, String xpath, String value) {
    assertThat(steps.calls(activityId)).as(activityId).isNotEmpty().allSatisfy(call -> assertThat(call.inputs())
        .containsEntry("route", "file-edit").containsEntry("path", path).containsEntry("operation", "set")
        .containsEntry("xpath", xpath).containsEntry("value", value).doesNotContainKey("preview"));
  }
}
