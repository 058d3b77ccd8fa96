package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Path tests of the shared Avaya Oceana call activities of seed 002 chapter 5 (census section 7:
 * SP-MM, SP-CA, SP-SMGR, SP-WRTC, SP-EP, SP-ACM-SW, SP-ACM-ADDR) on the engine alone, each started
 * as its callers start it: the guided steps in their order, for their team, with the seed line and
 * the values the caller's inputs select, and the DNS steps of the Web Voice and Web Video switchover
 * with the records and hosts they are given.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-oceana-maintenance-flags.bpmn",
    "processes/dr-oceana-cluster-activity.bpmn",
    "processes/dr-oceana-smgr-switchover.bpmn",
    "processes/dr-oceana-webrtc-switchover.bpmn",
    "processes/dr-oceana-ep-active-data-center.bpmn",
    "processes/dr-oceana-acm-switchover.bpmn",
    "processes/dr-oceana-acm-readdress.bpmn",
    "forms/form-guided-step.form"})
class OceanaSharedStepsProcessTest {

  static final List<String> RECORDS = List.of("oceana-auth-token", "oceana-aawg", "oceana-amc");

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine);
  }

  @Test
  void shouldOfferEveryMaintenanceFlagInParallelToItsTeamWhenDc1IsPutInMaintenance() {
    ProcessInstance run = start("dr-oceana-maintenance-flags", Map.of("dataCenter", "DC1"));

    List<Task> open = tasks(run);
    assertThat(open).extracting(Task::getTaskDefinitionKey).containsExactlyInAnyOrder(
        "UserTask_VoiceChannelFlag", "UserTask_EmailServiceShutdown", "UserTask_ChatMaintenanceMode",
        "UserTask_SmsMaintenanceMode", "UserTask_SocialMaintenanceMode", "UserTask_WebVoiceMaintenanceMode",
        "UserTask_WebVideoMaintenanceMode", "UserTask_StopOutboundCampaigns");
    assertThat(groupOf(run, "UserTask_VoiceChannelFlag")).isEqualTo("dr-voice");
    assertThat(groupOf(run, "UserTask_StopOutboundCampaigns")).isEqualTo("dr-voice");
    assertThat(groupOf(run, "UserTask_EmailServiceShutdown")).isEqualTo("dr-oceana");
    assertThat(guide(run, "UserTask_EmailServiceShutdown", "guideSystem"))
        .isEqualTo("System Manager of DC1: Avaya Oceana Cluster 3, service EmailService");
    assertThat(guide(run, "UserTask_SmsMaintenanceMode", "guideClickPath")).contains("WebTextConnector Snap-in");
    assertThat(guide(run, "UserTask_ChatMaintenanceMode", "guideSeed")).startsWith("seed 002 L1000-1010");
    assertThat(guide(run, "UserTask_WebVoiceMaintenanceMode", "guideSystem"))
        .isEqualTo("Engagement Designer administration console of Avaya Oceana Cluster 1 in DC1: the Web Voice workflow");
    assertThat(guide(run, "UserTask_WebVideoMaintenanceMode", "guideSeed")).contains("L1070");
    assertThat(guide(run, "UserTask_StopOutboundCampaigns", "guideEvidenceLabel")).contains("campaigns stopped");

    open.forEach(task -> processEngine.getTaskService().complete(task.getId(), GuidedEvidence.of("done", null)));
    assertThat(run).isEnded().hasPassed("Gateway_FlagsJoin", "EndEvent_FlagsSet");
  }

  @Test
  void shouldAcceptOnlyStandbyWhenDc1IsSetToStandbyAndOnlyActiveWhenDc2IsSetToActive() {
    ProcessInstance standby = start("dr-oceana-cluster-activity", Map.of("dataCenter", "DC1", "clusterState", "STANDBY"));
    assertThat(guide(standby, "UserTask_SetClusterGroup", "guideSeed")).startsWith("seed 002 L1101-1118");
    assertThat(guide(standby, "UserTask_SetClusterGroup", "guideClickPath"))
        .contains("Verify the status of the clusters is ACTIVE, click Set Cluster Group to Standby");
    assertThat(guide(standby, "UserTask_SetClusterGroup", "guideAccepted"))
        .isEqualTo("[STANDBY, all nodes Deny New Service]");
    assertThat(groupOf(standby, "UserTask_SetClusterGroup")).isEqualTo("dr-oceana");
    completeGuided(standby, "UserTask_SetClusterGroup");
    assertThat(standby).isEnded();

    ProcessInstance active = start("dr-oceana-cluster-activity", Map.of("dataCenter", "DC2", "clusterState", "ACTIVE"));
    assertThat(guide(active, "UserTask_SetClusterGroup", "guideSeed")).startsWith("seed 002 L1634-1652");
    assertThat(guide(active, "UserTask_SetClusterGroup", "guideSystem")).contains("in DC2");
    assertThat(guide(active, "UserTask_SetClusterGroup", "guideAccepted"))
        .isEqualTo("[ACTIVE, all nodes Accept New Service]");
  }

  @Test
  void shouldWorkTheFourChecklistItemsWhenDc1IsReachableAndOnlyTheDc2ItemsWhenItIsLost() {
    ProcessInstance planned = start("dr-oceana-smgr-switchover", Map.of("dc1Available", true));
    for (String step : List.of("UserTask_DisableGeoReplication", "UserTask_ShutDownDc1Smgr",
        "UserTask_ActivateDc2Smgr", "UserTask_VerifyManagedBySecondary")) {
      completeGuided(planned, step);
    }
    assertThat(planned).isEnded();
    assertThat(path(planned)).containsExactly("UserTask_DisableGeoReplication", "UserTask_ShutDownDc1Smgr",
        "UserTask_ActivateDc2Smgr", "UserTask_VerifyManagedBySecondary");

    ProcessInstance lost = start("dr-oceana-smgr-switchover", Map.of("dc1Available", false));
    completeGuided(lost, "UserTask_ActivateDc2Smgr");
    completeGuided(lost, "UserTask_VerifyManagedBySecondary");
    assertThat(lost).isEnded().hasNotPassed("UserTask_DisableGeoReplication", "UserTask_ShutDownDc1Smgr");
  }

  @Test
  void shouldMoveTheThreeNamesToDc2AndResolveEachWhenDc2TakesTheWebCalls() {
    ProcessInstance run = start("dr-oceana-webrtc-switchover", Map.of("dataCenter", "DC2"));

    assertThat(guide(run, "UserTask_AmcDenying", "guideSystem")).startsWith("System Manager of DC1");
    assertThat(guide(run, "UserTask_AmcDenying", "guideSeed")).startsWith("seed 002 L1658");
    completeGuided(run, "UserTask_AmcDenying");
    assertThat(guide(run, "UserTask_AmcAccepting", "guideSystem")).startsWith("System Manager of DC2");
    completeGuided(run, "UserTask_AmcAccepting");
    assertThat(steps.drive()).isEqualTo(6);

    assertDnsSteps("site2");
    assertThat(guide(run, "UserTask_FromDcWorkflowsMaintenanceOn", "guideSystem")).contains("of DC1");
    completeGuided(run, "UserTask_FromDcWorkflowsMaintenanceOn");
    assertThat(guide(run, "UserTask_TargetDcWorkflowsMaintenanceOff", "guideSeed")).startsWith("seed 002 L1665");
    completeGuided(run, "UserTask_TargetDcWorkflowsMaintenanceOff");
    assertThat(run).isEnded().hasPassed("EndEvent_WebrtcSwitchedOver");
  }

  @Test
  void shouldLeaveOutTheLostDataCenterAndPointTheNamesAtDc1WhenDc1TakesTheCallsBack() {
    ProcessInstance run = start("dr-oceana-webrtc-switchover", Map.of("dataCenter", "DC1", "fromDataCenterLost", true));

    assertThat(run).isWaitingAt("UserTask_AmcAccepting");
    assertThat(guide(run, "UserTask_AmcAccepting", "guideSeed")).startsWith("seed 002 L2143");
    completeGuided(run, "UserTask_AmcAccepting");
    steps.drive();
    assertDnsSteps("site1");
    completeGuided(run, "UserTask_TargetDcWorkflowsMaintenanceOff");
    assertThat(run).isEnded().hasNotPassed("UserTask_AmcDenying", "UserTask_FromDcWorkflowsMaintenanceOn");
  }

  @Test
  void shouldAskForTheApplicationsChangedWhenTheVoiceTrafficGoesToDc2() {
    ProcessInstance run = start("dr-oceana-ep-active-data-center", Map.of("dataCenter", "DC2"));

    assertThat(groupOf(run, "UserTask_SetActiveDataCenter")).isEqualTo("dr-voice");
    assertThat(guide(run, "UserTask_SetActiveDataCenter", "guideSeed")).startsWith("seed 002 L1084-1089");
    assertThat(guide(run, "UserTask_SetActiveDataCenter", "guideEnter")).isEqualTo("Active Data Center: DataCenter2");
    assertThat(guide(run, "UserTask_SetActiveDataCenter", "guideAccepted")).isEqualTo("[DataCenter2]");
    assertThat(guide(run, "UserTask_SetActiveDataCenter", "guideEvidenceLabel")).contains("applications changed");
    completeGuided(run, "UserTask_SetActiveDataCenter");
    assertThat(run).isEnded();
  }

  @Test
  void shouldTriggerTheControlManagerSwitchoverAndSkipTheWorkaroundWhenDc2UpdatedItsConnection() {
    ProcessInstance run = start("dr-oceana-acm-switchover", Map.of("dc1Available", true));

    assertThat(groupOf(run, "UserTask_StopPrimarySqlServer")).isEqualTo("dr-database");
    assertThat(guide(run, "UserTask_StopPrimarySqlServer", "guideSeed")).startsWith("seed 002 L1675-1677");
    completeGuided(run, "UserTask_StopPrimarySqlServer");
    complete(run, "UserTask_CheckAcmOnDc2Database", "both servers on the DC2 database");
    assertThat(run).isEnded().hasNotPassed("UserTask_SwitchAcmManually");
  }

  @Test
  void shouldSwitchControlManagerManuallyWhenAcmApp2KeptTheDc1DatabaseAfterTheAutomatedSwitchover() {
    ProcessInstance run = start("dr-oceana-acm-switchover", Map.of("dc1Available", false));

    complete(run, "UserTask_CheckAcmOnDc2Database", "ACM-APP-2 still on the DC1 database");
    assertThat(guide(run, "UserTask_SwitchAcmManually", "guideClickPath"))
        .contains("C:\\Windows\\System32\\Nav360Config.xml").contains("Audit Log and License Tracker");
    completeGuided(run, "UserTask_SwitchAcmManually");
    assertThat(run).isEnded().hasNotPassed("UserTask_StopPrimarySqlServer");
  }

  @Test
  void shouldPointCommunicationManagerUcaAndOmnichannelAtDc2AndLeaveOutTheCmStepTowardsDc1() {
    ProcessInstance dc2 = start("dr-oceana-acm-readdress", Map.of("dataCenter", "DC2"));
    assertThat(groupOf(dc2, "UserTask_SetCmIpAddress")).isEqualTo("dr-voice");
    completeGuided(dc2, "UserTask_SetCmIpAddress");
    assertThat(guide(dc2, "UserTask_SetUcaUrl", "guideAccepted")).isEqualTo("[Cluster 1 of DC2]");
    completeGuided(dc2, "UserTask_SetUcaUrl");
    assertThat(guide(dc2, "UserTask_SetOmniChannelDatabaseServer", "guideClickPath"))
        .startsWith("Before you begin: remove the OCP administration client from the primary system.");
    completeGuided(dc2, "UserTask_SetOmniChannelDatabaseServer");
    assertThat(dc2).isEnded();

    ProcessInstance dc1 = start("dr-oceana-acm-readdress", Map.of("dataCenter", "DC1"));
    assertThat(dc1).isWaitingAt("UserTask_SetUcaUrl");
    assertThat(guide(dc1, "UserTask_SetUcaUrl", "guideSeed")).startsWith("seed 002 L2203-2205");
    assertThat(guide(dc1, "UserTask_SetUcaUrl", "guideAccepted")).isEqualTo("[Cluster 1 of DC1]");
  }

  /** The three switches then resolves, each record towards its host at {@code site}. */
  private void assertDnsSteps(String site) {
    for (String record : RECORDS) {
      String key = record.equals("oceana-auth-token") ? "AuthToken" : record.equals("oceana-aawg") ? "Aawg" : "Amc";
      assertThat(steps.calls("Task_Switch" + key + "Record")).singleElement().satisfies(call -> assertThat(call.inputs())
          .containsEntry("route", "dns-switch-a-record").containsEntry("record", record)
          .containsEntry("targetHost", site + "." + record));
      assertThat(steps.calls("Task_Resolve" + key + "Record")).singleElement().satisfies(call -> assertThat(call.inputs())
          .containsEntry("route", "dns-resolve").containsEntry("record", record)
          .containsEntry("expectHost", site + "." + record));
      assertThat(steps.activityIds().indexOf("Task_Switch" + key + "Record"))
          .isLessThan(steps.activityIds().indexOf("Task_Resolve" + key + "Record"));
    }
  }

  private ProcessInstance start(String processId, Map<String, Object> variables) {
    return processEngine.getRuntimeService().startProcessInstanceByKey(processId, "CHG-C1-SHARED", variables);
  }

  private List<Task> tasks(ProcessInstance run) {
    return processEngine.getTaskService().createTaskQuery().processInstanceId(run.getId()).list();
  }

  private Task task(ProcessInstance run, String key) {
    assertThat(run).isWaitingAt(key);
    return processEngine.getTaskService().createTaskQuery().processInstanceId(run.getId())
        .taskDefinitionKey(key).list().get(0);
  }

  private String groupOf(ProcessInstance run, String key) {
    List<String> groups = new ArrayList<>();
    processEngine.getTaskService().getIdentityLinksForTask(task(run, key).getId())
        .forEach(link -> groups.add(link.getGroupId()));
    assertThat(groups).hasSize(1);
    return groups.get(0);
  }

  private String guide(ProcessInstance run, String key, String name) {
    return String.valueOf(processEngine.getTaskService().getVariable(task(run, key).getId(), name));
  }

  /** Completes the step with the value its guideAccepted names first. */
  private void completeGuided(ProcessInstance run, String key) {
    Object accepted = processEngine.getTaskService().getVariable(task(run, key).getId(), "guideAccepted");
    complete(run, key, String.valueOf(((List<?>) accepted).get(0)));
  }

  private void complete(ProcessInstance run, String key, String screenValue) {
    processEngine.getTaskService().complete(task(run, key).getId(), GuidedEvidence.of(screenValue, "evidence"));
  }

  private List<String> path(ProcessInstance run) {
    List<String> ids = new ArrayList<>();
    for (HistoricActivityInstance activity : processEngine.getHistoryService().createHistoricActivityInstanceQuery()
        .processInstanceId(run.getId()).activityType("userTask").orderByHistoricActivityInstanceStartTime().asc()
        .orderPartiallyByOccurrence().asc().list()) {
      ids.add(activity.getActivityId());
    }
    return ids;
  }
}
