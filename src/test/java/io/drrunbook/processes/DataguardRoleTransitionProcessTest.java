package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Path tests of {@code processes/dr-oracle-dataguard-role-transition.bpmn} (PROCEDURES C5, seed 002
 * L1327-1622) on the engine alone: the four modes, the lag gate that waits, the verified manual step
 * reopened by its check, the reinstate the broker refuses and the flashback window that expires,
 * asserting the path and what each dgmgrl step was given.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-oracle-dataguard-role-transition.bpmn",
    "callers/c5-caller.bpmn",
    "forms/form-start-oracle-dataguard-role-transition.form",
    "forms/form-guided-step.form"})
class DataguardRoleTransitionProcessTest {

  static final String PROCESS_ID = "dr-oracle-dataguard-role-transition";

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine);
  }

  @Test
  void shouldCheckLagSwitchOverAndVerifyBothRolesWhenModeIsSwitchover() {
    ProcessInstance run = start("switchover");

    steps.drive();

    assertThat(steps.activityIds()).containsExactly("Task_SwitchoverLagGate", "Task_SwitchoverToStandby",
        "Task_VerifyOriginalPrimaryStandby", "Task_VerifyNewPrimaryAfterSwitchover");
    assertThat(inputs("Task_SwitchoverLagGate")).containsEntry("host", "site1.oracle-db")
        .containsEntry("command", "dataguard-switchover-ready-check").containsEntry("database", "orcl_stby");
    assertThat(inputs("Task_SwitchoverToStandby")).containsEntry("host", "site1.oracle-db")
        .containsEntry("command", "dataguard-switchover").containsEntry("newPrimary", "orcl_stby");
    assertThat(inputs("Task_VerifyOriginalPrimaryStandby")).containsEntry("command", "dataguard-standby-check")
        .containsEntry("database", "orcl");
    assertThat(inputs("Task_VerifyNewPrimaryAfterSwitchover")).containsEntry("host", "site2.oracle-db")
        .containsEntry("command", "dataguard-primary-check").containsEntry("database", "orcl_stby");
    assertThat(run).isEnded().hasPassed("EndEvent_SwitchedOver");
  }

  @Test
  void shouldWaitAndCheckAgainWhenTheStandbyIsBehindBeforeASwitchover() {
    steps.failingOnce("Task_SwitchoverLagGate", "DR_VERIFY_FAILED", "Transport Lag: 12 seconds");
    ProcessInstance run = start("switchover");

    steps.drive();

    assertThat(run).isWaitingAt("Event_WaitSwitchoverLag");
    assertThat(steps.activityIds()).containsExactly("Task_SwitchoverLagGate");
    Job timer = processEngine.getManagementService().createJobQuery().processInstanceId(run.getId()).timers()
        .singleResult();
    assertThat(timer.getDuedate().toInstant()).isBetween(Instant.now().plusSeconds(20), Instant.now().plusSeconds(31));
    execute(timer);
    steps.drive();

    assertThat(steps.activityIds()).containsExactly("Task_SwitchoverLagGate", "Task_SwitchoverLagGate",
        "Task_SwitchoverToStandby", "Task_VerifyOriginalPrimaryStandby", "Task_VerifyNewPrimaryAfterSwitchover");
    assertThat(run).isEnded().hasPassed("EndEvent_SwitchedOver");
  }

  @Test
  void shouldSwitchBackOnTheDc2BrokerAndVerifyWhenModeIsSwitchback() {
    ProcessInstance run = start("switchback");

    steps.drive();

    assertThat(steps.activityIds()).containsExactly("Task_SwitchbackLagGate", "Task_SwitchbackToPrimary",
        "Task_VerifyPrimaryAfterSwitchback", "Task_VerifyStandbyAfterSwitchback");
    assertThat(inputs("Task_SwitchbackLagGate")).containsEntry("host", "site2.oracle-db")
        .containsEntry("database", "orcl");
    assertThat(inputs("Task_SwitchbackToPrimary")).containsEntry("host", "site2.oracle-db")
        .containsEntry("command", "dataguard-switchover").containsEntry("newPrimary", "orcl");
    assertThat(inputs("Task_VerifyPrimaryAfterSwitchback")).containsEntry("command", "dataguard-primary-check")
        .containsEntry("database", "orcl");
    assertThat(inputs("Task_VerifyStandbyAfterSwitchback")).containsEntry("command", "dataguard-standby-check")
        .containsEntry("database", "orcl_stby");
    assertThat(run).isEnded().hasPassed("EndEvent_SwitchedBack");
  }

  @Test
  void shouldFailOverBackUpAndReinstateAfterTheCheckReopenedTheStepWhenModeIsFailover() {
    steps.failingOnce("Task_CheckOriginalPrimaryReady", "DR_VERIFY_FAILED",
        "verification failed (stdout: ORA-12543: TNS:destination host unreachable)");
    ProcessInstance run = start("failover");

    steps.drive();
    assertThat(steps.activityIds()).containsExactly("Task_FailoverToStandby");
    assertThat(inputs("Task_FailoverToStandby")).containsEntry("host", "site2.oracle-db")
        .containsEntry("command", "dataguard-failover").containsEntry("newPrimary", "orcl_stby");
    assertThat(run).isWaitingAt("UserTask_BackUpNewPrimary");
    assertThat(task(run)).hasCandidateGroup("dr-database");
    Instant deadline = ((java.util.Date) processEngine.getRuntimeService()
        .getVariable(run.getId(), "flashbackDeadline")).toInstant();
    assertThat(Duration.between(Instant.now(), deadline)).isBetween(Duration.ofHours(24).minusMinutes(1), Duration.ofHours(24));

    complete(task(run), GuidedEvidence.of("COMPLETED", "RMAN-TAG-20261203"));
    assertThat(run).isWaitingAt("UserTask_OriginalPrimaryBack");
    complete(task(run), GuidedEvidence.of("MOUNTED", null));
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_OriginalPrimaryBack").hasPassed("BoundaryEvent_OriginalPrimaryNotReady");
    assertThat(processEngine.getTaskService().getVariable(task(run).getId(), "guideFinding").toString())
        .contains("ORA-12543");
    complete(task(run), GuidedEvidence.of("MOUNTED", null));
    steps.drive();

    assertThat(steps.activityIds()).containsExactly("Task_FailoverToStandby", "Task_CheckOriginalPrimaryReady",
        "Task_CheckOriginalPrimaryReady", "Task_ReinstateOriginalPrimary", "Task_VerifyPrimaryAfterReinstate");
    assertThat(inputs("Task_ReinstateOriginalPrimary")).containsEntry("host", "site1.oracle-db")
        .containsEntry("command", "dataguard-reinstate").containsEntry("database", "orcl");
    assertThat(run).isEnded().hasPassed("EndEvent_Reinstated").hasNotPassed("UserTask_RebuildStandby");
    assertThat(run).variables().containsEntry("newPrimaryBackupId", "RMAN-TAG-20261203");
  }

  @Test
  void shouldReinstateAndVerifyOnlyWhenModeIsReinstate() {
    ProcessInstance run = start("reinstate");

    steps.drive();

    assertThat(steps.activityIds()).containsExactly("Task_ReinstateOriginalPrimary", "Task_VerifyPrimaryAfterReinstate");
    assertThat(inputs("Task_VerifyPrimaryAfterReinstate")).containsEntry("command", "dataguard-primary-check")
        .containsEntry("database", "orcl_stby");
    assertThat(run).isEnded().hasPassed("EndEvent_Reinstated");
  }

  @Test
  void shouldAskToRebuildTheStandbyWhenTheBrokerRefusesTheReinstate() {
    steps.failingOnce("Task_ReinstateOriginalPrimary", "DR_PRECONDITION_FAILED", "ORA-16795: re-create");
    ProcessInstance run = start("reinstate");

    steps.drive();

    assertThat(run).isWaitingAt("UserTask_RebuildStandby");
    complete(task(run), GuidedEvidence.of("rebuild scheduled", "CHG0099999"));
    assertThat(run).isEnded().hasPassed("EndEvent_StandbyToRebuild");
    assertThat(steps.activityIds()).containsExactly("Task_ReinstateOriginalPrimary");
  }

  @Test
  void shouldEscalateToRebuildTheStandbyWhenTheFlashbackWindowExpiresWithoutReinstate() {
    ProcessInstance run = start("failover");
    steps.drive();
    complete(task(run), GuidedEvidence.of("COMPLETED", "RMAN-TAG-1"));
    assertThat(run).isWaitingAt("UserTask_OriginalPrimaryBack");

    Job flashback = processEngine.getManagementService().createJobQuery().processInstanceId(run.getId())
        .timers().activityId("BoundaryEvent_FlashbackExpired").singleResult();
    assertThat(flashback.getDuedate()).isEqualTo(processEngine.getRuntimeService()
        .getVariable(run.getId(), "flashbackDeadline"));
    execute(flashback);

    assertThat(run).isWaitingAt("UserTask_RebuildStandby").hasPassed("BoundaryEvent_FlashbackExpired");
    assertThat(task(run)).hasName("Flashback window expired: rebuild the standby").hasCandidateGroup("dr-database");
    complete(task(run), GuidedEvidence.of("standby rebuilt", "CHG0100000"));
    steps.drive();
    assertThat(run).isEnded().hasPassed("EndEvent_StandbyToRebuild").hasNotPassed("Task_ReinstateOriginalPrimary");
    assertThat(steps.activityIds()).containsExactly("Task_FailoverToStandby");
  }

  @Test
  void shouldSwitchOverAndReturnToTheCallerWhenACallActivityCallsIt() {
    ProcessInstance caller = processEngine.getRuntimeService().startProcessInstanceByKey("test-c5-caller",
        "CHG-C1-1", Map.of("oracleTransition", "switchover", "ticketSystem", "servicenow", "ticketId", "CHG-C1-1"));

    steps.drive();

    assertThat(steps.calls()).extracting(ScriptedSteps.Call::activityId).containsExactly("Task_SwitchoverLagGate",
        "Task_SwitchoverToStandby", "Task_VerifyOriginalPrimaryStandby", "Task_VerifyNewPrimaryAfterSwitchover");
    assertThat(steps.calls()).extracting(ScriptedSteps.Call::processInstanceId).doesNotContain(caller.getId());
    assertThat(processEngine.getHistoryService().createHistoricProcessInstanceQuery()
        .superProcessInstanceId(caller.getId()).singleResult().getBusinessKey()).isEqualTo("CHG-C1-1");
    assertThat(caller).isEnded().hasPassed("CallActivity_OracleSwitchover");
  }

  private ProcessInstance start(String mode) {
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, "CHG-C5-" + mode,
        Map.of("mode", mode, "primaryDb", "orcl", "standbyDb", "orcl_stby", "flashbackWindowHours", 24,
            "lagPollInterval", "PT30S"));
  }

  private Map<String, Object> inputs(String activityId) {
    List<ScriptedSteps.Call> calls = steps.calls(activityId);
    assertThat(calls).as("calls of %s", activityId).isNotEmpty();
    return calls.get(0).inputs();
  }

}
