package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Path tests of {@code processes/dr-ocms-replication-troubleshooting.bpmn} (PROCEDURES D4, seed 003
 * L784-829) on the engine alone: "Unable to connect" on the first instance; "Master Catchup Required"
 * with the first instance refusing connections (its scheme re-created, ForceConnect set and set back)
 * and the other accepting them (left alone), and with both refusing (the first, then the other);
 * asserting the path and what each step was given on which node.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-ocms-replication-troubleshooting.bpmn",
    "forms/form-start-ocms-replication-troubleshooting.form"})
class OcmsReplicationTroubleshootingProcessTest {

  static final String PROCESS_ID = "dr-ocms-replication-troubleshooting";
  static final String D2 = "dr-ocms-timesten-replication-setup";
  static final String FIRST = OcmsTimestenReplicationSetupProcessTest.FIRST;
  static final String SECOND = OcmsTimestenReplicationSetupProcessTest.SECOND;
  static final String CATCHUP = "Master Catchup Required. New Connections are not allowed.";
  static final List<String> REPAIR = List.of("Task_ResolveNodeFqdn", "Task_SetForceConnect", "Task_SetRepPolicyManual",
      "Task_StopReplication", "Task_RecreateReplication", "Task_SetRepPolicyAlways", "Task_ResetForceConnect",
      "Task_VerifyNodeAcceptsConnections");

  ProcessEngine processEngine;
  ScriptedSteps steps;

  private String standIn;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    // D2 stands in as a process that only ends: its own path tests cover it; here what D4 gives it
    standIn = processEngine.getRepositoryService().createDeployment().name("D2 stand-in")
        .addModelInstance("d2-stand-in.bpmn", Bpmn.createExecutableProcess(D2).camundaHistoryTimeToLive(1)
            .startEvent().endEvent().done())
        .deploy().getId();
    steps = new ScriptedSteps(processEngine)
        .returning("Task_ResolveNodes", Map.of("members", List.of(FIRST, SECOND)))
        .returning("Task_ResolveNodeFqdn", Map.of("hostName", "ocms-1.site1.ocms.lab"))
        .returning("Task_ReadFirstStatus", Map.of("stdout", "Replication policy  : Manual\nReplication agent is stopped.\n"))
        .returning("Task_TryConnect", OcmsTimestenReplicationSetupProcessTest.REPLICATED);
  }

  @AfterEach
  void removeStandIn() {
    processEngine.getRepositoryService().deleteDeployment(standIn, true);
  }

  @Test
  void shouldSetThePolicyAlwaysOnTheFirstInstanceAndVerifyItsAgentWhenItIsUnableToConnect() {
    ProcessInstance run = start("unable-to-connect");

    steps.drive();

    assertThat(steps.activityIds()).containsExactly("Task_ResolveNodes", "Task_ReadFirstStatus",
        "Task_SetFirstRepPolicyAlways", "Task_VerifyFirstReplicating");
    assertThat(steps.calls().subList(1, steps.calls().size()))
        .allSatisfy(call -> assertThat(call.inputs()).containsEntry("host", FIRST));
    assertThat(input("Task_ReadFirstStatus")).containsEntry("command", "timesten-status");
    assertThat(input("Task_SetFirstRepPolicyAlways")).containsEntry("command", "timesten-rep-policy-always");
    assertThat(input("Task_VerifyFirstReplicating")).containsEntry("command", "timesten-replication-running-check");
    assertThat(run).isEnded().hasPassed("EndEvent_AgentRunning").variables().containsEntry("firstAgentRunning", false);
  }

  @Test
  void shouldRecreateTheSchemeOfTheRefusingFirstInstanceAndLeaveTheOtherWhenMasterCatchupIsRequired() {
    steps.failingOnce("Task_TryConnect", inputs -> FIRST.equals(inputs.get("host")), "DR_VERIFY_FAILED", CATCHUP);
    ProcessInstance run = start("master-catchup-required");

    steps.drive();

    List<String> firstRepaired = OcmsTimestenRecoveryProcessTest.concat(List.of("Task_ResolveNodes", "Task_TryConnect"),
        REPAIR);
    assertThat(steps.activityIds()).containsExactlyElementsOf(OcmsTimestenRecoveryProcessTest.concat(firstRepaired,
        List.of("Task_TryConnect", "Task_VerifyReplicationRunning", "Task_VerifyReplicationRunning")));
    assertThat(steps.calls("Task_TryConnect")).extracting(call -> call.input("host")).containsExactly(FIRST, SECOND);
    for (String repairStep : REPAIR) {
      assertThat(input(repairStep)).as(repairStep).containsEntry("host", FIRST);
    }
    assertThat(input("Task_SetForceConnect")).containsEntry("path", "/opt/oracle/timesten/info/sys.odbc.ini")
        .containsEntry("operation", "set").containsEntry("section", "ocmsdb").containsEntry("key", "ForceConnect")
        .containsEntry("value", "1");
    assertThat(input("Task_ResetForceConnect")).containsEntry("key", "ForceConnect").containsEntry("value", "0");
    assertThat(input("Task_SetRepPolicyManual")).containsEntry("command", "timesten-rep-policy-manual");
    assertThat(input("Task_StopReplication")).containsEntry("command", "timesten-rep-stop-connstr-last");
    assertThat(input("Task_RecreateReplication")).containsEntry("command", "timesten-recreate-replication")
        .containsEntry("hostFqdn", "ocms-1.site1.ocms.lab");
    assertThat(input("Task_VerifyNodeAcceptsConnections")).containsEntry("command", "timesten-repscheme-check");
    assertThat(run).isEnded().hasPassed("BoundaryEvent_ConnectionRefused", "EndEvent_NodeAcceptsConnections",
        "CallActivity_DuplicateToSecond", "EndEvent_SchemeRecreated").hasNotPassed("Task_ReadFirstStatus");
    // seed L829: then the second is duplicated from the first by D2, told to do it again
    assertDuplicateCalled(run);
  }

  @Test
  void shouldRepairTheFirstThenTheOtherInstanceWhenBothRefuseConnections() {
    steps.failingOnce("Task_TryConnect", "DR_VERIFY_FAILED", CATCHUP)
        .failingOnce("Task_TryConnect", "DR_VERIFY_FAILED", CATCHUP);
    ProcessInstance run = start("master-catchup-required");

    steps.drive();

    assertThat(steps.calls("Task_RecreateReplication")).extracting(call -> call.input("host"))
        .containsExactly(FIRST, SECOND);
    assertThat(steps.calls("Task_ResetForceConnect")).extracting(call -> call.input("host"))
        .containsExactly(FIRST, SECOND);
    assertThat(run).isEnded().hasPassed("EndEvent_SchemeRecreated").hasNotPassed("EndEvent_NodeAcceptsConnections");
    assertDuplicateCalled(run);
  }

  @Test
  void shouldRepairNothingAndOnlyVerifyWhenEveryInstanceAcceptsConnectionsWithItsScheme() {
    ProcessInstance run = start("master-catchup-required");

    steps.drive();

    assertThat(steps.activityIds()).doesNotContainAnyElementsOf(REPAIR).containsExactly("Task_ResolveNodes",
        "Task_TryConnect", "Task_TryConnect", "Task_VerifyReplicationRunning", "Task_VerifyReplicationRunning");
    assertThat(run).isEnded().hasPassed("EndEvent_SchemeRecreated").hasNotPassed("CallActivity_DuplicateToSecond");
    assertThat(processEngine.getHistoryService().createHistoricProcessInstanceQuery()
        .superProcessInstanceId(run.getId()).count()).as("nothing re-created: no duplicate").isZero();
  }

  @Test
  void shouldRecreateTheSchemeWhenTheInstanceConnectsWithoutOne() {
    steps.returning("Task_TryConnect", OcmsTimestenReplicationSetupProcessTest.NOT_REPLICATED);
    ProcessInstance run = start("master-catchup-required");

    steps.drive();

    assertThat(steps.calls("Task_RecreateReplication")).hasSize(2);
    assertThat(run).isEnded().hasNotPassed("BoundaryEvent_ConnectionRefused");
  }

  private ProcessInstance start(String symptom) {
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, "CHG-D4-1",
        Map.of("symptom", symptom, "permSizeMb", 512));
  }

  /** D2 was called once for the run, with redoSecond, the run's PermSize and no instance name change. */
  private void assertDuplicateCalled(ProcessInstance run) {
    HistoricProcessInstance called = processEngine.getHistoryService().createHistoricProcessInstanceQuery()
        .superProcessInstanceId(run.getId()).singleResult();
    assertThat(called.getProcessDefinitionKey()).isEqualTo(D2);
    assertThat(called.getBusinessKey()).isEqualTo("CHG-D4-1");
    Map<String, Object> given = new HashMap<>();
    processEngine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(called.getId()).list()
        .forEach(variable -> given.put(variable.getName(), variable.getValue()));
    assertThat(given).containsEntry("redoSecond", true).containsEntry("permSizeMb", 512)
        .containsEntry("instanceNamesChanged", false);
  }

  private Map<String, Object> input(String activityId) {
    assertThat(steps.calls(activityId)).as(activityId).hasSize(1);
    return steps.calls(activityId).get(0).inputs();
  }
}
