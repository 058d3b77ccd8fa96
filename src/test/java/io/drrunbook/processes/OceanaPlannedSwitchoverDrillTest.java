package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drrunbook.DrillContext;
import io.drrunbook.approval.EvidenceRefusedException;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabConsoles;
import io.drrunbook.lab.LabState;
import io.drrunbook.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricTaskInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.IdentityLink;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * C1 (dr-oceana-planned-switchover) against the drill lab, for what the lab speaks today: the three
 * Web Voice and Web Video DNS names (the lab DNS server, asked over the network as a client would)
 * and the Data Guard roles of the Avaya Analytics database (site1/site2.oracle-db, switched and read
 * back with dgmgrl over SSH by C5). Every guided step of C1 and of the processes it calls is worked
 * as a member of its team would, with evidence; a screen value the seed says means "not done" is
 * refused. (The Oceana consoles themselves are not modelled by the lab here: their steps record the
 * person's evidence and change nothing in the lab.)
 */
@DrillContext
class OceanaPlannedSwitchoverDrillTest {

  private static final String PROCESS_ID = "dr-oceana-planned-switchover";
  private static final String DC1_DB = "site1.oracle-db";
  private static final String DC2_DB = "site2.oracle-db";
  private static final List<String> RECORDS = List.of("oceana-auth-token", "oceana-aawg", "oceana-amc");
  /** Who works a step of each team in the lab (README: lab users). */
  private static final Map<String, String> USERS = Map.of(DrGroups.APPROVERS, "approver",
      DrGroups.VOICE, "voice", DrGroups.OCEANA, "oceana", DrGroups.DATABASE, "dba");

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;

  private DrillSupport drill;

  @Autowired LabConsoles consoles;

  @BeforeEach
  void resetLab() {
    lab.reset();
    drill = new DrillSupport(runtime, tasks, history, identity, topology, lab);
  }

  @AfterEach
  void backToDc1() {
    lab.reset();
  }

  @Test
  void shouldAnswerDc2OnTheThreeNamesAndMakeOrclStbyPrimaryWhenEveryTeamHasWorkedItsSteps() throws Exception {
    LabState state = lab.state();
    for (String record : RECORDS) {
      assertThat(resolve(record)).as("%s before the run", record).isEqualTo(address("site1." + record));
    }
    assertThat(state.state(DC1_DB, "database")).isEqualTo("PRIMARY");

    // a single DC1 Omnichannel Database server: the lab's Server B is out of the mirror (as C4's drill)
    state.set("site1.ocdb-standby", "mirror", null, "NONE");
    ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS_ID, "DRILL-C1", Map.of(
        "ocdbTopology", "single", "primaryDb", "orcl", "standbyDb", "orcl_stby", "lagPollInterval", "PT1S"));
    List<String> worked = workEveryStep(run);
    drill.awaitEnded(run);

    // the three names answer DC2 over the network
    for (String record : RECORDS) {
      assertThat(resolve(record)).as("%s after the run", record).isEqualTo(address("site2." + record));
    }
    // Data Guard roles as dgmgrl read them back (C5's checks passed) and as the lab holds them
    assertThat(state.state(DC2_DB, "database")).isEqualTo("PRIMARY");
    assertThat(state.state(DC1_DB, "database")).isEqualTo("PHYSICAL STANDBY");
    assertThat(state.actionCount(DC1_DB, "dgmgrl switchover to orcl_stby")).isEqualTo(1);
    assertThat(passed(run, "Task_VerifyOriginalPrimaryStandby")).isEqualTo(1);
    assertThat(passed(run, "Task_VerifyNewPrimaryAfterSwitchover")).isEqualTo(1);
    assertThat(passed(run, "Task_ResolveAmcRecord")).isEqualTo(1);
    assertThat(lab.dns().aRecords()).containsEntry(topology.dnsRecord("oceana-amc").getName(),
        List.of(address("site2.oceana-amc")));

    // every guided step was worked by its team, with its evidence kept with the step
    assertThat(worked).contains("dr-voice/UserTask_ShutDownCommunicationManager",
        "dr-voice/UserTask_SetActiveDataCenter", "dr-oceana/UserTask_QueuesDrained",
        "dr-oceana/UserTask_BackUpUcmService", "dr-oceana/UserTask_SetClusterGroup",
        "dr-oceana/UserTask_VerifyManagedBySecondary", "dr-database/UserTask_PromoteBothUp",
        "dr-database/UserTask_StopPrimarySqlServer", "dr-oceana/UserTask_AgentSwitchover").hasSize(35);
    assertThat(evidence("UserTask_QueuesDrained")).containsExactly("all queues 0, agents logged out",
        "drill evidence UserTask_QueuesDrained");
    assertThat(evidence("UserTask_SetClusterGroup")).containsExactly(
        "STANDBY, all nodes Deny New Service", "drill evidence UserTask_SetClusterGroup",
        "ACTIVE, all nodes Accept New Service", "drill evidence UserTask_SetClusterGroup");
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(run.getId())
        .variableName("ucmBackupJob").singleResult().getValue()).isEqualTo("drill evidence UserTask_BackUpUcmService");
    assertNoSeedPassword();
  }

  @Test
  void shouldWalkEveryCalledProcessAndChangeNothingInTheLabWhenTheRunIsADryRun() throws Exception {
    LabState state = lab.state();
    Map<String, Object> before = drill.sitesState();

    ProcessInstance walk = runtime.startProcessInstanceByKey(PROCESS_ID, "DRILL-C1-DRY", Map.of(
        "ocdbTopology", "ha", "primaryDb", "orcl", "standbyDb", "orcl_stby", "lagPollInterval", "PT1S",
        "runMode", "dry-run"));
    drill.awaitEnded(walk);

    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(walk.getId())
        .activityId("EndEvent_SwitchedOverToDc2").count()).isEqualTo(1);
    // each called process was walked too (the run mode is passed on), none left waiting for a person
    assertThat(history.createHistoricProcessInstanceQuery().superProcessInstanceId(walk.getId()).list())
        .hasSize(10).allSatisfy(child -> assertThat(child.getEndTime()).isNotNull());
    assertThat(history.createHistoricActivityInstanceQuery().activityId("Task_SwitchAmcRecord").finished().list()
        .stream().filter(a -> history.createHistoricProcessInstanceQuery().processInstanceId(a.getProcessInstanceId())
            .processInstanceBusinessKey("DRILL-C1-DRY").count() == 1).count()).isEqualTo(1);
    // and nothing was sent: names, roles and command logs as before
    assertThat(drill.sitesState()).isEqualTo(before);
    for (String record : RECORDS) {
      assertThat(resolve(record)).isEqualTo(address("site1." + record));
    }
    assertThat(state.commandLog(DC1_DB)).isEmpty();
    assertThat(state.commandLog(DC2_DB)).isEmpty();
  }

  /**
   * Works each open step of the run and of the processes it calls, as the lab user of the step's
   * team, with the first value the step accepts, until none is left and the run has ended; the DC1
   * cluster step is first answered with the value that means "not done", which is refused.
   */
  private List<String> workEveryStep(ProcessInstance run) {
    List<String> worked = new ArrayList<>();
    boolean refused = false;
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (history.createHistoricProcessInstanceQuery().processInstanceId(run.getId()).finished().count() == 0) {
      assertThat(System.nanoTime()).as("C1 drill ended in time (worked: %s)", worked).isLessThan(deadline);
      Task task = await("a step to work").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
          .until(() -> nextTask(run), t -> t != null
              || history.createHistoricProcessInstanceQuery().processInstanceId(run.getId()).finished().count() == 1);
      if (task == null) {
        break;
      }
      String group = group(task);
      if (!refused && "UserTask_SetClusterGroup".equals(task.getTaskDefinitionKey())) {
        assertThatThrownBy(() -> completeAs(task, group, answer(task, "ACTIVE, all nodes Accept New Service")))
            .isInstanceOf(EvidenceRefusedException.class)
            .hasMessageContaining("expects the screen to show 'STANDBY, all nodes Deny New Service'")
            .hasMessageContaining("so the step is not done");
        refused = true;
      }
      // C4's console steps are done in the lab's Cache portals first, as the database team would:
      // its Mirror Monitor step is verified against the DC2 server's page
      if ("UserTask_PromoteBothUp".equals(task.getTaskDefinitionKey())) {
        consoles.act("site2.ocdb-async", "mirror", "switchover-cache-up-on-both-servers", "dba");
      } else if ("UserTask_DemoteActive".equals(task.getTaskDefinitionKey())) {
        consoles.act("site1.ocdb-active", "cache", "start-cache", "dba");
        consoles.act("site1.ocdb-active", "mirror", "demote-to-async", "dba");
      }
      Object accepted = tasks.getVariable(task.getId(), "guideAccepted");
      Map<String, Object> answer = accepted instanceof List<?> values
          ? answer(task, String.valueOf(values.get(0))) : Map.of("switchoverApproved", true,
              "maintenanceWindow", "CHG DRILL-C1, 20:00-22:00", "approvalNote", "drill");
      completeAs(task, group, answer);
      worked.add(group + "/" + task.getTaskDefinitionKey());
    }
    assertThat(refused).as("the wrong cluster state was tried").isTrue();
    return worked;
  }

  private Task nextTask(ProcessInstance run) {
    List<Task> open = tasks.createTaskQuery().processInstanceBusinessKey(run.getBusinessKey())
        .orderByTaskCreateTime().asc().list();
    return open.isEmpty() ? null : open.get(0);
  }

  private String group(Task task) {
    List<String> groups = tasks.getIdentityLinksForTask(task.getId()).stream()
        .map(IdentityLink::getGroupId).filter(g -> g != null).toList();
    assertThat(groups).as("candidate groups of %s", task.getTaskDefinitionKey()).hasSize(1);
    return groups.get(0);
  }

  private Map<String, Object> answer(Task task, String screenValue) {
    return new LinkedHashMap<>(GuidedEvidence.of(screenValue, "drill evidence " + task.getTaskDefinitionKey()));
  }

  private void completeAs(Task task, String group, Map<String, Object> variables) {
    identity.setAuthentication(USERS.get(group), List.of(DrGroups.OPERATORS, group));
    try {
      assertThat(tasks.createTaskQuery().taskId(task.getId()).taskCandidateGroup(group).count()).isEqualTo(1);
      tasks.complete(task.getId(), variables);
    } finally {
      identity.clearAuthentication();
    }
  }

  /** The screen value and evidence each completed step of that key kept (local variables), in order. */
  private List<Object> evidence(String taskKey) {
    List<Object> values = new ArrayList<>();
    for (HistoricTaskInstance task : history.createHistoricTaskInstanceQuery().processInstanceBusinessKey("DRILL-C1")
        .taskDefinitionKey(taskKey).finished().orderByHistoricTaskInstanceEndTime().asc().list()) {
      for (String name : List.of("screenValue", "evidenceValue")) {
        values.add(history.createHistoricVariableInstanceQuery().activityInstanceIdIn(task.getActivityInstanceId())
            .variableName(name).singleResult().getValue());
      }
    }
    return values;
  }

  /** How often an activity ended in the run or the processes it called. */
  private long passed(ProcessInstance run, String activityId) {
    return history.createHistoricActivityInstanceQuery().activityId(activityId).finished().list().stream()
        .filter(activity -> history.createHistoricProcessInstanceQuery().processInstanceId(activity.getProcessInstanceId())
            .processInstanceBusinessKey(run.getBusinessKey()).count() == 1)
        .count();
  }

  private void assertNoSeedPassword() {
    List<String> texts = new ArrayList<>();
    history.createHistoricProcessInstanceQuery().processInstanceBusinessKey("DRILL-C1").list()
        .forEach(run -> history.createHistoricVariableInstanceQuery().processInstanceId(run.getId()).list()
            .forEach(variable -> texts.add(variable.getName() + "=" + variable.getValue())));
    assertThat(texts).isNotEmpty()
        .noneMatch(text -> SeedSecretsTest.SEED_PASSWORDS.stream().anyMatch(text::contains));
  }

  private String address(String host) {
    return topology.host(host).getAddress();
  }

  /** What the lab DNS server answers for the record's name, asked over the network. */
  private String resolve(String record) throws Exception {
    return drill.addressFromLabDns(topology.dnsRecord(record).getName());
  }
}
