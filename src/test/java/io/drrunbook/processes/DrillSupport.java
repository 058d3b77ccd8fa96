package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.DrillTasks;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabFileSystems;
import io.drrunbook.lab.LabState;
import io.drrunbook.lab.dns.LabDns;
import io.drrunbook.topology.Topology;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** What the drill tests do with a run and the lab: work its manual steps, wait for its end, read the lab. */
final class DrillSupport {

  private final RuntimeService runtime;
  private final TaskService tasks;
  private final HistoryService history;
  private final IdentityService identity;
  private final Topology topology;
  private final Lab lab;

  DrillSupport(RuntimeService runtime, TaskService tasks, HistoryService history, IdentityService identity,
      Topology topology, Lab lab) {
    this.runtime = runtime;
    this.tasks = tasks;
    this.history = history;
    this.identity = identity;
    this.topology = topology;
    this.lab = lab;
  }

  /** Waits for the manual step, checks the group may work it, and completes it as that user. */
  void complete(ProcessInstance run, String taskKey, String user, String group, Map<String, Object> variables) {
    DrillTasks.complete(tasks, identity, run.getId(), taskKey, user, group, variables);
  }

  /** Waits (bounded) for the run's open task of that key. */
  Task awaitTask(ProcessInstance run, String key) {
    return await("task " + key).atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run.getId()).taskDefinitionKey(key).singleResult(), task -> task != null);
  }

  /** Completes a task as the database team's lab user ({@code dba}: dr-operators, dr-database). */
  void completeAsDba(Task task, Map<String, Object> variables) {
    identity.setAuthentication("dba", List.of(DrGroups.OPERATORS, DrGroups.DATABASE));
    try {
      tasks.complete(task.getId(), variables);
    } finally {
      identity.clearAuthentication();
    }
  }

  /**
   * Completes a guided manual step (forms/form-guided-step.form) as {@code operator}, after checking
   * dr-operators may work it: the screen value and the typed evidence (null: none).
   */
  void completeGuided(Task task, String screenValue, String evidenceValue) {
    identity.setAuthentication("operator", List.of(DrGroups.OPERATORS));
    try {
      assertThat(tasks.createTaskQuery().taskId(task.getId()).taskCandidateGroup(DrGroups.OPERATORS).count()).isEqualTo(1);
      tasks.complete(task.getId(), GuidedEvidence.of(screenValue, evidenceValue));
    } finally {
      identity.clearAuthentication();
    }
  }

  /** The backups the file-edit connector kept beside a lab host's file ({@code <name>.<UTC time>.bak}). */
  static List<Path> backups(LabFileSystems files, String host, String path) throws IOException {
    Path file = files.root(host).resolve(path);
    try (Stream<Path> listed = Files.list(file.getParent())) {
      String name = Pattern.quote(file.getFileName().toString());
      return listed.filter(p -> p.getFileName().toString().matches(name + "\\..*\\.bak")).toList();
    }
  }

  /** Waits until the run ended, and checks it left no incident. */
  void awaitEnded(ProcessInstance run) {
    awaitEnded(run.getId());
  }

  /** {@link #awaitEnded(ProcessInstance)} by the run's id (a run that may have ended already). */
  void awaitEnded(String runId) {
    await("run ended").atMost(Duration.ofSeconds(90)).until(() -> history
        .createHistoricProcessInstanceQuery().processInstanceId(runId).finished().count() == 1);
    assertThat(runtime.createIncidentQuery().processInstanceId(runId).count()).isZero();
  }

  /** The run passed the element {@code activityId} (once), e.g. the end event it ended in. */
  void assertPassed(String runId, String activityId) {
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(runId).activityId(activityId)
        .count()).as(activityId).isEqualTo(1);
  }

  /** A lab console action as a person does it on the lab dashboard (the button sends this), as {@code operator}. */
  static void console(TestRestTemplate rest, String host, String component, String action) {
    ResponseEntity<String> acted = rest.withBasicAuth("operator", "operator").postForEntity(
        "/lab/api/consoles/" + host + "/" + component + "/" + action, null, String.class);
    assertThat(acted.getStatusCode()).as(acted.getBody()).isEqualTo(HttpStatus.OK);
  }

  /** Asks the lab DNS server for the master name over the network, as dig would. */
  String masterAddressFromLabDns() throws Exception {
    return addressFromLabDns("cs-master.genesys.lab.");
  }

  /** Asks the lab DNS server for the one A record of {@code fqdn} over the network, as dig would. */
  String addressFromLabDns(String fqdn) throws Exception {
    SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
    // the lab DNS server listens on a free port, written into the topology at start-up
    resolver.setPort(topology.dnsServer(LabDns.SERVER).getPort());
    Message answer = resolver.send(Message.newQuery(
        Record.newRecord(Name.fromString(fqdn), Type.A, DClass.IN)));
    assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
    List<Record> records = answer.getSection(Section.ANSWER);
    assertThat(records).hasSize(1);
    return ((ARecord) records.get(0)).getAddress().getHostAddress();
  }

  /**
   * What a failover and a failback change in the lab: every component's state, where each proxy's
   * cache and connection point, the DNS A records and the databases' access. (Times, command logs and
   * counts are left out: they only grow.)
   */
  Map<String, Object> sitesState() {
    Map<String, Object> state = new LinkedHashMap<>();
    LabState labState = lab.state();
    for (String host : labState.hosts()) {
      for (LabState.ComponentView component : labState.components(host)) {
        state.put(host + "/" + component.name(), component.state());
        if (component.name().equals("cs-proxy")) {
          state.put(host + "/cs-proxy.cachedAddress", component.attributes().get("cachedAddress"));
          state.put(host + "/cs-proxy.connectedTo", component.attributes().get("connectedTo"));
        }
      }
    }
    state.put("dns", lab.dns().aRecords());
    state.put("databases", lab.databases().accessStates());
    return state;
  }

  /**
   * Starts a drill run of a procedure as a ticketing system does (POST /api/runs as operator,
   * ticket servicenow {@code ticket}, the run parameters as JSON); the answer, 201 or a problem.
   */
  static ResponseEntity<JsonNode> postRun(TestRestTemplate rest, String procedure, String ticket, String parameters) {
    return postRun(rest, procedure, ticket, parameters, "drill");
  }

  /** {@link #postRun(TestRestTemplate, String, String, String)} in another run mode (dry-run, precheck). */
  static ResponseEntity<JsonNode> postRun(TestRestTemplate rest, String procedure, String ticket, String parameters,
      String mode) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    String body = """
        {"procedure": "%s", "ticket": {"system": "servicenow", "id": "%s"}, "parameters": %s, "mode": "%s"}"""
        .formatted(procedure, ticket, parameters, mode);
    return rest.withBasicAuth("operator", "operator").postForEntity("/api/runs", new HttpEntity<>(body, headers),
        JsonNode.class);
  }

  /** {@link #postRun}, which must start the run: the run started. */
  ProcessInstance startThroughTheApi(TestRestTemplate rest, String procedure, String ticket, String parameters) {
    return startThroughTheApi(rest, procedure, ticket, parameters, "drill");
  }

  /**
   * {@link #postRun}, which must start the run in that mode, then waits until it ended without an
   * incident (a short run may end before the start's answer is read): the run's id.
   */
  String runToTheEnd(TestRestTemplate rest, String procedure, String ticket, String parameters, String mode) {
    ResponseEntity<JsonNode> started = postRun(rest, procedure, ticket, parameters, mode);
    assertThat(started.getStatusCode()).as(String.valueOf(started.getBody())).isEqualTo(HttpStatus.CREATED);
    String runId = started.getBody().path("id").asText();
    awaitEnded(runId);
    return runId;
  }

  /** {@link #postRun}, which must start the run in that mode: the run started. */
  ProcessInstance startThroughTheApi(TestRestTemplate rest, String procedure, String ticket, String parameters,
      String mode) {
    ResponseEntity<JsonNode> started = postRun(rest, procedure, ticket, parameters, mode);
    assertThat(started.getStatusCode()).as(String.valueOf(started.getBody())).isEqualTo(HttpStatus.CREATED);
    return runtime.createProcessInstanceQuery().processInstanceId(started.getBody().path("id").asText()).singleResult();
  }

  /**
   * The OCMS nodes' TimesTen data stores replicating, as D2 leaves them (the lab resets to nothing
   * replicated): the scheme OCMS_REP.REPSCHEME, policy always, the agent running.
   */
  void replicateOcmsNodes(String... nodes) {
    for (String node : nodes) {
      lab.state().set(node, "timesten", "replicationScheme", "OCMS_REP.REPSCHEME");
      lab.state().set(node, "timesten", "repPolicy", "always");
      lab.state().set(node, "timesten", "replicationAgent", "RUNNING");
    }
  }
}
