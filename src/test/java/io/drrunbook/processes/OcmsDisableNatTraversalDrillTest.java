package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drrunbook.DrillContext;
import io.drrunbook.approval.EvidenceRefusedException;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabFileSystems;
import io.drrunbook.lab.LabState;
import io.drrunbook.topology.Topology;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
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

/**
 * D6 (dr-ocms-disable-nat-traversal) against the drill lab: the Edge Proxies of site1.ocms-1 and
 * -2 (OPMN's EdgeProxy process, model oracle-ocms; edgeproxy.xml edited over the hosts' real SFTP
 * servers). A run started through the product API leaves both files with nat-traverse
 * enabled="false" (a backup of each kept), both Edge Proxies Alive, one node down at a time, each
 * action once; the Oracle Communicator step refuses an answer that means "not done"; a rerun stops
 * and edits nothing; a dry-run touches no node.
 */
@DrillContext
class OcmsDisableNatTraversalDrillTest {

  private static final String PROCESS_ID = "dr-ocms-disable-nat-traversal";
  private static final List<String> NODES = List.of("site1.ocms-1", "site1.ocms-2");
  private static final String EDGE_PROXY_XML = "opt/oracle/ocms/sdp/edgeproxy/conf/edgeproxy.xml";
  private static final String STOP = "opmnctl stopproc process-type=EdgeProxy";
  private static final String START = "opmnctl startproc process-type=EdgeProxy";
  private static final String REPLACE = "sftp replace /" + EDGE_PROXY_XML;
  private static final String MATCHED = "Oracle Communicator default matches (disabled), a client registers";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired LabFileSystems files;
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
  void shouldLeaveEveryEdgeProxyRunningWithNatTraversalDisabledAndRerunNothingWhenD6RunsTwice() throws Exception {
    LabState state = lab.state();
    for (String node : NODES) {
      assertThat(file(node)).contains("<nat-traverse enabled=\"true\"/>");
      assertThat(state.state(node, "proc-edgeproxy")).isEqualTo("Alive");
    }

    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D6-1", "{}");
    Task communicator = awaitCommunicatorStep(run);
    assertThatThrownBy(() -> drill.completeGuided(communicator, "clients still use NAT traversal", "drill"))
        .isInstanceOf(EvidenceRefusedException.class).hasMessageContaining(MATCHED);
    drill.completeGuided(communicator, MATCHED, "drill");
    drill.awaitEnded(run);

    for (String node : NODES) {
      assertThat(file(node)).contains("<nat-traverse enabled=\"false\"/>").doesNotContain("enabled=\"true\"")
          .as("the rest of the file is kept").contains("<record-route sip-uri=\"sip:%IPADDRESS%:%SIPPORT%\"/>");
      assertThat(DrillSupport.backups(files, node, EDGE_PROXY_XML)).as("backup of %s", node).singleElement()
          .satisfies(backup -> assertThat(Files.readString(backup)).contains("<nat-traverse enabled=\"true\"/>"));
      assertThat(state.state(node, "proc-edgeproxy")).as("Edge Proxy of %s", node).isEqualTo("Alive");
      assertThat(state.actionCount(node, STOP)).isEqualTo(1);
      assertThat(state.actionCount(node, REPLACE)).isEqualTo(1);
      assertThat(state.actionCount(node, START)).isEqualTo(1);
    }
    // one Edge Proxy out at a time (seed L279 "Repeat these steps for each Edge Proxy node")
    assertThat(commandTime(NODES.get(0), "opmnctl startproc process-type='EdgeProxy'"))
        .isBeforeOrEqualTo(commandTime(NODES.get(1), "opmnctl stopproc process-type='EdgeProxy'"));

    // a rerun (as after a crash) finds both files as wanted: nothing stopped, edited or started
    ProcessInstance rerun = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D6-2", "{}");
    drill.completeGuided(awaitCommunicatorStep(rerun), MATCHED, "drill");
    drill.awaitEnded(rerun);
    for (String node : NODES) {
      assertThat(state.actionCount(node, STOP)).isEqualTo(1);
      assertThat(state.actionCount(node, REPLACE)).isEqualTo(1);
      assertThat(state.actionCount(node, START)).isEqualTo(1);
      assertThat(DrillSupport.backups(files, node, EDGE_PROXY_XML)).hasSize(1);
      assertThat(state.state(node, "proc-edgeproxy")).isEqualTo("Alive");
    }
  }

  @Test
  void shouldWalkEveryStepAndTouchNoNodeWhenTheRunIsADryRun() throws Exception {
    ProcessInstance walk = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D6-DRY", "{}", "dry-run");

    drill.awaitEnded(walk);

    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(walk.getId())
        .activityId("Task_DisableNatTraversal").count()).as("the walk takes the path of an enabled file").isEqualTo(2);
    for (String node : NODES) {
      assertThat(lab.state().commandLog(node)).as(node).isEmpty();
      assertThat(file(node)).contains("<nat-traverse enabled=\"true\"/>");
    }
  }

  private Task awaitCommunicatorStep(ProcessInstance run) {
    return await("the Oracle Communicator step").atMost(Duration.ofSeconds(90)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run.getId()).taskDefinitionKey("UserTask_MatchOracleCommunicator").singleResult(),
        task -> task != null);
  }


  /** When the host's command log first shows a command line ending with {@code line}. */
  private Instant commandTime(String host, String line) {
    return lab.state().commandLog(host).stream().filter(record -> record.command().endsWith(line))
        .map(LabState.CommandRecord::time).findFirst()
        .orElseThrow(() -> new AssertionError(line + " not in the command log of " + host + ": " + lab.state().commandLog(host)));
  }

  private String file(String host) throws Exception {
    return Files.readString(files.root(host).resolve(EDGE_PROXY_XML));
  }

}
