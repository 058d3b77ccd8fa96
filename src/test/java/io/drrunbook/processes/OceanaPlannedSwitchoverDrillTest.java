package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drrunbook.DrillContext;
import io.drrunbook.OpenSsh;
import io.drrunbook.approval.EvidenceRefusedException;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabConsoles;
import io.drrunbook.lab.LabKeys;
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
 * C1 (dr-oceana-planned-switchover) against the drill lab, as the teams would rehearse it (README
 * "Rehearse the planned switchover (C1)"): every guided step of C1 and of the processes it calls is
 * worked by the lab user of its team, who first does its console step on the lab's Oceana consoles
 * ({@link #CONSOLE_STEPS}, the lab's console actions), with evidence; a screen value the seed says
 * means "not done" is refused. The run ends with the lab in the state the seed describes at the end of
 * chapter 5: clusters, System Manager, maintenance flags and services per data center (read from the
 * lab), the three Web Voice and Web Video DNS names answering DC2 over the network, the Data Guard
 * roles switched and read back with dgmgrl over SSH by C5, the Omnichannel Database mirror roles.
 * The queues and agents are the lab's Avaya Workspaces of each data center, Communication Manager
 * and its ESS the lab's {@code site1.communication-manager} and {@code site2.ess}.
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

  /**
   * The console actions a team member does in the lab before completing each guided step
   * ({@code host component action}; {@code {dc}} is the site of the step's {@code dataCenter}, {@code
   * {other}} the other site). A step not listed changes nothing the lab models (a check, or a system
   * the lab does not have).
   */
  static final Map<String, List<String>> CONSOLE_STEPS = Map.ofEntries(
      // dr-oceana-maintenance-flags (DC1)
      Map.entry("UserTask_VoiceChannelFlag", List.of("{dc}.experience-portal voice-channel set-automated-response")),
      Map.entry("UserTask_EmailServiceShutdown", List.of("{dc}.smgr email-service set-false")),
      Map.entry("UserTask_ChatMaintenanceMode", List.of("{dc}.engagement-designer chat set-maintenance-mode")),
      Map.entry("UserTask_SmsMaintenanceMode", List.of("{dc}.smgr sms set-maintenance-mode")),
      Map.entry("UserTask_SocialMaintenanceMode", List.of("{dc}.smgr social-connector set-maintenance-mode")),
      Map.entry("UserTask_WebVoiceMaintenanceMode", List.of("{dc}.engagement-designer web-voice set-maintenance-mode")),
      Map.entry("UserTask_WebVideoMaintenanceMode", List.of("{dc}.engagement-designer web-video set-maintenance-mode")),
      Map.entry("UserTask_StopOutboundCampaigns", List.of("{dc}.experience-portal outbound-campaigns stop-all-campaigns")),
      // dr-oceana-ep-active-data-center (DC2): the lab's one Experience Portal is at DC1
      Map.entry("UserTask_SetActiveDataCenter", List.of("site1.experience-portal active-data-center set-datacenter2")),
      // dr-oceana-cluster-activity (DC1 STANDBY, DC2 ACTIVE)
      Map.entry("UserTask_SetClusterGroup", List.of("{dc}.oceana-manager cluster-group {clusterAction}")),
      // dr-oceana-smgr-switchover
      Map.entry("UserTask_DisableGeoReplication", List.of("site1.smgr geo-redundancy disable-replication")),
      Map.entry("UserTask_ShutDownDc1Smgr", List.of("site1.smgr system-manager shut-down")),
      Map.entry("UserTask_ActivateDc2Smgr", List.of("site2.smgr system-manager activate")),
      // dr-oceana-ocp-db-switchover (C4, ha, both up)
      Map.entry("UserTask_RemoveStandbyMirroring", List.of("site1.ocdb-standby mirror remove-mirroring")),
      Map.entry("UserTask_PromoteBothUp", List.of("site2.ocdb-async mirror switchover-cache-up-on-both-servers")),
      Map.entry("UserTask_DemoteActive", List.of("site1.ocdb-active cache start-cache",
          "site1.ocdb-active mirror demote-to-async")),
      // C1: the DC1 queues worked off, then the agents log out (refused while contacts are queued)
      Map.entry("UserTask_QueuesDrained", List.of("site1.workspaces voice-queue work-off",
          "site1.workspaces email-queue work-off", "site1.workspaces chat-queue work-off",
          "site1.workspaces sms-queue work-off", "site1.workspaces social-queue work-off",
          "site1.workspaces web-voice-queue work-off", "site1.workspaces web-video-queue work-off",
          "site1.workspaces agents log-out")),
      // C1: Communication Manager of DC1 shut down, the ESS of DC2 comes into operation
      Map.entry("UserTask_ShutDownCommunicationManager", List.of("site1.communication-manager call-server shut-down")),
      // C1: the agents log in again at DC2 (refused while DC2's clusters are not ACTIVE)
      Map.entry("UserTask_AgentSwitchover", List.of("site2.workspaces agents log-in")),
      // C1: UCMService backed up at DC1, restored and installed at DC2 (seed chapter 6)
      Map.entry("UserTask_BackUpUcmService", List.of("site1.smgr ucm-service back-up")),
      Map.entry("UserTask_PrepareUcmRestore", List.of("site2.smgr ucm-service uninstall")),
      Map.entry("UserTask_RestoreUcmService", List.of("site2.smgr ucm-service restore",
          "site2.smgr ucm-service install")),
      // C1: EmailService on DC2 (seed L993)
      Map.entry("UserTask_EnableEmailServiceDc2", List.of("site2.smgr email-service set-true")),
      // dr-oceana-webrtc-switchover (DC2)
      Map.entry("UserTask_AmcDenying", List.of("{other}.smgr amc-cluster deny")),
      Map.entry("UserTask_AmcAccepting", List.of("{dc}.smgr amc-cluster accept")),
      Map.entry("UserTask_TargetDcWorkflowsMaintenanceOff", List.of(
          "{dc}.engagement-designer web-voice clear-maintenance-mode",
          "{dc}.engagement-designer web-video clear-maintenance-mode")),
      // dr-oceana-acm-switchover (manual trigger) and its workaround on ACM-APP-2
      Map.entry("UserTask_StopPrimarySqlServer", List.of("site1.control-manager sql-server stop-service")),
      Map.entry("UserTask_SwitchAcmManually", List.of("site2.control-manager ha-service stop-service",
          "site2.control-manager ha-service set-manual", "site2.control-manager nav360-config point-to-secondary",
          "site2.control-manager audit-log start-service", "site2.control-manager license-tracker start-service")),
      // dr-oceana-acm-readdress (DC2)
      Map.entry("UserTask_SetCmIpAddress", List.of("{dc}.control-manager cm-ip-address point-to-dc2")),
      Map.entry("UserTask_SetUcaUrl", List.of("{dc}.control-manager uca-api-url point-to-dc2")),
      Map.entry("UserTask_SetOmniChannelDatabaseServer", List.of("{dc}.control-manager omnichannel-db-server point-to-dc2")));

  /**
   * The lab at the end of seed 002 chapter 5, per data center ({@code host component} -> state): DC1
   * clusters STANDBY and DC2's ACTIVE (L1114-1118, L1648-1652), System Manager on DC2 (L1125-1139), the
   * UCMService restored and installed at DC2 (L2006-2032), the maintenance flags on at DC1 (L986-1070)
   * and Web Voice/Video off at DC2 (L1050, L1665), EmailService
   * true at DC2 (L993), voice on DataCenter2 (L1084-1089), AMC (L1658-1659), Control Manager on DC2
   * (L1675-1742), the DC2 Omnichannel Database server primary (C4), the DC1 queues drained and its
   * agents logged out (L961-967, L1932), the ESS of DC2 in operation with the phonesets and gateways
   * registered (L1076-1078), the agents logged in at DC2 (L1744-1746).
   */
  static final Map<String, String> END_OF_CHAPTER_5 = Map.ofEntries(
      Map.entry("site1.oceana-manager cluster-group", "STANDBY"),
      Map.entry("site2.oceana-manager cluster-group", "ACTIVE"),
      Map.entry("site1.smgr system-manager", "DOWN"),
      Map.entry("site1.smgr geo-redundancy", "DISABLED"),
      Map.entry("site2.smgr system-manager", "ACTIVE"),
      Map.entry("site2.smgr cluster1-node1", "Managed by Secondary"),
      Map.entry("site2.smgr cluster1-node2", "Managed by Secondary"),
      Map.entry("site2.smgr cluster3-node1", "Managed by Secondary"),
      Map.entry("site2.smgr ucm-service", "Installed"),
      Map.entry("site1.smgr email-service", "false"),
      Map.entry("site2.smgr email-service", "true"),
      Map.entry("site1.smgr sms", "true"),
      Map.entry("site1.smgr social-connector", "true"),
      Map.entry("site2.smgr sms", "false"),
      Map.entry("site2.smgr social-connector", "false"),
      Map.entry("site1.engagement-designer chat", "True"),
      Map.entry("site1.engagement-designer web-voice", "True"),
      Map.entry("site1.engagement-designer web-video", "True"),
      Map.entry("site2.engagement-designer chat", "False"),
      Map.entry("site2.engagement-designer web-voice", "False"),
      Map.entry("site2.engagement-designer web-video", "False"),
      Map.entry("site1.experience-portal voice-channel", "automated response"),
      Map.entry("site1.experience-portal outbound-campaigns", "STOPPED"),
      Map.entry("site1.experience-portal active-data-center", "DataCenter2"),
      Map.entry("site1.smgr amc-cluster", "Denying"),
      Map.entry("site2.smgr amc-cluster", "Accepting"),
      Map.entry("site1.control-manager sql-server", "STOPPED"),
      Map.entry("site2.control-manager ha-service", "STOPPED"),
      Map.entry("site2.control-manager nav360-config", "secondary database"),
      Map.entry("site2.control-manager audit-log", "RUNNING"),
      Map.entry("site2.control-manager license-tracker", "RUNNING"),
      Map.entry("site2.control-manager cm-ip-address", "DC2"),
      Map.entry("site2.control-manager uca-api-url", "DC2"),
      Map.entry("site2.control-manager omnichannel-db-server", "DC2"),
      Map.entry("site2.ocdb-async mirror", "PRIMARY"),
      Map.entry("site1.ocdb-active mirror", "ASYNC"),
      Map.entry("site1.ocdb-standby mirror", "NONE"),
      Map.entry("site1.workspaces voice-queue", "0 contacts"),
      Map.entry("site1.workspaces email-queue", "0 contacts"),
      Map.entry("site1.workspaces chat-queue", "0 contacts"),
      Map.entry("site1.workspaces sms-queue", "0 contacts"),
      Map.entry("site1.workspaces social-queue", "0 contacts"),
      Map.entry("site1.workspaces web-voice-queue", "0 contacts"),
      Map.entry("site1.workspaces web-video-queue", "0 contacts"),
      Map.entry("site1.workspaces agents", "logged out"),
      Map.entry("site2.workspaces agents", "logged in"),
      Map.entry("site1.communication-manager call-server", "DOWN"),
      Map.entry("site1.communication-manager registrations", "none"),
      Map.entry("site2.ess call-server", "IN SERVICE"),
      Map.entry("site2.ess registrations", "phonesets and gateways registered"));

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;

  private DrillSupport drill;
  private final DrillLogs logs = new DrillLogs();
  /** The console actions the drill's team members did in the lab, in order. */
  private final List<String> consoleActions = new ArrayList<>();

  @Autowired LabConsoles consoles;
  @Autowired LabKeys keys;

  @BeforeEach
  void resetLab() {
    lab.reset();
    drill = new DrillSupport(runtime, tasks, history, identity, topology, lab);
    logs.start();
  }

  @AfterEach
  void backToDc1() {
    logs.stop();
    lab.reset();
  }

  @Test
  void shouldAnswerDc2OnTheThreeNamesAndMakeOrclStbyPrimaryWhenEveryTeamHasWorkedItsSteps() throws Exception {
    LabState state = lab.state();
    for (String record : RECORDS) {
      assertThat(resolve(record)).as("%s before the run", record).isEqualTo(address("site1." + record));
    }
    assertThat(state.state(DC1_DB, "database")).isEqualTo("PRIMARY");

    Map<String, String> before = consoleStates();
    assertThat(before).as("the lab starts in its pre-switchover state").doesNotContainEntry(
        "site1.oceana-manager cluster-group", "STANDBY").containsEntry("site2.engagement-designer web-voice", "True")
        .containsEntry("site1.engagement-designer web-voice", "False").containsEntry("site1.smgr email-service", "true");
    // the lab's deployment: Server A active and Server B standby in DC1 (C4 with ha, both up)
    ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS_ID, "DRILL-C1", Map.of(
        "ocdbTopology", "ha", "primaryDb", "orcl", "standbyDb", "orcl_stby", "lagPollInterval", "PT1S"));
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
    // and as the database team reads them, with dgmgrl over OpenSSH (OS authentication, no password)
    assertThat(dgmgrl(DC2_DB, "show database orcl_stby")).containsPattern("Role:\\s+PRIMARY");
    assertThat(dgmgrl(DC1_DB, "show database orcl")).containsPattern("Role:\\s+PHYSICAL STANDBY");
    assertThat(passed(run, "Task_VerifyOriginalPrimaryStandby")).isEqualTo(1);
    assertThat(passed(run, "Task_VerifyNewPrimaryAfterSwitchover")).isEqualTo(1);
    assertThat(passed(run, "Task_ResolveAmcRecord")).isEqualTo(1);
    assertThat(lab.dns().aRecords()).containsEntry(topology.dnsRecord("oceana-amc").getName(),
        List.of(address("site2.oceana-amc")));

    // the consoles as the seed leaves them at the end of chapter 5, each console action done once
    assertThat(consoleStates()).containsAllEntriesOf(END_OF_CHAPTER_5);
    assertThat(state.attribute("site1.oceana-manager", "cluster-group", "nodeMode")).isEqualTo("Deny New Service");
    assertThat(state.attribute("site2.oceana-manager", "cluster-group", "nodeMode")).isEqualTo("Accept New Service");
    assertThat(state.attribute("site2.control-manager", "ha-service", "startupType")).isEqualTo("Manual");
    assertThat(state.attribute("site1.smgr", "ucm-service", "backup")).isEqualTo("Completed");
    assertThat(state.attribute("site2.smgr", "ucm-service", "restore")).isEqualTo("Completed");
    assertThat(state.attribute("site2.control-manager", "nav360-config", "syswow64")).isEqualTo("secondary database");
    assertThat(consoleActions).hasSize(46).doesNotHaveDuplicates().allSatisfy(done -> {
      String[] step = done.split(" ");
      assertThat(state.actionCount(step[0], "console " + step[1] + " " + step[2])).as("%s done once", done).isEqualTo(1);
    });

    // every guided step was worked by its team, with its evidence kept with the step
    assertThat(worked).contains("dr-voice/UserTask_ShutDownCommunicationManager",
        "dr-voice/UserTask_SetActiveDataCenter", "dr-oceana/UserTask_QueuesDrained",
        "dr-oceana/UserTask_BackUpUcmService", "dr-oceana/UserTask_SetClusterGroup",
        "dr-oceana/UserTask_VerifyManagedBySecondary", "dr-database/UserTask_PromoteBothUp",
        "dr-database/UserTask_StopPrimarySqlServer", "dr-oceana/UserTask_SwitchAcmManually",
        "dr-database/UserTask_RemoveStandbyMirroring", "dr-oceana/UserTask_AgentSwitchover").hasSize(37);
    // the run's first task (created as the run started) names its ticket too
    assertThat(history.createHistoricTaskInstanceQuery().processInstanceId(run.getId())
        .taskDefinitionKey("UserTask_ApproveSwitchover").singleResult().getName())
        .isEqualTo("Approve the planned switchover to DC2 · DRILL-C1");
    assertThat(evidence("UserTask_QueuesDrained")).containsExactly("all queues 0, agents logged out",
        "drill evidence UserTask_QueuesDrained");
    assertThat(evidence("UserTask_SetClusterGroup")).containsExactly(
        "STANDBY, all nodes Deny New Service", "drill evidence UserTask_SetClusterGroup",
        "ACTIVE, all nodes Accept New Service", "drill evidence UserTask_SetClusterGroup");
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(run.getId())
        .variableName("ucmBackupJob").singleResult().getValue()).isEqualTo("drill evidence UserTask_BackUpUcmService");
    logs.assertNoSeedSecret(history, "DRILL-C1");
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
      // the console step first, in the lab, as the team member would
      String user = USERS.get(group);
      for (String step : CONSOLE_STEPS.getOrDefault(task.getTaskDefinitionKey(), List.of())) {
        String[] action = consoleStep(task, step).split(" ");
        consoles.act(action[0], action[1], action[2], user);
        consoleActions.add(String.join(" ", action));
      }
      Object accepted = tasks.getVariable(task.getId(), "guideAccepted");
      Map<String, Object> answer;
      if ("UserTask_CheckAcmOnDc2Database".equals(task.getTaskDefinitionKey())) {
        // what ACM-APP-2's Nav360Config.xml says in the lab (its HA service does not re-point it)
        answer = answer(task, "secondary database".equals(lab.state().state("site2.control-manager", "nav360-config"))
            ? "both servers on the DC2 database" : "ACM-APP-2 still on the DC1 database");
      } else {
        answer = accepted instanceof List<?> values
            ? answer(task, String.valueOf(values.get(0))) : Map.of("switchoverApproved", true,
                "maintenanceWindow", "CHG DRILL-C1, 20:00-22:00", "approvalNote", "drill");
      }
      completeAs(task, group, answer);
      worked.add(group + "/" + task.getTaskDefinitionKey());
    }
    assertThat(refused).as("the wrong cluster state was tried").isTrue();
    return worked;
  }

  /** One console action of {@link #CONSOLE_STEPS} for this task: its placeholders filled in from the task. */
  private String consoleStep(Task task, String step) {
    boolean dc2 = "DC2".equals(tasks.getVariable(task.getId(), "dataCenter"));
    return step.replace("{dc}", dc2 ? "site2" : "site1").replace("{other}", dc2 ? "site1" : "site2")
        .replace("{clusterAction}", "ACTIVE".equals(tasks.getVariable(task.getId(), "clusterState"))
            ? "set-active" : "set-standby");
  }

  /** The lab's state of each component {@link #END_OF_CHAPTER_5} names, as {@code host component} -> state. */
  private Map<String, String> consoleStates() {
    Map<String, String> states = new LinkedHashMap<>();
    END_OF_CHAPTER_5.keySet().forEach(key -> states.put(key, lab.state().state(key.split(" ")[0], key.split(" ")[1])));
    return states;
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

  /** What {@code dgmgrl -silent / '<command>'} prints on the lab host, run over SSH with OpenSSH. */
  private String dgmgrl(String host, String command) throws Exception {
    var ssh = topology.host(host).getSsh();
    OpenSsh.Result result = OpenSsh.run(keys.knownHostsFile(), keys.privateKeyFile(), ssh.getUser(), ssh.getHost(),
        ssh.getPort(), "dgmgrl -silent / '" + command + "'");
    assertThat(result.exitCode()).as(result.output()).isZero();
    return result.output();
  }

  private String address(String host) {
    return topology.host(host).getAddress();
  }

  /** What the lab DNS server answers for the record's name, asked over the network. */
  private String resolve(String record) throws Exception {
    return drill.addressFromLabDns(topology.dnsRecord(record).getName());
  }
}
