package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.faults.Fault;
import io.drrunbook.lab.faults.FaultRequest;
import io.drrunbook.topology.Topology;
import java.time.Duration;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A1 then A2 against the drill lab: the failover and the failback (PROCEDURES A2) put the sites back
 * exactly as they were (DNS, running servers, replication direction, database access, proxies), and
 * the failback waits while the replication towards Site 1 lags.
 */
@DrillContext
class GenesysCsFailbackDrillTest {

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;

  private DrillSupport drill;

  @BeforeEach
  void resetLab() {
    lab.reset();
    drill = new DrillSupport(runtime, tasks, history, identity, topology, lab);
  }

  @AfterEach
  void leaveNoFault() {
    lab.reset();
  }

  @Test
  void shouldPutTheSitesBackAsTheyWereWhenFailbackFollowsFailover() throws Exception {
    Map<String, Object> before = drill.sitesState();
    failOver();
    assertThat(drill.masterAddressFromLabDns()).isEqualTo("127.0.2.10");
    assertThat(drill.sitesState()).isNotEqualTo(before);

    ProcessInstance failback = runtime.startProcessInstanceByKey("dr-genesys-cs-failback", "DRILL-A2-1");
    confirmSite1Restored(failback);
    approveWindow(failback);
    drill.complete(failback, "UserTask_ConfirmFailbackComplete", "operator", DrGroups.OPERATORS,
        Map.of("failbackComplete", true, "failbackNotes", "agents on Site 1 again (drill)"));
    drill.awaitEnded(failback);

    assertThat(drill.sitesState()).isEqualTo(before);
    assertThat(drill.masterAddressFromLabDns()).isEqualTo("127.0.1.10");
    assertThat(lab.state().state("site1.ogg", "site2-to-site1")).isEqualTo("STOPPED");
    assertThat(lab.state().state("site2.ogg", "site1-to-site2")).isEqualTo("RUNNING");
    // the failback acted once on each system it had to change
    assertThat(lab.state().actionCount("site1.ogg", "dr-replication start site2-to-site1")).isEqualTo(1);
    assertThat(lab.state().actionCount("site1.ogg", "dr-replication stop site2-to-site1")).isEqualTo(1);
    assertThat(lab.state().actionCount("site2.ogg", "dr-replication start site1-to-site2")).isEqualTo(1);
    for (String app : new String[] {"confserv-master-pair", "scs-master", "msgserver-scs-distributed"}) {
      assertThat(lab.state().actionCount("site2.cs-mgmt", "genesys-ctl stop " + app)).as(app).isEqualTo(1);
      // Site 1 kept running in the lab's disaster: the failback's check found it running
      assertThat(lab.state().actionCount("site1.cs-mgmt", "genesys-ctl start " + app)).as(app).isZero();
    }
    for (String proxy : topology.group("cs-proxies")) {
      assertThat(lab.state().actionCount(proxy, "cs-switchover cs-master.genesys.lab")).as(proxy).isEqualTo(2);
    }
  }

  @Test
  void shouldWaitForReplicationToCatchUpBeforeAskingForTheWindow() throws Exception {
    failOver();
    Fault lag = lab.faults().add(new FaultRequest("replication-lag", "site2-to-site1", null, null, null, null,
        45L, null, null));

    ProcessInstance failback = runtime.startProcessInstanceByKey("dr-genesys-cs-failback", "DRILL-A2-2",
        Map.of("syncPollInterval", "PT1S"));
    confirmSite1Restored(failback);

    // checked, found lagging, waits and checks again, and asks for no window meanwhile
    await("two lagging checks").atMost(Duration.ofSeconds(60)).until(() -> history
        .createHistoricActivityInstanceQuery().processInstanceId(failback.getId())
        .activityId("BoundaryEvent_NotInSync").count() >= 2);
    assertThat(tasks.createTaskQuery().processInstanceId(failback.getId())
        .taskDefinitionKey("UserTask_ApproveMaintenanceWindow").count()).isZero();
    assertThat(lab.state().actionCount("site2.cs-mgmt", "genesys-ctl stop confserv-master-pair")).isZero();

    lab.faults().remove(lag.id());
    approveWindow(failback);
    drill.complete(failback, "UserTask_ConfirmFailbackComplete", "operator", DrGroups.OPERATORS,
        Map.of("failbackComplete", true));
    drill.awaitEnded(failback);
    assertThat(drill.masterAddressFromLabDns()).isEqualTo("127.0.1.10");
  }

  private void failOver() {
    ProcessInstance failover = runtime.startProcessInstanceByKey("dr-genesys-cs-failover", "DRILL-A1-A2");
    drill.complete(failover, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS, Map.of(
        "disasterDeclared", "true", "disasterReason", "Site 1 lost (drill)", "decidedBy", "DR manager on duty"));
    drill.complete(failover, "UserTask_ConfirmOperationsRestored", "operator", DrGroups.OPERATORS,
        Map.of("operationsRestored", true));
    drill.awaitEnded(failover);
  }

  private void confirmSite1Restored(ProcessInstance run) {
    drill.complete(run, "UserTask_ConfirmSite1Restored", "operator", DrGroups.OPERATORS,
        Map.of("site1Restored", true, "site1RestoredNotes", "Site 1 power back (drill)"));
  }

  private void approveWindow(ProcessInstance run) {
    drill.complete(run, "UserTask_ApproveMaintenanceWindow", "approver", DrGroups.APPROVERS,
        Map.of("maintenanceWindowApproved", "true", "maintenanceWindow", "drill window now"));
  }
}
