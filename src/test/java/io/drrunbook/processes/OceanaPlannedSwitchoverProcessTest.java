package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Path tests of {@code processes/dr-oceana-planned-switchover.bpmn} (PROCEDURES C1, seed 002
 * chapter 5) on the engine alone, with the call activities it calls: the approval, the order of
 * the guided steps and called blocks (queues drained before DC1 is shut down, the UCMService backup
 * at DC1 before System Manager goes, its restore at DC2 before the DC2 clusters are ACTIVE), the
 * inputs each call activity is given (DC1 STANDBY, DC2 ACTIVE, C4 both-up with the run's
 * ocdbTopology, C5 switchover), the dgmgrl steps of C5 and the three DNS names moved to DC2.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-oceana-planned-switchover.bpmn",
    "processes/dr-oceana-maintenance-flags.bpmn",
    "processes/dr-oceana-cluster-activity.bpmn",
    "processes/dr-oceana-smgr-switchover.bpmn",
    "processes/dr-oceana-webrtc-switchover.bpmn",
    "processes/dr-oceana-ep-active-data-center.bpmn",
    "processes/dr-oceana-acm-switchover.bpmn",
    "processes/dr-oceana-acm-readdress.bpmn",
    "processes/dr-oceana-ocp-db-switchover.bpmn",
    "processes/dr-oracle-dataguard-role-transition.bpmn",
    "forms/form-start-oceana-planned-switchover.form",
    "forms/form-approve-oceana-switchover.form",
    "forms/form-start-oceana-ocp-db-switchover.form",
    "forms/form-start-oracle-dataguard-role-transition.form",
    "forms/form-guided-step.form"})
class OceanaPlannedSwitchoverProcessTest {

  static final String PROCESS_ID = "dr-oceana-planned-switchover";

  ProcessEngine processEngine;
  ScriptedSteps steps;
  /** The manual steps in the order they were completed, as process id / task key. */
  final List<String> done = new ArrayList<>();

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine);
  }

  @ParameterizedTest(name = "ocdbTopology {0}")
  @ValueSource(strings = {"single", "ha"})
  void shouldSwitchEveryComponentToDc2InTheSeedsOrderWhenTheSwitchoverIsApproved(String ocdbTopology) {
    ProcessInstance run = start("CHG-C1-" + ocdbTopology, ocdbTopology);
    assertThat(run).isWaitingAt("UserTask_ApproveSwitchover");
    assertThat(BpmnAwareTests.task(run)).hasCandidateGroup("dr-approvers");
    ScriptedSteps.assertDeployedForm(processEngine, BpmnAwareTests.task(run), "form-approve-oceana-switchover");
    BpmnAwareTests.complete(BpmnAwareTests.task(run), Map.of("switchoverApproved", true));

    workUntilEnded(run);

    assertThat(run).isEnded().hasPassed("CallActivity_Dc1MaintenanceFlags", "UserTask_QueuesDrained",
        "UserTask_BackUpUcmService", "UserTask_ShutDownCommunicationManager", "CallActivity_VoiceToDc2",
        "CallActivity_Dc1ClustersStandby", "CallActivity_SmgrSwitchover", "CallActivity_OcpDbSwitchover",
        "CallActivity_OracleSwitchover", "UserTask_PrepareUcmRestore", "UserTask_RestoreUcmService",
        "CallActivity_Dc2ClustersActive", "UserTask_EnableEmailServiceDc2", "CallActivity_WebrtcSwitchover",
        "CallActivity_AcmSwitchover", "CallActivity_AcmReaddress", "UserTask_AgentSwitchover",
        "EndEvent_SwitchedOverToDc2");

    // what each call activity was given
    assertThat(called(run, "dr-oceana-maintenance-flags")).containsEntry("dataCenter", "DC1");
    assertThat(called(run, "dr-oceana-ep-active-data-center")).containsEntry("dataCenter", "DC2");
    assertThat(calledAll(run, "dr-oceana-cluster-activity")).extracting(v -> v.get("dataCenter") + " " + v.get("clusterState"))
        .containsExactly("DC1 STANDBY", "DC2 ACTIVE");
    assertThat(called(run, "dr-oceana-smgr-switchover")).containsEntry("dc1Available", true);
    assertThat(called(run, "dr-oceana-ocp-db-switchover")).containsEntry("ocdbTopology", ocdbTopology)
        .containsEntry("situation", "both-up");
    assertThat(called(run, "dr-oracle-dataguard-role-transition")).containsEntry("mode", "switchover")
        .containsEntry("primaryDb", "orcl").containsEntry("standbyDb", "orcl_stby").containsEntry("lagPollInterval", "PT1S");
    assertThat(called(run, "dr-oceana-webrtc-switchover")).containsEntry("dataCenter", "DC2")
        .containsEntry("fromDataCenterLost", false);
    assertThat(called(run, "dr-oceana-acm-switchover")).containsEntry("dc1Available", true);
    assertThat(called(run, "dr-oceana-acm-readdress")).containsEntry("dataCenter", "DC2");
    assertThat(calledAll(run, null)).allSatisfy(v -> assertThat(v).containsEntry("ticketId", "CHG-C1-" + ocdbTopology));

    // the connector calls: C5's dgmgrl steps and the three DNS names to DC2
    assertThat(steps.calls("Task_SwitchoverToStandby")).singleElement().satisfies(call -> assertThat(call.inputs())
        .containsEntry("host", "site1.oracle-db").containsEntry("command", "dataguard-switchover")
        .containsEntry("newPrimary", "orcl_stby"));
    assertThat(steps.calls("Task_VerifyNewPrimaryAfterSwitchover")).singleElement().satisfies(call ->
        assertThat(call.inputs()).containsEntry("host", "site2.oracle-db").containsEntry("database", "orcl_stby"));
    for (String record : List.of("oceana-auth-token", "oceana-aawg", "oceana-amc")) {
      assertThat(steps.calls()).filteredOn(call -> record.equals(call.input("record")))
          .extracting(call -> call.input("route") + " " + call.input("targetHost") + call.input("expectHost"))
          .containsExactly("dns-switch-a-record site2." + record + "null", "dns-resolve nullsite2." + record);
    }

    // the seed's order (census C1)
    assertBefore("dr-oceana-maintenance-flags/UserTask_ChatMaintenanceMode", PROCESS_ID + "/UserTask_QueuesDrained");
    assertBefore(PROCESS_ID + "/UserTask_QueuesDrained", PROCESS_ID + "/UserTask_BackUpUcmService");
    assertBefore(PROCESS_ID + "/UserTask_BackUpUcmService", "dr-oceana-smgr-switchover/UserTask_ShutDownDc1Smgr");
    assertBefore(PROCESS_ID + "/UserTask_BackUpUcmService", PROCESS_ID + "/UserTask_ShutDownCommunicationManager");
    assertBefore("dr-oceana-smgr-switchover/UserTask_VerifyManagedBySecondary", "dr-oceana-ocp-db-switchover/UserTask_CheckMirrorMonitor");
    assertBefore(PROCESS_ID + "/UserTask_RestoreUcmService", "dr-oceana-cluster-activity/UserTask_SetClusterGroup#2");
    assertBefore("dr-oceana-cluster-activity/UserTask_SetClusterGroup#2", PROCESS_ID + "/UserTask_EnableEmailServiceDc2");
    assertBefore("dr-oceana-acm-readdress/UserTask_SetOmniChannelDatabaseServer", PROCESS_ID + "/UserTask_AgentSwitchover");
    assertThat(done.contains("dr-oceana-ocp-db-switchover/UserTask_RemoveStandbyMirroring")).isEqualTo("ha".equals(ocdbTopology));
    assertThat(done).doesNotContain("dr-oceana-acm-switchover/UserTask_SwitchAcmManually");
    assertThat(done).as("guided steps worked").hasSize("ha".equals(ocdbTopology) ? 35 : 34);
  }

  @Test
  void shouldTeachTheTeamsTheirStepsWithTheSeedsValuesWhenDc1IsShutDown() {
    ProcessInstance run = start("CHG-C1-GUIDES", "single");
    BpmnAwareTests.complete(BpmnAwareTests.task(run), Map.of("switchoverApproved", true));
    completeAllIn(child(run, "dr-oceana-maintenance-flags"));

    assertThat(run).isWaitingAt("UserTask_QueuesDrained");
    Task drained = BpmnAwareTests.task(run);
    BpmnAwareTests.assertThat(drained).hasCandidateGroup("dr-oceana");
    assertThat(variable(drained, "guideEvidenceLabel")).contains("queue depth per channel");
    complete(drained, "all queues 0, agents logged out");
    Task backup = BpmnAwareTests.task(run);
    assertThat(backup.getTaskDefinitionKey()).isEqualTo("UserTask_BackUpUcmService");
    assertThat(variable(backup, "guideSeed")).startsWith("seed 002 L1932-1959");
    assertThat(variable(backup, "guideClickPath")).contains("tick UCMService").contains("never typed into the runbook");
    processEngine.getTaskService().complete(backup.getId(), GuidedEvidence.of("Completed", "backup 2026-12-03 20:15"));

    Task cm = processEngine.getTaskService().createTaskQuery().processInstanceId(run.getId())
        .taskDefinitionKey("UserTask_ShutDownCommunicationManager").singleResult();
    assertThat(processEngine.getTaskService().getIdentityLinksForTask(cm.getId()))
        .extracting(link -> link.getGroupId()).containsExactly("dr-voice");
    assertThat(child(run, "dr-oceana-cluster-activity")).isWaitingAt("UserTask_SetClusterGroup");
    assertThat(run).variables().containsEntry("ucmBackupJob", "backup 2026-12-03 20:15");
  }

  @Test
  void shouldStopNothingWhenTheApproverRefusesTheSwitchover() {
    ProcessInstance run = start("CHG-C1-NO", "single");

    BpmnAwareTests.complete(BpmnAwareTests.task(run), Map.of("switchoverApproved", false));

    assertThat(run).isEnded().hasPassed("EndEvent_NoSwitchover").hasNotPassed("CallActivity_Dc1MaintenanceFlags");
    assertThat(processEngine.getHistoryService().createHistoricProcessInstanceQuery()
        .superProcessInstanceId(run.getId()).count()).isZero();
    assertThat(steps.drive()).isZero();
  }

  private ProcessInstance start(String ticket, String ocdbTopology) {
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("ocdbTopology", ocdbTopology);
    variables.put("primaryDb", "orcl");
    variables.put("standbyDb", "orcl_stby");
    variables.put("lagPollInterval", "PT1S");
    variables.put("ticketSystem", "servicenow");
    variables.put("ticketId", ticket);
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, ticket, variables);
  }

  /** Works every open step of the run and the processes it calls (as the teams would), until it ends. */
  private void workUntilEnded(ProcessInstance run) {
    for (int round = 0; round < 200; round++) {
      steps.drive();
      List<Task> open = processEngine.getTaskService().createTaskQuery()
          .processInstanceBusinessKey(run.getBusinessKey()).orderByTaskCreateTime().asc().list();
      List<Job> timers = processEngine.getManagementService().createJobQuery().timers().list();
      if (open.isEmpty() && timers.isEmpty()) {
        return;
      }
      if (!open.isEmpty()) {
        completeAccepted(open.get(0));
      } else {
        timers.forEach(timer -> processEngine.getManagementService().executeJob(timer.getId()));
      }
    }
    throw new AssertionError("the run did not end within 200 rounds");
  }

  private void completeAllIn(ProcessInstance child) {
    processEngine.getTaskService().createTaskQuery().processInstanceId(child.getId()).list()
        .forEach(this::completeAccepted);
  }

  /** Completes a guided step with the first value it accepts (as the person who did it). */
  private void completeAccepted(Task task) {
    Object accepted = processEngine.getTaskService().getVariable(task.getId(), "guideAccepted");
    assertThat(accepted).as("%s is a guided step", task.getTaskDefinitionKey()).isInstanceOf(List.class);
    complete(task, String.valueOf(((List<?>) accepted).get(0)));
  }

  private void complete(Task task, String screenValue) {
    String key = processEngine.getRepositoryService().getProcessDefinition(task.getProcessDefinitionId()).getKey()
        + "/" + task.getTaskDefinitionKey();
    done.add(done.contains(key) ? key + "#2" : key);
    processEngine.getTaskService().complete(task.getId(), GuidedEvidence.of(screenValue, "evidence"));
  }

  private void assertBefore(String first, String then) {
    assertThat(done).contains(first, then);
    assertThat(done.indexOf(first)).as("%s before %s", first, then).isLessThan(done.indexOf(then));
  }

  private String variable(Task task, String name) {
    return String.valueOf(processEngine.getTaskService().getVariable(task.getId(), name));
  }

  private ProcessInstance child(ProcessInstance run, String processId) {
    return processEngine.getRuntimeService().createProcessInstanceQuery().superProcessInstanceId(run.getId())
        .processDefinitionKey(processId).singleResult();
  }

  private Map<String, Object> called(ProcessInstance run, String processId) {
    List<Map<String, Object>> all = calledAll(run, processId);
    assertThat(all).as("calls of %s", processId).hasSize(1);
    return all.get(0);
  }

  /** The variables each called process started with (of one process id, or all when null), in call order. */
  private List<Map<String, Object>> calledAll(ProcessInstance run, String processId) {
    var query = processEngine.getHistoryService().createHistoricProcessInstanceQuery().superProcessInstanceId(run.getId());
    if (processId != null) {
      query.processDefinitionKey(processId);
    }
    List<Map<String, Object>> calls = new ArrayList<>();
    for (HistoricProcessInstance child : query.orderByProcessInstanceStartTime().asc().list()) {
      Map<String, Object> variables = new LinkedHashMap<>();
      processEngine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(child.getId())
          .list().stream().filter(v -> v.getActivityInstanceId().equals(child.getId()) || v.getActivityInstanceId().startsWith(child.getId()))
          .forEach(v -> variables.putIfAbsent(v.getName(), v.getValue()));
      calls.add(variables);
    }
    return calls;
  }
}
