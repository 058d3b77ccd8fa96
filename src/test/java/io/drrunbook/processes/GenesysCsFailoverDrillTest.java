package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import io.drrunbook.engine.StepJournal;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabState;
import io.drrunbook.topology.Topology;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A1 as a drill: the real process, the real step worker and connectors, against the drill lab over
 * SSH, JDBC and DNS on 127.0.0.1; asserts the state the lab ends in.
 */
@DrillContext
class GenesysCsFailoverDrillTest {

  private static final String PROCESS = "dr-genesys-cs-failover";
  /** How the lab counts the switchover script's executions on a proxy host. */
  private static final String SWITCHOVER = "cs-switchover cs-master.genesys.lab";
  private static final List<String> SITE2_APPS =
      List.of("confserv-master-pair", "scs-master", "msgserver-scs-distributed");

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired StepJournal journal;
  @Autowired Topology topology;
  @Autowired Lab lab;

  private DrillSupport drill;

  @BeforeEach
  void resetLab() {
    lab.reset();
    drill = new DrillSupport(runtime, tasks, history, identity, topology, lab);
  }

  @Test
  void shouldAnswerSite2ForTheMasterNameWhenTheFailoverDrillCompletes() throws Exception {
    assertThat(drill.masterAddressFromLabDns()).isEqualTo("127.0.1.10");

    ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS, "DRILL-A1-1");
    drill.complete(run, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS, Map.of(
        // as Tasklist submits the radio of form-declare-disaster
        "disasterDeclared", "true", "disasterReason", "Site 1 data center flooded (drill)",
        "decidedBy", "DR manager on duty"));
    drill.complete(run, "UserTask_ConfirmOperationsRestored", "operator", DrGroups.OPERATORS, Map.of(
        "operationsRestored", true, "restoreNotes", "agents logged in at Site 2"));
    drill.awaitEnded(run);

    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(run.getId())
        .activityId("EndEvent_FailedOver").count()).isEqualTo(1);
    assertThat(drill.masterAddressFromLabDns()).isEqualTo("127.0.2.10");
    LabState state = lab.state();
    SITE2_APPS.forEach(app ->
        assertThat(state.state("site2.cs-mgmt", app)).as(app).isEqualTo("RUNNING"));
    assertThat(state.state("site2.ogg", "site1-to-site2")).isEqualTo("STOPPED");
    assertThat(lab.databases().accountStatus("site2.config-db", "GENESYS_CFG")).isEqualTo("OPEN");
    for (String proxy : topology.group("cs-proxies")) {
      assertThat(state.actionCount(proxy, SWITCHOVER)).as(proxy).isEqualTo(1);
      assertThat(state.attribute(proxy, "cs-proxy", "connectedTo")).as(proxy).isEqualTo("127.0.2.10");
      assertThat(state.state(proxy, "cs-proxy")).as(proxy).isEqualTo("normal");
    }
    assertThat(journal.forProcessInstance(run.getId()))
        .allSatisfy(step -> {
          assertThat(step.state()).isEqualTo(StepJournal.State.DONE);
          assertThat(step.attempts()).as(step.activityId()).isEqualTo(1);
        })
        .hasSize(1 + 1 + 1 + 3 + 1 + 4 * 3);
  }

  @Test
  void shouldCompleteWithoutSite1AndLeaveItLostWhenTheDrillLosesSite1() throws Exception {
    ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS, "DRILL-A1-LOST", Map.of("site1Lost", true));
    // the drill's scenario (dr.lab.drills) took Site 1 away as the run started
    assertThat(lab.sites().isDown("site1")).isTrue();
    drill.complete(run, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS, Map.of(
        "disasterDeclared", "true", "disasterReason", "Site 1 lost (drill)", "decidedBy", "DR manager on duty"));
    drill.complete(run, "UserTask_ConfirmOperationsRestored", "operator", DrGroups.OPERATORS, Map.of(
        "operationsRestored", true, "restoreNotes", "agents logged in at Site 2"));
    drill.awaitEnded(run);

    assertThat(drill.masterAddressFromLabDns()).isEqualTo("127.0.2.10");
    LabState state = lab.state();
    SITE2_APPS.forEach(app -> assertThat(state.state("site2.cs-mgmt", app)).as(app).isEqualTo("RUNNING"));
    assertThat(lab.databases().accountStatus("site2.config-db", "GENESYS_CFG")).isEqualTo("OPEN");
    for (String proxy : topology.group("cs-proxies")) {
      if (proxy.startsWith("site2.")) {
        assertThat(state.actionCount(proxy, SWITCHOVER)).as(proxy).isEqualTo(1);
        assertThat(state.attribute(proxy, "cs-proxy", "connectedTo")).as(proxy).isEqualTo("127.0.2.10");
      } else {
        assertThat(state.commandLog(proxy)).as(proxy + " left for the failback").isEmpty();
      }
    }
    // Site 1 stayed lost: its hosts refuse connections, its master is down, its database gone
    assertThat(lab.sites().isDown("site1")).isTrue();
    assertThat(io.drrunbook.lab.LabPorts.refusesConnections(topology, "site1.cs-mgmt")).isTrue();
    assertThat(state.state("site1.cs-mgmt", "confserv-master-pair")).isEqualTo("STOPPED");
    assertThat(state.commandLog("site1.cs-mgmt")).isEmpty();
    assertThat(lab.databases().accessStates()).containsEntry("site1.config-db", "LOST");
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(run.getId())
        .activityId("EndEvent_ProxyLeftForFailback").count()).isEqualTo(2);
    assertThat(journal.forProcessInstance(run.getId()))
        .allSatisfy(step -> assertThat(step.state()).isEqualTo(StepJournal.State.DONE))
        .hasSize(1 + 1 + 1 + 3 + 1 + 2 * 3);
  }

  @Test
  void shouldChangeNothingOnTheSitesWhenTheDisasterIsNotDeclared() throws Exception {
    ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS, "DRILL-A1-2");
    drill.complete(run, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS, Map.of(
        "disasterDeclared", "false", "disasterReason", "power back at Site 1 after 4 minutes",
        "decidedBy", "DR manager on duty"));
    drill.awaitEnded(run);

    assertThat(drill.masterAddressFromLabDns()).isEqualTo("127.0.1.10");
    SITE2_APPS.forEach(app ->
        assertThat(lab.state().state("site2.cs-mgmt", app)).isEqualTo("STOPPED"));
    assertThat(lab.state().state("site2.ogg", "site1-to-site2")).isEqualTo("RUNNING");
    assertThat(lab.databases().accountStatus("site2.config-db", "GENESYS_CFG")).isEqualTo("LOCKED");
  }

  @Test
  void shouldActOnNothingAgainWhenTheFailoverRunsASecondTime() throws Exception {
    for (String ticket : List.of("DRILL-A1-3", "DRILL-A1-4")) {
      ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS, ticket);
      drill.complete(run, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS, Map.of(
          "disasterDeclared", true, "disasterReason", "rerun check", "decidedBy", "DR manager"));
      drill.complete(run, "UserTask_ConfirmOperationsRestored", "operator", DrGroups.OPERATORS,
          Map.of("operationsRestored", true));
      drill.awaitEnded(run);
    }

    for (String proxy : topology.group("cs-proxies")) {
      assertThat(lab.state().actionCount(proxy, SWITCHOVER)).as(proxy).isEqualTo(1);
    }
    SITE2_APPS.forEach(app -> assertThat(
        lab.state().actionCount("site2.cs-mgmt", "genesys-ctl start " + app)).as(app).isEqualTo(1));
    assertThat(lab.state().actionCount("site2.ogg", "dr-replication stop site1-to-site2")).isEqualTo(1);
    var secondRun = history.createHistoricProcessInstanceQuery()
        .processInstanceBusinessKey("DRILL-A1-4").singleResult();
    var changed = history.createHistoricVariableInstanceQuery()
        .processInstanceId(secondRun.getId()).variableName("changed").list();
    assertThat(changed).isNotEmpty().allSatisfy(v -> assertThat(v.getValue()).isEqualTo(false));
  }
}
