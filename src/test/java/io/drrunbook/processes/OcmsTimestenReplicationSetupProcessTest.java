package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;

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
 * Path tests of {@code processes/dr-ocms-timesten-replication-setup.bpmn} (PROCEDURES D2, seed 003
 * L495-711) on the engine alone: a cluster set up from nothing, a rerun on data stores that replicate
 * already (nothing seeded, destroyed or duplicated), and new instance names (the scheme dropped and
 * the tables seeded again), asserting the path and what each step was given on which node.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-ocms-timesten-replication-setup.bpmn",
    "forms/form-start-ocms-timesten-replication-setup.form",
    "forms/form-guided-step.form"})
class OcmsTimestenReplicationSetupProcessTest {

  static final String PROCESS_ID = "dr-ocms-timesten-replication-setup";
  static final String FIRST = "site1.ocms-1";
  static final String SECOND = "site1.ocms-2";
  static final Map<String, Object> NOT_REPLICATED = Map.of("stdout", "0 replication schemes found.\n");
  static final Map<String, Object> REPLICATED = Map.of("stdout",
      "Replication Scheme OCMS_REP.REPSCHEME:\n\n  Store: OCMSDB on OCMS-1.SITE1.OCMS.LAB\n\n1 replication scheme found.\n");

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine)
        .returning("Task_ResolveNodes", Map.of("members", List.of(FIRST, SECOND)))
        .returning("Task_ResolveFirstFqdn", Map.of("hostName", "ocms-1.site1.ocms.lab"))
        .returning("Task_ResolveSecondFqdn", Map.of("hostName", "ocms-2.site1.ocms.lab"))
        .returning("Task_ReadNodeSchemes", NOT_REPLICATED)
        .returning("Task_ReadSecondSchemes", NOT_REPLICATED);
  }

  @Test
  void shouldSeedEachNodeCreateTheSchemeAndDuplicateTheSecondWhenNothingReplicatesYet() {
    ProcessInstance run = start(false);

    int guided = workGuidedSteps(run);

    assertThat(guided).as("the seed file edited on each node").isEqualTo(2);
    List<String> ids = steps.activityIds();
    assertThat(ids.subList(ids.indexOf("Task_CreateReplicationScheme"), ids.size())).containsExactly(
        "Task_CreateReplicationScheme", "Task_VerifyScheme", "Task_SetFirstRepPolicy", "Task_VerifyFirstReplicating",
        "Task_ReadSecondSchemes", "Task_StopOcmsOnSecond", "Task_StopTimesTenOnSecond", "Task_StartDaemonOnSecond",
        "Task_CheckFirstPermSize", "Task_SetSecondPermSize", "Task_DestroySecondDataStore", "Task_DuplicateDataStore",
        "Task_StartDaemonAgainOnSecond", "Task_SetSecondRepPolicy", "Task_StartTimesTenOnSecond", "Task_StartOcmsOnSecond",
        "Task_VerifyReplicationRunning", "Task_VerifyReplicationRunning", "Task_VerifySchemeOnEachNode",
        "Task_VerifySchemeOnEachNode");
    for (String seedStep : List.of("Task_DropReplicationTables", "Task_CreateReplicationTables",
        "Task_SeedReplicationTables", "Task_CreateInternalUser")) {
      assertThat(steps.calls(seedStep)).extracting(call -> call.input("host")).as(seedStep)
          .containsExactlyInAnyOrder(FIRST, SECOND);
    }
    assertThat(steps.calls("Task_SeedReplicationTables").get(0).inputs())
        .containsEntry("sqlFile", "/opt/oracle/ocms/sdp/replication/sql/seed_clusters_test_sync.sql");
    assertThat(steps.calls("Task_CreateInternalUser").get(0).inputs()).containsEntry("command", "timesten-internal-user")
        .doesNotContainKeys("password", "ttPassword");
    assertThat(input("Task_CreateReplicationScheme")).containsEntry("host", FIRST)
        .containsEntry("command", "timesten-create-replication").containsEntry("hostFqdn", "ocms-1.site1.ocms.lab");
    assertThat(input("Task_StopOcmsOnSecond")).containsEntry("host", SECOND).containsEntry("processType", "ocms");
    assertThat(input("Task_StopTimesTenOnSecond")).containsEntry("command", "opmn-stop-ias-component")
        .containsEntry("iasComponent", "TIMESTEN");
    assertThat(input("Task_CheckFirstPermSize")).containsEntry("host", FIRST).containsEntry("permSizeKb", 524288L);
    assertThat(input("Task_SetSecondPermSize")).containsEntry("host", SECOND)
        .containsEntry("path", "/opt/oracle/timesten/info/sys.odbc.ini").containsEntry("section", "ocmsdb")
        .containsEntry("key", "PermSize").containsEntry("value", 512);
    assertThat(input("Task_DestroySecondDataStore")).containsEntry("host", SECOND);
    assertThat(input("Task_DuplicateDataStore")).containsEntry("host", SECOND)
        .containsEntry("sourceFqdn", "ocms-1.site1.ocms.lab").containsEntry("targetFqdn", "ocms-2.site1.ocms.lab")
        .containsEntry("ttUser", "ocmsuser");
    assertThat(input("Task_StartOcmsOnSecond")).containsEntry("command", "opmn-start-process-type");
    assertThat(run).isEnded().hasPassed("EndEvent_ReplicationConfigured").hasNotPassed("Task_DropReplicationScheme");
  }

  @Test
  void shouldSeedDestroyAndDuplicateNothingWhenBothDataStoresReplicateAlready() {
    steps.returning("Task_ReadNodeSchemes", REPLICATED).returning("Task_ReadSecondSchemes", REPLICATED);
    ProcessInstance run = start(false);

    assertThat(workGuidedSteps(run)).isZero();

    assertThat(steps.activityIds()).doesNotContain("Task_DropReplicationTables", "Task_SeedReplicationTables",
        "Task_CreateInternalUser", "Task_StopOcmsOnSecond", "Task_DestroySecondDataStore", "Task_DuplicateDataStore");
    assertThat(run).isEnded().hasPassed("EndEvent_NodeAlreadyReplicated", "Gateway_SecondDuplicated",
        "EndEvent_ReplicationConfigured");
  }

  /** D4's call after Master Catchup Required (seed 003 L829): the second is duplicated although it replicates. */
  @Test
  void shouldDuplicateTheSecondAgainButSeedNothingWhenTheRunSaysRedoSecond() {
    steps.returning("Task_ReadNodeSchemes", REPLICATED).returning("Task_ReadSecondSchemes", REPLICATED);
    ProcessInstance run = processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, "CHG-D4-2",
        Map.of("permSizeMb", 512, "instanceNamesChanged", false, "redoSecond", true));

    assertThat(workGuidedSteps(run)).isZero();

    assertThat(steps.activityIds()).doesNotContain("Task_DropReplicationTables", "Task_SeedReplicationTables",
        "Task_CreateInternalUser");
    for (String secondStep : List.of("Task_StopOcmsOnSecond", "Task_StopTimesTenOnSecond", "Task_SetSecondRepPolicyManual",
        "Task_StopSecondAgent", "Task_SetSecondPermSize",
        "Task_DestroySecondDataStore", "Task_DuplicateDataStore", "Task_StartOcmsOnSecond")) {
      assertThat(input(secondStep)).as(secondStep).containsEntry("host", SECOND);
    }
    assertThat(input("Task_CheckFirstPermSize")).containsEntry("host", FIRST).containsEntry("permSizeKb", 524288L);
    // its agent (restarted by the daemon, policy always) is stopped before ttdestroy
    assertThat(steps.activityIds()).containsSubsequence("Task_StartDaemonOnSecond", "Task_SetSecondRepPolicyManual",
        "Task_StopSecondAgent", "Task_CheckFirstPermSize", "Task_DestroySecondDataStore", "Task_DuplicateDataStore");
    assertThat(input("Task_SetSecondRepPolicyManual")).containsEntry("command", "timesten-rep-policy-manual");
    assertThat(input("Task_StopSecondAgent")).containsEntry("command", "timesten-rep-stop-connstr-last");
    assertThat(run).isEnded().hasPassed("EndEvent_NodeAlreadyReplicated", "EndEvent_ReplicationConfigured");
  }

  @Test
  void shouldDropTheSchemeAndSeedTheTablesAgainOnceWhenTheInstanceNamesChange() {
    ProcessInstance run = start(true);

    assertThat(workGuidedSteps(run)).as("each node's seed file, twice").isEqualTo(4);

    assertThat(steps.calls("Task_DropReplicationScheme")).singleElement()
        .satisfies(call -> assertThat(call.inputs()).containsEntry("host", FIRST)
            .containsEntry("command", "timesten-drop-replication"));
    assertThat(steps.calls("Task_CreateReplicationScheme")).hasSize(2);
    assertThat(steps.calls("Task_SeedReplicationTables")).hasSize(4);
    assertThat(run).isEnded().hasPassed("EndEvent_ReplicationConfigured");
  }

  private ProcessInstance start(boolean instanceNamesChanged) {
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, "CHG-D2-1",
        Map.of("permSizeMb", 512, "instanceNamesChanged", instanceNamesChanged));
  }

  private Map<String, Object> input(String activityId) {
    assertThat(steps.calls(activityId)).as(activityId).hasSize(1);
    return steps.calls(activityId).get(0).inputs();
  }

  /** Drives the steps and completes every guided seed file edit until the run ends; how many. */
  private int workGuidedSteps(ProcessInstance run) {
    int completed = 0;
    steps.drive();
    for (int round = 0; round < 6; round++) {
      for (Task task : processEngine.getTaskService().createTaskQuery().processInstanceId(run.getId()).list()) {
        assertThat(task.getTaskDefinitionKey()).isEqualTo("UserTask_EditSeedFile");
        assertThat(String.valueOf(processEngine.getTaskService().getVariable(task.getId(), "guideEnter")))
            .isEqualTo("host1.example.com: ocms-1.site1.ocms.lab; host2.example.com: ocms-2.site1.ocms.lab");
        complete(task, GuidedEvidence.of("both host names replaced", null));
        completed++;
      }
      steps.drive();
    }
    return completed;
  }
}
