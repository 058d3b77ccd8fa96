package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabFileSystems;
import io.drrunbook.lab.LabState;
import io.drrunbook.topology.Topology;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
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
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * D7 (dr-ocms-sip-app-ha) against the drill lab: the example application proxyregistrarssr of
 * site1.ocms-1 and -2 (its sip.xml, web.xml, orion-application.xml and jgroups-tcp.xml, edited over
 * the hosts' real SFTP servers). Runs started through the product API leave, on both nodes: for
 * enable-ha distributable in sip.xml and web.xml and a cluster element allow-colocation="false"
 * enabled="true" write-quota (group-name); for session-replication allow-colocation="false" and the
 * property-config url of the node's jgroups-tcp.xml; for disable-ha enabled="false" with the other
 * settings kept. Each written file has its backups beside it, a rerun writes nothing;
 * deployed-app-ha is guided and touches no node; a dry-run touches no node; a procedure the seed
 * does not have and an application name that is no plain name are 400s.
 */
@DrillContext
class OcmsSipAppHaDrillTest {

  private static final String PROCESS_ID = "dr-ocms-sip-app-ha";
  private static final List<String> NODES = List.of("site1.ocms-1", "site1.ocms-2");
  private static final String WEB_INF = "opt/oracle/ocms/j2ee/ocms/applications/proxyregistrarssr/proxyregistrarssr/WEB-INF/";
  private static final String DEPLOYMENT = "opt/oracle/ocms/j2ee/ocms/application-deployments/proxyregistrarssr/";
  private static final String SIP_XML = WEB_INF + "sip.xml";
  private static final String WEB_XML = WEB_INF + "web.xml";
  private static final String ORION = DEPLOYMENT + "orion-application.xml";
  private static final List<String> FILES = List.of(SIP_XML, WEB_XML, ORION);
  private static final String APPLICATION = "\"application\": \"proxyregistrarssr\", \"webModule\": \"proxyregistrarssr\"";

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
  void shouldMakeTheApplicationDistributableAndClusteredOnBothNodesAndRerunNothingWhenHaIsEnabledTwice() throws Exception {
    for (String node : NODES) {
      assertThat(file(node, SIP_XML)).doesNotContain("distributable");
      assertThat(file(node, WEB_XML)).doesNotContain("distributable");
      assertThat(xml(node, ORION).getElementsByTagName("cluster").getLength()).isZero();
    }

    String run = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-D7-1",
        "{\"procedure\": \"enable-ha\", " + APPLICATION + ", \"groupName\": \"ocms-apps\"}", "drill");

    drill.assertPassed(run, "EndEvent_DescriptorsEdited");
    Map<String, Integer> writes = writes();
    for (String node : NODES) {
      assertThat(children(xml(node, SIP_XML), "sip-app", "distributable")).as("sip.xml of %s", node).isEqualTo(1);
      assertThat(children(xml(node, WEB_XML), "web-app", "distributable")).as("web.xml of %s", node).isEqualTo(1);
      assertThat(file(node, SIP_XML)).as("the rest of sip.xml is kept")
          .contains("<servlet-class>oracle.sdp.registrar.VoipRegistrarServlet</servlet-class>");
      Element cluster = cluster(node);
      assertThat(cluster.getAttribute("allow-colocation")).isEqualTo("false");
      assertThat(cluster.getAttribute("enabled")).isEqualTo("true");
      assertThat(cluster.getAttribute("write-quota")).isEqualTo("1");
      assertThat(cluster.getAttribute("group-name")).isEqualTo("ocms-apps");
      assertThat(file(node, ORION)).contains("<web-module id=\"proxyregistrarssr\" path=\"proxyregistrarssr.war\"/>");
      assertThat(backups(node, SIP_XML)).singleElement()
          .satisfies(backup -> assertThat(Files.readString(backup)).doesNotContain("distributable"));
      assertThat(backups(node, WEB_XML)).hasSize(1);
      assertThat(backups(node, ORION)).as("one backup per write of orion-application.xml")
          .hasSize(writes.get(node + " " + ORION))
          .anySatisfy(backup -> assertThat(Files.readString(backup)).doesNotContain("<cluster"));
    }

    // a rerun (as after a crash) finds every file as wanted: nothing written, no new backup
    drill.runToTheEnd(rest, PROCESS_ID, "DRILL-D7-2",
        "{\"procedure\": \"enable-ha\", " + APPLICATION + ", \"groupName\": \"ocms-apps\"}", "drill");
    assertThat(writes()).isEqualTo(writes);
    for (String node : NODES) {
      assertThat(backups(node, ORION)).hasSize(writes.get(node + " " + ORION));
      assertThat(children(xml(node, SIP_XML), "sip-app", "distributable")).isEqualTo(1);
      assertThat(xml(node, ORION).getElementsByTagName("cluster").getLength()).isEqualTo(1);
    }
  }

  @Test
  void shouldPointTheClusterAtTheNodesJgroupsFileOnBothNodesAndRerunNothingWhenSessionReplicationIsConfigured()
      throws Exception {
    String run = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-D7-REP",
        "{\"procedure\": \"session-replication\", " + APPLICATION + "}", "drill");

    drill.assertPassed(run, "EndEvent_DescriptorsEdited");
    Map<String, Integer> writes = writes();
    for (String node : NODES) {
      Element cluster = cluster(node);
      assertThat(cluster.getAttribute("allow-colocation")).isEqualTo("false");
      NodeList urls = cluster.getElementsByTagName("url");
      assertThat(urls.getLength()).isEqualTo(1);
      assertThat(((Element) urls.item(0).getParentNode()).getTagName()).isEqualTo("property-config");
      String url = urls.item(0).getTextContent().strip();
      assertThat(url).isEqualTo("file:///" + DEPLOYMENT + "jgroups-tcp.xml");
      assertThat(files.root(node).resolve(url.substring("file:///".length()))).as("the url names the node's file")
          .isRegularFile();
      assertThat(file(node, SIP_XML)).doesNotContain("distributable");
      assertThat(backups(node, SIP_XML)).isEmpty();
      assertThat(backups(node, ORION)).hasSize(writes.get(node + " " + ORION)).isNotEmpty();
    }

    drill.runToTheEnd(rest, PROCESS_ID, "DRILL-D7-REP2", "{\"procedure\": \"session-replication\", " + APPLICATION + "}",
        "drill");
    assertThat(writes()).isEqualTo(writes);
  }

  @Test
  void shouldDisableTheClusterKeepingItsSettingsOnBothNodesAndRerunNothingWhenHaIsDisabledAfterItWasEnabled()
      throws Exception {
    drill.runToTheEnd(rest, PROCESS_ID, "DRILL-D7-EN", "{\"procedure\": \"enable-ha\", " + APPLICATION + "}", "drill");

    String run = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-D7-DIS", "{\"procedure\": \"disable-ha\", " + APPLICATION + "}",
        "drill");

    drill.assertPassed(run, "EndEvent_DescriptorsEdited");
    Map<String, Integer> writes = writes();
    for (String node : NODES) {
      Element cluster = cluster(node);
      assertThat(cluster.getAttribute("enabled")).isEqualTo("false");
      assertThat(cluster.getAttribute("allow-colocation")).as("the other settings are kept").isEqualTo("false");
      assertThat(cluster.getAttribute("write-quota")).isEqualTo("1");
      assertThat(backups(node, ORION)).hasSize(writes.get(node + " " + ORION))
          .anySatisfy(backup -> assertThat(Files.readString(backup)).contains("enabled=\"true\""));
    }

    drill.runToTheEnd(rest, PROCESS_ID, "DRILL-D7-DIS2", "{\"procedure\": \"disable-ha\", " + APPLICATION + "}", "drill");
    assertThat(writes()).isEqualTo(writes);
  }

  @Test
  void shouldAddADisabledClusterOnBothNodesWhenHaIsDisabledOnAnApplicationWithoutCluster() throws Exception {
    drill.runToTheEnd(rest, PROCESS_ID, "DRILL-D7-DIS3", "{\"procedure\": \"disable-ha\", " + APPLICATION + "}", "drill");

    for (String node : NODES) {
      assertThat(cluster(node).getAttribute("enabled")).isEqualTo("false");
      assertThat(backups(node, ORION)).singleElement()
          .satisfies(backup -> assertThat(Files.readString(backup)).doesNotContain("<cluster"));
    }
  }

  @Test
  void shouldGuideTheEarStepsAndTouchNoNodeWhenHaIsConfiguredForADeployedApplication() throws Exception {
    ProcessInstance run = drill.startThroughTheApi(rest, PROCESS_ID, "DRILL-D7-EAR",
        "{\"procedure\": \"deployed-app-ha\", " + APPLICATION + "}");

    for (String step : List.of("UserTask_Undeploy", "UserTask_UnpackEar", "UserTask_EditUnpackedDescriptors",
        "UserTask_RepackageEar", "UserTask_Redeploy")) {
      Task task = drill.awaitTask(run, step);
      assertThat(tasks.getVariable(task.getId(), "guideClickPath").toString()).contains("proxyregistrarssr");
      String accepted = ((List<?>) tasks.getVariable(task.getId(), "guideAccepted")).get(0).toString();
      drill.complete(run, step, "operator", DrGroups.OPERATORS, GuidedEvidence.of(accepted, "drill"));
    }
    drill.awaitEnded(run);

    drill.assertPassed(run.getId(), "EndEvent_DeployedAppHaConfigured");
    assertUntouched();
  }

  @Test
  void shouldRefuseWith400NamingTheFieldWhenTheProcedureOrTheApplicationNameIsNotAccepted() {
    Map<String, String> refused = Map.of(
        "{\"procedure\": \"enable\", " + APPLICATION + "}", "parameters.procedure",
        "{\"procedure\": \"enable-ha\", \"application\": \"../../etc\", \"webModule\": \"proxyregistrarssr\"}",
        "parameters.application",
        "{\"procedure\": \"enable-ha\", \"application\": \"proxyregistrarssr\", \"webModule\": \"a b\"}",
        "parameters.webModule");
    int n = 0;
    for (Map.Entry<String, String> request : refused.entrySet()) {
      String ticket = "DRILL-D7-BAD" + n++;
      ResponseEntity<JsonNode> answer = DrillSupport.postRun(rest, PROCESS_ID, ticket, request.getKey());

      assertThat(answer.getStatusCode()).as(request.getKey()).isEqualTo(HttpStatus.BAD_REQUEST);
      assertThat(answer.getBody().path("errors").get(0).path("field").asText()).isEqualTo(request.getValue());
      assertThat(history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(ticket).count()).isZero();
    }
  }

  @Test
  void shouldWalkEveryEditAndTouchNoNodeWhenTheRunIsADryRun() throws Exception {
    String walk = drill.runToTheEnd(rest, PROCESS_ID, "DRILL-D7-DRY", "{\"procedure\": \"enable-ha\", " + APPLICATION + "}",
        "dry-run");

    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(walk)
        .activityId("Task_DistributableSipXml").count()).as("one sip.xml edit per node").isEqualTo(2);
    assertUntouched();
  }

  private void assertUntouched() throws Exception {
    for (String node : NODES) {
      assertThat(lab.state().commandLog(node)).as(node).isEmpty();
      for (String path : FILES) {
        assertThat(backups(node, path)).isEmpty();
        assertThat(file(node, path)).doesNotContain("distributable").doesNotContain("<cluster");
      }
    }
  }

  /** How many times each node's file was replaced (the lab counts the action "sftp replace /path"). */
  private Map<String, Integer> writes() {
    LabState state = lab.state();
    Map<String, Integer> writes = new HashMap<>();
    for (String node : NODES) {
      for (String path : FILES) {
        writes.put(node + " " + path, state.actionCount(node, "sftp replace /" + path));
      }
    }
    return writes;
  }

  private Element cluster(String node) throws Exception {
    NodeList clusters = xml(node, ORION).getDocumentElement().getElementsByTagName("cluster");
    assertThat(clusters.getLength()).as("cluster elements in orion-application.xml of %s", node).isEqualTo(1);
    assertThat(clusters.item(0).getParentNode().getNodeName()).isEqualTo("orion-application");
    return (Element) clusters.item(0);
  }

  private static int children(Document document, String parent, String name) {
    assertThat(document.getDocumentElement().getTagName()).isEqualTo(parent);
    int count = 0;
    for (var child = document.getDocumentElement().getFirstChild(); child != null; child = child.getNextSibling()) {
      count += child instanceof Element element && element.getTagName().equals(name) ? 1 : 0;
    }
    return count;
  }

  private Document xml(String host, String path) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(file(host, path).getBytes(StandardCharsets.UTF_8)));
  }

  private String file(String host, String path) throws Exception {
    return Files.readString(files.root(host).resolve(path));
  }

  private List<Path> backups(String host, String path) throws Exception {
    return DrillSupport.backups(files, host, path);
  }
}
