package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.withVariables;

import java.time.Instant;
import java.util.ArrayList;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Path tests of {@code processes/dr-gim-site-failover.bpmn} (PROCEDURES B1, seed 001 steps 1-10) on
 * the engine alone: every combination of its three conditions (partitioned, GI2/RAA, upgraded since
 * replication as the log shows it), the failure not declared, a job still running, and the
 * re-aggregation window computed from the recorded failure time.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-gim-site-failover.bpmn",
    "forms/form-start-gim-site-failover.form",
    "forms/form-declare-site-failure.form",
    "forms/form-confirm-reporting-restored.form"})
class GimSiteFailoverProcessTest {

  static final String PROCESS_ID = "dr-gim-site-failover";
  static final String FAILURE_TIME = "2025-01-31T21:40:00Z";
  static final String NO_MIGRATION = "2025-01-31 22:01:02 Std 55-00001 GIM Server started\nmatches: 0\n";
  static final String MIGRATION = "2025-01-31 22:01:03 Std 55-20152 Migration state entered\nmatches: 1\n";

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine)
        .returning("Task_ResolveGimHost", Map.of("hostName", "gim.site2.genesys.lab"))
        .returning("Task_ResolveConfigServerHost", Map.of("hostName", "cs-mgmt.site2.genesys.lab"));
  }

  @ParameterizedTest(name = "partitioned={0} gi2OrRaa={1} upgraded={2}")
  @CsvSource({
      "false, false, false", "true, false, false", "false, true, false", "false, false, true",
      "true, true, false", "true, false, true", "false, true, true", "true, true, true"})
  void shouldRunExactlyTheStepsTheConditionsCallFor(boolean partitioned, boolean gi2OrRaa, boolean upgraded) {
    steps.returning("Task_CheckMigrationState", Map.of("stdout", upgraded ? MIGRATION : NO_MIGRATION));
    ProcessInstance run = start(partitioned, gi2OrRaa);

    steps.drive();
    declare(run, true);
    steps.drive();
    confirmReportingRestored(run);

    List<String> expected = new ArrayList<>(List.of("Task_ResolveGimHost", "Task_ResolveConfigServerHost",
        "Task_StopReplicatSite2", "Task_StopExtractSite2", "Task_StopPumpSite2", "Task_SetGimHost",
        "Task_SetGimCommandLine", "Task_RemoveSite1SourceConnections", "Task_RemoveSite1InfoMartDap",
        "Task_AddSite2InfoMartDap"));
    if (partitioned) {
      expected.add("Task_DisableScheduler");
    }
    if (gi2OrRaa) {
      expected.addAll(List.of("Task_DisableAggregates", "Task_StopAggregationJob"));
    }
    expected.addAll(List.of("Task_StartGimServer", "Task_CheckMigrationState"));
    if (upgraded) {
      expected.addAll(List.of("Task_StartMigrateJob", "Task_CheckMigrateJob"));
    }
    if (partitioned) {
      expected.addAll(List.of("Task_StartMaintainJob", "Task_CheckMaintainJob", "Task_EnableScheduler"));
    }
    expected.add("Task_CheckGimConfiguration");
    if (gi2OrRaa) {
      expected.addAll(List.of("Task_Reaggregate", "Task_EnableAggregates"));
    }
    assertThat(steps.activityIds()).containsExactlyElementsOf(expected);
    assertThat(run).isEnded().hasPassed("EndEvent_InfoMartAtSite2");
    assertThat(run).variables().containsEntry("migrationRequired", upgraded);
  }

  @Test
  void shouldChangeNothingWhenTheSiteFailureIsNotDeclared() {
    ProcessInstance run = start(true, true);

    steps.drive();
    declare(run, false);
    steps.drive();

    assertThat(run).isEnded().hasPassed("EndEvent_NotDeclared");
    assertThat(steps.activityIds()).containsExactly("Task_ResolveGimHost", "Task_ResolveConfigServerHost");
  }

  @Test
  void shouldWaitOnTheTimerWhileTheMigrationJobRunsAndGoOnWhenItCompleted() {
    steps.returning("Task_CheckMigrationState", Map.of("stdout", MIGRATION))
        .returning("Task_StartMigrateJob", Map.of("job", "Job_MigrateGIM", "state", "RUNNING"))
        .failingOnce("Task_CheckMigrateJob", "DR_JOB_RUNNING", "Job_MigrateGIM is RUNNING");
    ProcessInstance run = start(false, false);

    steps.drive();
    declare(run, true);
    steps.drive();

    assertThat(run).isWaitingAt("Event_WaitMigrateJob").hasPassed("BoundaryEvent_MigrateJobRunning");
    Job timer = processEngine.getManagementService().createJobQuery().processInstanceId(run.getId())
        .singleResult();
    assertThat(timer.getDuedate().toInstant()).isBetween(Instant.now().plusSeconds(5), Instant.now().plusSeconds(11));
    processEngine.getManagementService().executeJob(timer.getId());
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_ConfirmReportingRestored");
    assertThat(steps.calls("Task_CheckMigrateJob")).hasSize(2).allSatisfy(call -> assertThat(call.inputs())
        .containsEntry("route", "gim-job").containsEntry("operation", "status")
        .containsEntry("job", "Job_MigrateGIM").containsEntry("endpoint", "site2.gim-admin"));
    assertThat(steps.calls("Task_StartMigrateJob")).hasSize(1);
  }

  @Test
  void shouldReaggregateFrom24HoursBeforeTheRecordedFailureUntilNow() {
    steps.returning("Task_CheckMigrationState", Map.of("stdout", NO_MIGRATION));
    ProcessInstance run = start(false, true);
    long before = Instant.now().getEpochSecond();

    steps.drive();
    declare(run, true);
    steps.drive();

    long after = Instant.now().getEpochSecond();
    long failure = Instant.parse(FAILURE_TIME).getEpochSecond();
    assertThat(steps.calls("Task_Reaggregate")).singleElement().satisfies(call -> {
      assertThat(call.inputs()).containsEntry("route", "ssh-exec").containsEntry("host", "site2.gim")
          .containsEntry("command", "gim-reaggregate");
      assertThat(Long.parseLong(String.valueOf(call.input("fromEpoch")))).isEqualTo(failure - 24 * 3600);
      assertThat(Long.parseLong(String.valueOf(call.input("toEpoch")))).isBetween(before, after);
    });
    // the Startup Command Line names the Site 2 Configuration Server by its logical host
    assertThat(steps.calls("Task_SetGimCommandLine")).singleElement().satisfies(call -> assertThat(call.inputs())
        .containsEntry("route", "genesys-config").containsEntry("endpoint", "site2.config-api")
        .containsEntry("application", "GIM_Server").containsEntry("operation", "set-command-line")
        .containsEntry("commandLine", "-host {hostname:site2.cs-mgmt} -port 2020 -app GIM_Server"));
    assertThat(steps.calls("Task_CheckGimConfiguration")).singleElement().satisfies(call -> assertThat(call.inputs())
        .containsEntry("hostName", "gim.site2.genesys.lab").containsEntry("configServerHost", "cs-mgmt.site2.genesys.lab")
        .containsEntry("infoMartDap", "DAP_InfoMart_Site2"));
  }

  private ProcessInstance start(boolean partitioned, boolean gi2OrRaa) {
    processEngine.getIdentityService().setAuthenticatedUserId("olivia.operator");
    try {
      ProcessInstance run = processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID,
          "CHG0077001", Map.of("partitioned", partitioned, "gi2OrRaa", gi2OrRaa));
      assertThat(run).isStarted();
      return run;
    } finally {
      processEngine.getIdentityService().clearAuthentication();
    }
  }

  private void declare(ProcessInstance run, boolean declared) {
    assertThat(run).isWaitingAt("UserTask_DeclareSiteFailure");
    assertThat(task(run)).hasCandidateGroup("dr-approvers");
    ScriptedSteps.assertDeployedForm(processEngine, task(run), "form-declare-site-failure");
    complete(task(run), withVariables("siteFailureDeclared", declared, "siteFailureTime", FAILURE_TIME,
        "siteFailureReason", "power loss at Site 1", "decidedBy", "DR manager"));
  }

  private void confirmReportingRestored(ProcessInstance run) {
    assertThat(run).isWaitingAt("UserTask_ConfirmReportingRestored");
    assertThat(task(run)).hasCandidateGroup("dr-operators");
    ScriptedSteps.assertDeployedForm(processEngine, task(run), "form-confirm-reporting-restored");
    complete(task(run), withVariables("reportingRestored", true, "reportingRestoredEvidence", "ETL ran at 22:30"));
  }
}
