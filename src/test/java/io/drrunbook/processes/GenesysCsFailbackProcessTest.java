package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.withVariables;

import io.drrunbook.processes.ScriptedSteps.Call;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Path tests of {@code processes/dr-genesys-cs-failback.bpmn} (PROCEDURES A2) on the engine alone:
 * one test per path (failback, window not approved, replication not in sync yet, DNS switch back
 * failing once, one proxy's check failing once), each asserting the path and the connector inputs.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-genesys-cs-failback.bpmn",
    "forms/form-confirm-site1-restored.form",
    "forms/form-approve-maintenance-window.form",
    "forms/form-resolve-dns-switch-back.form",
    "forms/form-investigate-proxy-failback.form",
    "forms/form-confirm-failback-complete.form"})
class GenesysCsFailbackProcessTest {

  static final String PROCESS_ID = "dr-genesys-cs-failback";
  static final String SITE1_ADDRESS = "127.0.1.10";
  static final String VERIFY_FAILED = "DR_VERIFY_FAILED";

  /** The automated steps of A2 in order, between the approval and the proxy switch. */
  static final List<String> SWITCH_BACK_STEPS = List.of(
      "Task_StopSite2Scs",
      "Task_StopSite2MessageServer",
      "Task_StopSite2CsPair",
      "Task_DisableSite2DatabaseAccess",
      "Task_StopReverseReplication",
      "Task_StartForwardReplication",
      "Task_EnableSite1DatabaseAccess",
      "Task_StartSite1CsPair",
      "Task_StartSite1MessageServer",
      "Task_StartSite1Scs",
      "Task_SwitchDnsRecord");

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    Map<String, Object> topology = ScriptedSteps.defaultTopology();
    topology.put("hostAddress", SITE1_ADDRESS);
    topology.put("hostName", "cs-mgmt.site1.genesys.lab");
    steps = new ScriptedSteps(processEngine)
        .returning("Task_ResolveTopology", topology)
        .returning("Task_SwitchDnsRecord", Map.of(
            "previousAddresses", new ArrayList<>(List.of("127.0.2.10")), "changed", true));
  }

  @AfterEach
  void tearDown() {
    processEngine.getIdentityService().clearAuthentication();
  }

  @Test
  void shouldSwitchEverythingBackToSite1WhenTheWindowIsApproved() {
    ProcessInstance run = start(Map.of());

    steps.drive();
    confirmSite1Restored(run);
    steps.drive();
    approveWindow(run, true);
    steps.drive();
    confirmFailbackComplete(run);

    assertThat(run).isEnded()
        .hasPassedInOrder("StartEvent_FailbackRequested", "Task_ResolveTopology", "UserTask_ConfirmSite1Restored",
            "Task_StartReverseReplication", "Task_CheckReplicationInSync", "UserTask_ApproveMaintenanceWindow",
            "Gateway_WindowApproved", "Task_StopSite2Scs", "Task_StopSite2MessageServer", "Task_StopSite2CsPair",
            "Task_DisableSite2DatabaseAccess", "Task_StopReverseReplication", "Task_StartForwardReplication",
            "Task_EnableSite1DatabaseAccess", "Task_StartSite1CsPair", "Task_StartSite1MessageServer",
            "Task_StartSite1Scs", "Task_SwitchDnsRecord", "SubProcess_SwitchProxies",
            "UserTask_ConfirmFailbackComplete", "EndEvent_FailedBack")
        .hasNotPassed("EndEvent_FailbackNotApproved", "Event_WaitForSync", "UserTask_ResolveDnsSwitch",
            "UserTask_InvestigateProxy");

    List<String> ran = steps.activityIds();
    assertThat(ran.subList(0, 3)).containsExactly("Task_ResolveTopology", "Task_StartReverseReplication",
        "Task_CheckReplicationInSync");
    assertThat(ran.subList(3, 3 + SWITCH_BACK_STEPS.size())).containsExactlyElementsOf(SWITCH_BACK_STEPS);
    assertThat(steps.calls()).hasSize(3 + SWITCH_BACK_STEPS.size() + 3 * ScriptedSteps.PROXY_HOSTS.size());

    assertStep("Task_StartReverseReplication", "site1.ogg", "replication-start", "direction", "site2-to-site1");
    assertStep("Task_CheckReplicationInSync", "site1.ogg", "replication-in-sync-check", "direction", "site2-to-site1");
    assertStep("Task_StopSite2Scs", "site2.cs-mgmt", "genesys-app-stop", "app", "scs-master");
    assertStep("Task_StopSite2MessageServer", "site2.cs-mgmt", "genesys-app-stop", "app", "msgserver-scs-distributed");
    assertStep("Task_StopSite2CsPair", "site2.cs-mgmt", "genesys-app-stop", "app", "confserv-master-pair");
    assertStep("Task_StopReverseReplication", "site1.ogg", "replication-stop", "direction", "site2-to-site1");
    assertStep("Task_StartForwardReplication", "site2.ogg", "replication-start", "direction", "site1-to-site2");
    assertStep("Task_StartSite1CsPair", "site1.cs-mgmt", "genesys-app-start", "app", "confserv-master-pair");
    assertThat(steps.calls("Task_DisableSite2DatabaseAccess").get(0).inputs())
        .containsEntry("database", "site2.config-db").containsEntry("statement", "config-db-access-disable");
    assertThat(steps.calls("Task_EnableSite1DatabaseAccess").get(0).inputs())
        .containsEntry("database", "site1.config-db").containsEntry("statement", "config-db-access-enable");
    assertThat(steps.calls("Task_SwitchDnsRecord").get(0).inputs())
        .containsEntry("record", "cs-master").containsEntry("targetHost", "site1.cs-mgmt");
    assertThat(steps.calls("Task_PushNameResolution")).hasSize(ScriptedSteps.PROXY_HOSTS.size())
        .allSatisfy(call -> assertThat(call.inputs()).containsEntry("masterAddress", SITE1_ADDRESS)
            .containsEntry("command", "cs-proxy-switchover"))
        .extracting(call -> call.input("host")).containsExactlyInAnyOrderElementsOf(ScriptedSteps.PROXY_HOSTS);
    assertThat(steps.calls("Task_VerifyNameResolution"))
        .allSatisfy(call -> assertThat(call.inputs()).containsEntry("address", SITE1_ADDRESS));
    assertThat(run).variables()
        .containsEntry("site1CsAddress", SITE1_ADDRESS)
        .containsEntry("maintenanceWindowApproved", true)
        .containsEntry("dnsPreviousAddresses", List.of("127.0.2.10"))
        .containsEntry("failbackComplete", true);
  }

  @Test
  void shouldSwitchNothingBackWhenTheWindowIsNotApproved() {
    ProcessInstance run = start(Map.of());

    steps.drive();
    confirmSite1Restored(run);
    steps.drive();
    approveWindow(run, false);
    int after = steps.drive();

    assertThat(run).isEnded().hasPassed("EndEvent_FailbackNotApproved")
        .hasNotPassed("Task_StopSite2Scs", "Task_SwitchDnsRecord", "EndEvent_FailedBack");
    assertThat(after).isZero();
    assertThat(steps.activityIds()).containsExactly("Task_ResolveTopology", "Task_StartReverseReplication",
        "Task_CheckReplicationInSync");
  }

  @Test
  void shouldWaitAndCheckAgainWhenReplicationIsNotInSyncYet() {
    steps.failingOnce("Task_CheckReplicationInSync", VERIFY_FAILED, "site2-to-site1: lag 42 seconds, expected 0");
    ProcessInstance run = start(Map.of("syncPollInterval", "PT5S"));

    steps.drive();
    confirmSite1Restored(run);
    steps.drive();

    assertThat(run).isWaitingAt("Event_WaitForSync").hasPassed("BoundaryEvent_NotInSync")
        .hasNotPassed("UserTask_ApproveMaintenanceWindow");
    assertThat(run).variables().containsEntry("syncCheckError", "site2-to-site1: lag 42 seconds, expected 0");
    Job timer = processEngine.getManagementService().createJobQuery().processInstanceId(run.getId()).singleResult();
    assertThat(Duration.between(java.time.Instant.now(), timer.getDuedate().toInstant()))
        .isBetween(Duration.ZERO, Duration.ofSeconds(5));

    processEngine.getManagementService().executeJob(timer.getId());
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_ApproveMaintenanceWindow");
    assertThat(steps.calls("Task_CheckReplicationInSync")).hasSize(2);
    assertThat(steps.calls("Task_StopSite2Scs")).isEmpty();
  }

  @Test
  void shouldSwitchTheDnsRecordAgainWhenTheSwitchBackFailsVerification() {
    steps.failingOnce("Task_SwitchDnsRecord", VERIFY_FAILED, "cs-master answers 127.0.2.10, expected 127.0.1.10");
    ProcessInstance run = start(Map.of());

    steps.drive();
    confirmSite1Restored(run);
    steps.drive();
    approveWindow(run, true);
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_ResolveDnsSwitch").hasNotPassed("SubProcess_SwitchProxies");
    assertThat(task(run)).hasCandidateGroup("dr-operators");
    ScriptedSteps.assertDeployedForm(processEngine, task(run), "form-resolve-dns-switch-back");
    complete(task(run), withVariables("dnsFixNote", "zone was frozen; thawed it"));
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_ConfirmFailbackComplete");
    assertThat(steps.calls("Task_SwitchDnsRecord")).hasSize(2);
  }

  @Test
  void shouldPushAgainToThatProxyOnlyWhenItsCheckFailsOnce() {
    String failing = "site1.cs-proxy-2";
    steps.failingOnce("Task_VerifyProxyNormalMode", inputs -> failing.equals(inputs.get("host")),
        VERIFY_FAILED, "mode limited");
    ProcessInstance run = start(Map.of());

    steps.drive();
    confirmSite1Restored(run);
    steps.drive();
    approveWindow(run, true);
    steps.drive();

    Task investigation = task(run);
    assertThat(investigation).hasDefinitionKey("UserTask_InvestigateProxy").hasName("Investigate proxy " + failing);
    ScriptedSteps.assertDeployedForm(processEngine, investigation, "form-investigate-proxy-failback");
    complete(investigation, withVariables("proxyFixNote", "restarted the proxy's resolver"));
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_ConfirmFailbackComplete");
    List<Call> pushes = steps.calls("Task_PushNameResolution");
    assertThat(pushes.stream().filter(call -> failing.equals(call.input("host")))).hasSize(2);
    assertThat(pushes).hasSize(ScriptedSteps.PROXY_HOSTS.size() + 1);
  }

  private void assertStep(String activityId, String host, String command, String name, String value) {
    assertThat(steps.calls(activityId)).singleElement().satisfies(call -> assertThat(call.inputs())
        .containsEntry("route", "ssh-exec").containsEntry("host", host).containsEntry("command", command)
        .containsEntry(name, value));
  }

  private ProcessInstance start(Map<String, Object> variables) {
    processEngine.getIdentityService().setAuthenticatedUserId("olivia.operator");
    try {
      ProcessInstance run = processEngine.getRuntimeService()
          .startProcessInstanceByKey(PROCESS_ID, "CHG0054321", variables);
      assertThat(run).isStarted().isWaitingAt("Task_ResolveTopology");
      return run;
    } finally {
      processEngine.getIdentityService().clearAuthentication();
    }
  }

  private void confirmSite1Restored(ProcessInstance run) {
    assertThat(run).isWaitingAt("UserTask_ConfirmSite1Restored");
    assertThat(task(run)).hasCandidateGroup("dr-operators");
    ScriptedSteps.assertDeployedForm(processEngine, task(run), "form-confirm-site1-restored");
    complete(task(run), withVariables("site1Restored", true, "site1RestoredNotes", "power and cooling back"));
  }

  private void approveWindow(ProcessInstance run, boolean approved) {
    assertThat(run).isWaitingAt("UserTask_ApproveMaintenanceWindow");
    assertThat(task(run)).hasCandidateGroup("dr-approvers");
    ScriptedSteps.assertDeployedForm(processEngine, task(run), "form-approve-maintenance-window");
    complete(task(run), withVariables("maintenanceWindowApproved", approved,
        "maintenanceWindow", "CHG0054321, Sunday 02:00-04:00"));
  }

  private void confirmFailbackComplete(ProcessInstance run) {
    assertThat(run).isWaitingAt("UserTask_ConfirmFailbackComplete");
    ScriptedSteps.assertDeployedForm(processEngine, task(run), "form-confirm-failback-complete");
    complete(task(run), withVariables("failbackComplete", true));
  }

}
