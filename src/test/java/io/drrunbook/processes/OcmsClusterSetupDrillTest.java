package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabFileSystems;
import io.drrunbook.lab.LabShell;
import io.drrunbook.lab.LabState;
import io.drrunbook.topology.Topology;
import java.nio.file.Files;
import java.time.Duration;
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
 * D1 (dr-ocms-cluster-setup) against the drill lab: the two OCMS nodes site1.ocms-1 and -2 (OPMN
 * and its processes, model oracle-ocms; opmn.xml and edgeproxy.xml edited over their real SFTP
 * servers). A run started through the product API moves the cluster onto a new multicast address:
 * both files read back from the hosts' file folders, OPMN of each node has loaded it and sees the
 * other, every process Alive, each action once; a rerun edits and reloads nothing. A multicast address
 * outside the seed's range is a 400 at start naming the field, and no run starts.
 */
@DrillContext
class OcmsClusterSetupDrillTest {

  private static final String PROCESS_ID = "dr-ocms-cluster-setup";
  private static final List<String> NODES = List.of("site1.ocms-1", "site1.ocms-2");
  private static final String OPMN_XML = "opt/oracle/ocms/opmn/conf/opmn.xml";
  private static final String EDGE_PROXY_XML = "opt/oracle/ocms/sdp/edgeproxy/conf/edgeproxy.xml";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired LabFileSystems files;
  @Autowired TestRestTemplate rest;
  @Autowired LabShell shell;

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
  void shouldMoveTheClusterOntoTheNewMulticastAddressAndRerunNothingWhenD1RunsTwice() throws Exception {
    LabState state = lab.state();

    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D1-1", "{\"multicastAddress\": \"239.192.0.10\", \"multicastPort\": 6201}");
    workGuidedSteps(run);
    drill.awaitEnded(run);

    for (String node : NODES) {
      assertThat(file(node, OPMN_XML)).contains("<discover list=\"*239.192.0.10:6201\"/>")
          .doesNotContain("225.0.0.20");
      assertThat(file(node, EDGE_PROXY_XML)).contains("<oc4j-ping interval=\"1\" allowed-miss-count=\"2\"/>")
          .contains("<nat-traverse enabled=\"true\"/>");
      assertThat(state.attribute(node, "opmn", "discover")).as("OPMN of %s has read it", node)
          .isEqualTo("*239.192.0.10:6201");
      assertThat(state.state(node, "opmn")).isEqualTo("RUNNING");
      for (String process : List.of("proc-ocms", "proc-timesten", "proc-edgeproxy")) {
        assertThat(state.state(node, process)).as("%s on %s", process, node).isEqualTo("Alive");
      }
      assertThat(state.actionCount(node, "sftp replace /opt/oracle/ocms/opmn/conf/opmn.xml")).isEqualTo(1);
      assertThat(state.actionCount(node, "sftp replace /opt/oracle/ocms/sdp/edgeproxy/conf/edgeproxy.xml"))
          .as("oc4j-ping added; nat-traverse already true").isEqualTo(1);
      assertThat(state.actionCount(node, "opmnctl reload")).isEqualTo(1);
      assertThat(state.actionCount(node, "opmnctl startall")).as("once: the first start found every process Alive")
          .isEqualTo(1);
      assertThat(state.actionCount(node, "opmnctl stopall")).isEqualTo(1);
    }
    assertThat(shell.execute("site1.ocms-1", "opmnctl @cluster status").stdout())
        .contains("Processes in Instance: ocms.ocms-2.site1.ocms.lab");

    // a rerun (as after a crash) finds both files as wanted and OPMN loaded: it edits and reloads
    // nothing; only the seed's stop for the console steps and the start after them act again
    ProcessInstance rerun = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D1-2", "{\"multicastAddress\": \"239.192.0.10\", \"multicastPort\": 6201}");
    workGuidedSteps(rerun);
    drill.awaitEnded(rerun);
    for (String node : NODES) {
      assertThat(state.actionCount(node, "sftp replace /opt/oracle/ocms/opmn/conf/opmn.xml")).isEqualTo(1);
      assertThat(state.actionCount(node, "sftp replace /opt/oracle/ocms/sdp/edgeproxy/conf/edgeproxy.xml")).isEqualTo(1);
      assertThat(state.actionCount(node, "opmnctl reload")).isEqualTo(1);
      assertThat(state.actionCount(node, "opmnctl stopall")).isEqualTo(2);
      assertThat(state.actionCount(node, "opmnctl startall")).isEqualTo(2);
      assertThat(state.state(node, "proc-ocms")).isEqualTo("Alive");
    }
  }

  @Test
  void shouldNameTheFirstNodeAsDiscoveryServerInEveryOpmnXmlWhenThatMethodRuns() throws Exception {
    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D1-DS",
        "{\"associationMethod\": \"discovery-server\", \"natTraversal\": false}");
    workGuidedSteps(run);
    drill.awaitEnded(run);

    for (String node : NODES) {
      assertThat(file(node, OPMN_XML)).contains("<discover list=\"ocms-1.site1.ocms.lab:6200\"/>");
      assertThat(file(node, EDGE_PROXY_XML)).contains("<nat-traverse enabled=\"false\"/>");
      assertThat(lab.state().attribute(node, "opmn", "discover")).isEqualTo("ocms-1.site1.ocms.lab:6200");
      assertThat(lab.state().state(node, "proc-edgeproxy")).isEqualTo("Alive");
    }
  }

  @Test
  void shouldWalkEveryStepAndTouchNoNodeWhenTheRunIsADryRun() {
    ProcessInstance walk = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D1-DRY",
        "{\"multicastAddress\": \"239.192.0.10\"}", "dry-run");

    drill.awaitEnded(walk);

    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(walk.getId())
        .activityId("EndEvent_ClusterSetUp").count()).isEqualTo(1);
    for (String node : NODES) {
      assertThat(lab.state().commandLog(node)).as(node).isEmpty();
    }
  }

  @Test
  void shouldRefuseWith400NamingTheFieldAndStartNothingWhenTheMulticastAddressIsOutOfRange() throws Exception {
    for (String address : List.of("224.0.0.251", "240.0.0.1", "10.1.2.3", "225.0.0")) {
      ResponseEntity<JsonNode> refused = DrillSupport.postRun(rest, PROCESS_ID, "DRILL-D1-BAD", "{\"multicastAddress\": \"" + address + "\"}");

      assertThat(refused.getStatusCode()).as(address).isEqualTo(HttpStatus.BAD_REQUEST);
      assertThat(refused.getBody().path("errors").get(0).path("field").asText()).isEqualTo("parameters.multicastAddress");
      assertThat(refused.getBody().path("errors").get(0).path("message").asText())
          .contains("between 224.0.1.0 and 239.255.255.255");
    }
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceBusinessKey("DRILL-D1-BAD").count()).isZero();
    for (String node : NODES) {
      assertThat(lab.state().commandLog(node)).isEmpty();
    }
  }



  /** Works the guided console steps as the operator: per node the SIP container, per Edge Proxy its MBean. */
  private void workGuidedSteps(ProcessInstance run) {
    complete(run, "UserTask_ConfigureSipContainer", "three attributes set, no transport appended");
    complete(run, "UserTask_ConfigureEdgeProxyRecordRoute", "RecordRoute set");
  }

  private void complete(ProcessInstance run, String key, String screenValue) {
    List<Task> open = await("two tasks " + key).atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run.getId()).taskDefinitionKey(key).list(), list -> list.size() == NODES.size());
    identity.setAuthentication("operator", List.of(DrGroups.OPERATORS));
    try {
      for (Task task : open) {
        assertThat(tasks.createTaskQuery().taskId(task.getId()).taskCandidateGroup(DrGroups.OPERATORS).count()).isEqualTo(1);
        tasks.complete(task.getId(), GuidedEvidence.of(screenValue, null));
      }
    } finally {
      identity.clearAuthentication();
    }
  }

  private String file(String host, String path) throws Exception {
    return Files.readString(files.root(host).resolve(path));
  }
}
