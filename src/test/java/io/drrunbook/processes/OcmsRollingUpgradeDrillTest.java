package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.DrillContext;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabFileSystems;
import io.drrunbook.lab.LabShell;
import io.drrunbook.lab.LabState;
import io.drrunbook.topology.Topology;
import java.nio.file.Files;
import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * D5 (dr-ocms-rolling-upgrade) against the drill lab: the SIP containers of site1.ocms-1 and -2
 * (model oracle-ocms: OPMN, opmn.xml edited over the hosts' real SFTP servers, the console action
 * upgrade of each node's SIP Servlet application, refused while the node is in the cluster). A run
 * started through the product API, the operator upgrading each node on the lab's console when the
 * run asks, leaves every node at the target version, opmn.xml with its topology back, every OPMN
 * process Alive, both instances in the cluster, never more than one node out of it at once, each
 * action once; a rerun acts on nothing; a dry-run touches no node; a bad targetVersion is a 400.
 */
@DrillContext
class OcmsRollingUpgradeDrillTest {

  private static final String PROCESS_ID = "dr-ocms-rolling-upgrade";
  private static final List<String> NODES = List.of("site1.ocms-1", "site1.ocms-2");
  private static final String OPMN_XML = "opt/oracle/ocms/opmn/conf/opmn.xml";
  private static final String TOPOLOGY = "<topology>\n         <discover list=\"*225.0.0.20:6200\"/>\n      </topology>";
  private static final String REPLACE = "sftp replace /" + OPMN_XML;
  private static final String PARAMETERS = "{\"targetVersion\": \"1.1\"}";
  private static final String UPGRADED = "application upgraded";
  private static final String CALLS_COMPLETED = "in-progress calls completed, new version serving";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired LabFileSystems files;
  @Autowired LabShell shell;
  @Autowired TestRestTemplate rest;

  private DrillSupport drill;

  @BeforeEach
  void resetLab() {
    lab.reset();
    drill = new DrillSupport(runtime, tasks, history, identity, topology, lab);
  }

  @AfterEach
  void leaveTheLabAsItWas() {
    lab.reset();
  }

  @Test
  void shouldLeaveEveryNodeAtTheTargetVersionBackInTheClusterAndRerunNothingWhenD5RunsTwice() throws Exception {
    LabState state = lab.state();
    for (String node : NODES) {
      assertThat(state.attribute(node, "sip-application", "version")).isEqualTo("1.0");
      assertThat(upgradeOnTheConsole(node).getStatusCode()).as("refused while %s is in the cluster", node)
          .isEqualTo(HttpStatus.CONFLICT);
    }

    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D5-1", PARAMETERS);
    for (String node : NODES) {
      Task upgrade = drill.awaitTask(run, "UserTask_UpgradeApplication");
      // the run has taken this node (only) out of the cluster: the console now accepts the upgrade
      assertThat(state.attribute(node, "opmn", "discover")).as("%s runs without a topology", node).isEqualTo("");
      assertThat(file(node)).contains("<!-- " + TOPOLOGY + " -->");
      NODES.stream().filter(other -> !other.equals(node)).forEach(other -> {
        assertThat(state.state(other, "opmn")).as("%s meanwhile", other).isEqualTo("RUNNING");
        assertThat(state.attribute(other, "opmn", "discover")).as("%s meanwhile", other).isEqualTo("*225.0.0.20:6200");
      });
      DrillSupport.console(rest, node, "sip-application", "upgrade");
      drill.completeGuided(upgrade, UPGRADED, null);
      drill.completeGuided(drill.awaitTask(run, "UserTask_ConfirmCallsCompleted"), CALLS_COMPLETED, "no active session left");
    }
    drill.awaitEnded(run);

    for (String node : NODES) {
      assertThat(state.attribute(node, "sip-application", "version")).as("version on %s", node).isEqualTo("1.1");
      assertThat(file(node)).as("opmn.xml of %s", node).contains(TOPOLOGY).doesNotContain("<!--  <topology>")
          .doesNotContain("<!-- <topology>");
      assertThat(DrillSupport.backups(files, node, OPMN_XML)).as("backups of %s (commented out, then uncommented)", node).hasSize(2);
      assertThat(state.state(node, "opmn")).isEqualTo("RUNNING");
      for (String process : List.of("proc-timesten", "proc-ocms", "proc-edgeproxy")) {
        assertThat(state.state(node, process)).as("%s on %s", process, node).isEqualTo("Alive");
      }
      assertThat(state.attribute(node, "opmn", "discover")).isEqualTo("*225.0.0.20:6200");
      assertThat(clusterStatus(node)).contains("Processes in Instance: ocms.ocms-1.site1.ocms.lab")
          .contains("Processes in Instance: ocms.ocms-2.site1.ocms.lab");
      assertThat(state.actionCount(node, "opmnctl shutdown")).isEqualTo(2);
      assertThat(state.actionCount(node, "opmnctl startall")).isEqualTo(2);
      assertThat(state.actionCount(node, REPLACE)).isEqualTo(2);
      assertThat(state.actionCount(node, "console sip-application upgrade")).isEqualTo(1);
      assertThat(state.attribute(node, "opmn", "nodesOutOfClusterPeak")).as("never two nodes out at once")
          .isEqualTo(1);
    }

    // a rerun (as after a crash) finds both nodes at the version in the cluster: nothing acted
    String rerun = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-D5-2", PARAMETERS, "drill");
    drill.assertPassed(rerun, "EndEvent_RollingUpgradeDone");
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(rerun)
        .activityId("Task_ShutdownNode").count()).isZero();
    for (String node : NODES) {
      assertThat(state.actionCount(node, "opmnctl shutdown")).isEqualTo(2);
      assertThat(state.actionCount(node, "opmnctl startall")).isEqualTo(2);
      assertThat(state.actionCount(node, REPLACE)).isEqualTo(2);
      assertThat(DrillSupport.backups(files, node, OPMN_XML)).hasSize(2);
    }
  }

  @Test
  void shouldWalkEveryStepAndTouchNoNodeWhenTheRunIsADryRun() throws Exception {
    String walk = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-D5-DRY", PARAMETERS, "dry-run");

    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(walk)
        .activityId("Task_ShutdownUpgradedNode").count()).as("the walk takes the path of a node to upgrade").isEqualTo(2);
    for (String node : NODES) {
      assertThat(lab.state().commandLog(node)).as(node).isEmpty();
      assertThat(file(node)).contains(TOPOLOGY).doesNotContain("<!--  <topology>");
      assertThat(lab.state().attribute(node, "sip-application", "version")).isEqualTo("1.0");
    }
  }

  @Test
  void shouldRefuseTheRunNamingTheFieldWhenTheTargetVersionIsNotAVersion() {
    for (String parameters : List.of("{}", "{\"targetVersion\": \"1.1; reboot\"}", "{\"targetVersion\": \"\"}")) {
      ResponseEntity<JsonNode> refused = DrillSupport.postRun(rest, PROCESS_ID, "DRILL-D5-BAD", parameters);

      assertThat(refused.getStatusCode()).as(parameters).isEqualTo(HttpStatus.BAD_REQUEST);
      assertThat(refused.getBody().path("errors").get(0).path("field").asText()).isEqualTo("parameters.targetVersion");
    }
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceBusinessKey("DRILL-D5-BAD").count()).isZero();
  }

  private ResponseEntity<String> upgradeOnTheConsole(String node) {
    return rest.withBasicAuth("operator", "operator").postForEntity(
        "/lab/api/consoles/" + node + "/sip-application/upgrade", null, String.class);
  }

  private String clusterStatus(String node) {
    return shell.execute(node, "/opt/oracle/ocms/opmn/bin/opmnctl @cluster status").stdout();
  }



  private String file(String host) throws Exception {
    return Files.readString(files.root(host).resolve(OPMN_XML));
  }

}
