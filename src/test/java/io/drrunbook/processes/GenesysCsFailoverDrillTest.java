package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drrunbook.DrillContext;
import io.drrunbook.engine.StepJournal;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabState;
import io.drrunbook.lab.dns.LabDns;
import io.drrunbook.security.DrGroups;
import io.drrunbook.topology.Topology;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

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

  @BeforeEach
  void resetLab() {
    lab.reset();
  }

  @Test
  void shouldAnswerSite2ForTheMasterNameWhenTheFailoverDrillCompletes() throws Exception {
    assertThat(masterAddressFromLabDns()).isEqualTo("127.0.1.10");

    ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS, "DRILL-A1-1");
    complete(run, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS, Map.of(
        // as Tasklist submits the radio of form-declare-disaster
        "disasterDeclared", "true", "disasterReason", "Site 1 data center flooded (drill)",
        "decidedBy", "DR manager on duty"));
    complete(run, "UserTask_ConfirmOperationsRestored", "operator", DrGroups.OPERATORS, Map.of(
        "operationsRestored", true, "restoreNotes", "agents logged in at Site 2"));
    awaitEnded(run);

    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(run.getId())
        .activityId("EndEvent_FailedOver").count()).isEqualTo(1);
    assertThat(masterAddressFromLabDns()).isEqualTo("127.0.2.10");
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
  void shouldChangeNothingOnTheSitesWhenTheDisasterIsNotDeclared() throws Exception {
    ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS, "DRILL-A1-2");
    complete(run, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS, Map.of(
        "disasterDeclared", "false", "disasterReason", "power back at Site 1 after 4 minutes",
        "decidedBy", "DR manager on duty"));
    awaitEnded(run);

    assertThat(masterAddressFromLabDns()).isEqualTo("127.0.1.10");
    SITE2_APPS.forEach(app ->
        assertThat(lab.state().state("site2.cs-mgmt", app)).isEqualTo("STOPPED"));
    assertThat(lab.state().state("site2.ogg", "site1-to-site2")).isEqualTo("RUNNING");
    assertThat(lab.databases().accountStatus("site2.config-db", "GENESYS_CFG")).isEqualTo("LOCKED");
  }

  @Test
  void shouldActOnNothingAgainWhenTheFailoverRunsASecondTime() throws Exception {
    for (String ticket : List.of("DRILL-A1-3", "DRILL-A1-4")) {
      ProcessInstance run = runtime.startProcessInstanceByKey(PROCESS, ticket);
      complete(run, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS, Map.of(
          "disasterDeclared", true, "disasterReason", "rerun check", "decidedBy", "DR manager"));
      complete(run, "UserTask_ConfirmOperationsRestored", "operator", DrGroups.OPERATORS,
          Map.of("operationsRestored", true));
      awaitEnded(run);
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

  private void complete(ProcessInstance run, String taskKey, String user, String group,
      Map<String, Object> variables) {
    Task task = await("task " + taskKey).atMost(Duration.ofSeconds(60))
        .until(() -> tasks.createTaskQuery().processInstanceId(run.getId())
            .taskDefinitionKey(taskKey).singleResult(), t -> t != null);
    identity.setAuthentication(user, List.of(group));
    try {
      assertThat(tasks.createTaskQuery().taskId(task.getId()).taskCandidateGroup(group).count())
          .as("%s may work %s", group, taskKey).isEqualTo(1);
      tasks.complete(task.getId(), variables);
    } finally {
      identity.clearAuthentication();
    }
  }

  private void awaitEnded(ProcessInstance run) {
    await("run ended").atMost(Duration.ofSeconds(90)).until(() -> history
        .createHistoricProcessInstanceQuery().processInstanceId(run.getId()).finished().count() == 1);
    assertThat(runtime.createIncidentQuery().processInstanceId(run.getId()).count()).isZero();
  }

  /** Asks the lab DNS server over the network, as dig would. */
  private String masterAddressFromLabDns() throws Exception {
    SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
    // the lab DNS server listens on a free port, written into the topology at start-up
    resolver.setPort(topology.dnsServer(LabDns.SERVER).getPort());
    Message answer = resolver.send(Message.newQuery(
        Record.newRecord(Name.fromString("cs-master.genesys.lab."), Type.A, DClass.IN)));
    assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
    List<Record> records = answer.getSection(Section.ANSWER);
    assertThat(records).hasSize(1);
    return ((ARecord) records.get(0)).getAddress().getHostAddress();
  }
}
