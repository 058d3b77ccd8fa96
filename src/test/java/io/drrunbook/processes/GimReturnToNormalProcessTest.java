package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.withVariables;

import java.time.Instant;
import io.drrunbook.engine.FieldRequiredRefusedException;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Path tests of {@code processes/dr-gim-return-to-normal.bpmn} (PROCEDURES B2, seed 001 return to
 * normal, steps 1-19) on the engine alone: the four combinations of its conditions (large database
 * synchronized by reverse GoldenGate replication, GI2/RAA), databases not in sync yet, and the SCNs
 * handed from the source database and the export to the Replicats.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-gim-return-to-normal.bpmn",
    "forms/form-start-gim-return-to-normal.form",
    "forms/form-copy-info-mart-database.form",
    "forms/form-deploy-icons-site3.form",
    "forms/form-deploy-gim-site3.form",
    "forms/form-install-goldengate-site3.form",
    "forms/form-configure-bidirectional-replication.form",
    "forms/form-confirm-two-site-operation.form"})
class GimReturnToNormalProcessTest {

  static final String PROCESS_ID = "dr-gim-return-to-normal";
  static final String FAILURE_TIME = "2025-01-31T21:40:00Z";
  static final String SOURCE_SCN = "7300451";
  static final String EXPORT_SCN = "5500120";

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine)
        .returning("Task_ResolveGimHost", Map.of("hostName", "gim.site3.genesys.lab"))
        .returning("Task_ResolveConfigServerHost", Map.of("hostName", "cs-mgmt.site3.genesys.lab"))
        .returning("Task_ReadSourceScn", Map.of("valueAfter", SOURCE_SCN))
        .returning("Task_ReadNormalSyncMark", Map.of("valueAfter", "1000:1000"))
        .returning("Task_ReadReverseSyncMark", Map.of("valueAfter", "1000:1000"))
        .returning("Task_ReadFinalSyncMark", Map.of("valueAfter", "1000:1000"));
  }

  @ParameterizedTest(name = "largeDatabase={0} gi2OrRaa={1}")
  @CsvSource({"false, false", "true, false", "false, true", "true, true"})
  void shouldRunExactlyTheStepsTheConditionsCallFor(boolean largeDatabase, boolean gi2OrRaa) {
    ProcessInstance run = start(largeDatabase, gi2OrRaa);

    workManualStepsUntilTheEnd(run, largeDatabase);

    List<String> expected = new ArrayList<>(List.of("Task_ResolveGimHost", "Task_ResolveConfigServerHost"));
    if (!largeDatabase) {
      expected.add("Task_StopGimSite2ForTransfer");
    }
    expected.addAll(List.of("Task_EnableIconSite3", "Task_EnableIdbDapSite3", "Task_CleanFoldersSite2",
        "Task_RecreateGoldenGateSchemaSite2", "Task_StopGimSite2"));
    if (largeDatabase) {
      expected.addAll(List.of("Task_StartReverseReplicat", "Task_StartReverseExtract", "Task_StartReversePump",
          "Task_ReadReverseSyncMark", "Task_CheckReverseInSync", "Task_StopReversePump",
          "Task_StopReverseExtract", "Task_StopReverseReplicat"));
    }
    expected.addAll(List.of("Task_ReadSourceScn", "Task_StartReplicatSite2", "Task_StartExtractSite3",
        "Task_StartPumpSite3", "Task_ReadNormalSyncMark", "Task_CheckNormalInSync",
        "Task_EnableInfoMartDapSite3", "Task_SetGimHost", "Task_SetGimCommandLine",
        "Task_AddSite3SourceConnections", "Task_RemoveSite2InfoMartDap", "Task_AddSite3InfoMartDap",
        "Task_EnableEtlSchedule", "Task_StartGimSite3", "Task_CheckGimConfiguration", "Task_VerifySourceSite3",
        "Task_VerifyPumpSite3", "Task_VerifyReplicatSite2", "Task_ReadFinalSyncMark", "Task_CheckFinalInSync"));
    if (gi2OrRaa) {
      expected.addAll(List.of("Task_Reaggregate", "Task_EnableAggregates"));
    }
    assertThat(steps.activityIds()).containsExactlyElementsOf(expected);
    assertThat(run).isEnded().hasPassed("EndEvent_TwoSiteOperation");
  }

  @Test
  void shouldStartTheReplicatsAfterTheScnsReadAtTheirSourcesAndReaggregateTheWindow() {
    ProcessInstance run = start(true, true);
    long before = Instant.now().getEpochSecond();

    workManualStepsUntilTheEnd(run, true);

    assertThat(steps.calls("Task_StartReverseReplicat")).singleElement().satisfies(call -> assertThat(call.inputs())
        .containsEntry("route", "goldengate").containsEntry("host", "site3.gim-ogg")
        .containsEntry("operation", "start-replicat-at-scn").containsEntry("process", "REPGIM")
        .containsEntry("scn", EXPORT_SCN));
    assertThat(steps.calls("Task_StartReplicatSite2")).singleElement().satisfies(call -> assertThat(call.inputs())
        .containsEntry("host", "site2.gim-ogg").containsEntry("scn", SOURCE_SCN));
    assertThat(steps.calls("Task_ReadSourceScn")).singleElement().satisfies(call -> assertThat(call.inputs())
        .containsEntry("route", "sql-exec").containsEntry("database", "site3.gim-db")
        .containsEntry("statement", "info-mart-current-scn"));
    assertThat(steps.calls("Task_CheckNormalInSync")).singleElement().satisfies(call -> assertThat(call.inputs())
        .containsEntry("database", "site2.gim-db").containsEntry("sourceMark", "1000:1000"));
    assertThat(steps.calls("Task_RecreateGoldenGateSchemaSite2")).singleElement().satisfies(call -> assertThat(call.inputs())
        .containsEntry("runKey", run.getId()).containsEntry("ggUser", "GGADMIN"));
    assertThat(steps.calls("Task_SetGimCommandLine")).singleElement().satisfies(call -> assertThat(call.inputs())
        .containsEntry("commandLine", "-host {hostname:site3.cs-mgmt} -port 2020 -app GIM_Server"));
    assertThat(steps.calls("Task_Reaggregate")).singleElement().satisfies(call -> {
      assertThat(call.inputs()).containsEntry("host", "site3.gim").containsEntry("command", "gim-reaggregate");
      assertThat(Long.parseLong(String.valueOf(call.input("fromEpoch"))))
          .isEqualTo(Instant.parse(FAILURE_TIME).getEpochSecond() - 24 * 3600);
      assertThat(Long.parseLong(String.valueOf(call.input("toEpoch"))))
          .isBetween(before, Instant.now().getEpochSecond());
    });
  }

  @Test
  void shouldRefuseTheCopyWithoutTheExportScnForALargeDatabaseOnly() {
    ProcessInstance large = start(true, false);
    steps.drive();
    assertThat(large).isWaitingAt("UserTask_CopyInfoMartDatabase");
    String copy = task(large).getId();
    Map<String, Object> withoutScn = Map.of("infoMartDatabaseCopied", true,
        "infoMartDatabaseCopiedEvidence", "expdp gim_full.dmp");

    assertThatThrownBy(() -> processEngine.getTaskService().complete(copy, withoutScn))
        // (the application lets the refusal leave the engine as itself, a 400; the bare engine wraps it)
        .hasRootCauseInstanceOf(FieldRequiredRefusedException.class)
        .hasMessageContaining("Field exportScn is required: this run has largeDatabase = true (Copy the Info Mart"
            + " database from Site 2 to Site 3)");
    Map<String, Object> blankScn = new HashMap<>(withoutScn);
    blankScn.put("exportScn", " ");
    assertThatThrownBy(() -> processEngine.getTaskService().complete(copy, blankScn))
        .hasRootCauseInstanceOf(FieldRequiredRefusedException.class);
    assertThat(large).isWaitingAt("UserTask_CopyInfoMartDatabase");
    Map<String, Object> withScn = new HashMap<>(withoutScn);
    withScn.put("exportScn", EXPORT_SCN);
    processEngine.getTaskService().complete(copy, withScn);
    assertThat(large).isWaitingAt("UserTask_DeployIcons");

    ProcessInstance small = start(false, false);
    steps.drive();
    processEngine.getTaskService().complete(task(small).getId(), withoutScn);
    assertThat(small).isWaitingAt("UserTask_DeployIcons");
  }

  @Test
  void shouldReadTheSourceAgainAfterAWaitWhenTheDatabasesAreNotInSyncYet() {
    steps.failingOnce("Task_CheckNormalInSync", "DR_VERIFY_FAILED", "OUT OF SYNC (target 990:990)");
    ProcessInstance run = start(false, false);

    steps.drive();
    workStartingManualSteps(run, false);

    assertThat(run).isWaitingAt("Event_WaitNormalSync").hasPassed("BoundaryEvent_NormalNotInSync");
    assertThat(steps.calls("Task_EnableInfoMartDapSite3")).isEmpty();
    Job timer = processEngine.getManagementService().createJobQuery().processInstanceId(run.getId()).singleResult();
    processEngine.getManagementService().executeJob(timer.getId());
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_ConfirmTwoSiteOperation");
    assertThat(steps.calls("Task_ReadNormalSyncMark")).hasSize(2);
    assertThat(steps.calls("Task_CheckNormalInSync")).hasSize(2);
  }

  private void workManualStepsUntilTheEnd(ProcessInstance run, boolean largeDatabase) {
    steps.drive();
    workStartingManualSteps(run, largeDatabase);
    if (largeDatabase) {
      done(run, "UserTask_ConfigureBidirectional", "form-configure-bidirectional-replication", "bidirectionalConfigured");
      steps.drive();
    }
    done(run, "UserTask_ConfirmTwoSiteOperation", "form-confirm-two-site-operation", "twoSiteOperationRestored");
  }

  private void workStartingManualSteps(ProcessInstance run, boolean largeDatabase) {
    assertThat(run).isWaitingAt("UserTask_CopyInfoMartDatabase");
    ScriptedSteps.assertDeployedForm(processEngine, task(run), "form-copy-info-mart-database");
    complete(task(run), withVariables("infoMartDatabaseCopied", true, "exportScn", EXPORT_SCN,
        "infoMartDatabaseCopiedEvidence", "expdp gim_full.dmp, 1000 rows"));
    done(run, "UserTask_DeployIcons", "form-deploy-icons-site3", "iconsDeployed");
    steps.drive();
    done(run, "UserTask_DeployGimSite3", "form-deploy-gim-site3", "gimDeployedAtSite3");
    done(run, "UserTask_InstallGoldenGateSite3", "form-install-goldengate-site3", "goldenGateInstalledAtSite3");
    steps.drive();
  }

  private void done(ProcessInstance run, String taskKey, String form, String key) {
    assertThat(run).isWaitingAt(taskKey);
    assertThat(task(run)).hasCandidateGroup("dr-operators");
    ScriptedSteps.assertDeployedForm(processEngine, task(run), form);
    complete(task(run), withVariables(key, true, key + "Evidence", "done as the guide says"));
  }

  private ProcessInstance start(boolean largeDatabase, boolean gi2OrRaa) {
    processEngine.getIdentityService().setAuthenticatedUserId("olivia.operator");
    try {
      ProcessInstance run = processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID,
          "CHG0077002", Map.of("largeDatabase", largeDatabase, "gi2OrRaa", gi2OrRaa, "siteFailureTime", FAILURE_TIME));
      assertThat(run).isStarted();
      return run;
    } finally {
      processEngine.getIdentityService().clearAuthentication();
    }
  }
}
