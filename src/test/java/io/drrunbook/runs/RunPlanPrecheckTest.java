package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.engine.StepJournal;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabState;
import io.drrunbook.lab.LabSshHosts;
import io.drrunbook.lab.dns.LabDns;
import io.drrunbook.lab.faults.FaultRequest;
import io.drrunbook.prechecks.PrecheckGate;
import io.drrunbook.prechecks.PrecheckHolds;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * Dry-run and precheck runs of A1 against the drill lab, and the precheck that holds an execute run:
 * what the plan lists, that a dry-run reaches no lab system, that a precheck names the one host that
 * does not answer, and that an execute run waits for its precheck or for an approver's override.
 */
@DrillContext
class RunPlanPrecheckTest {

  private static final String PROXY_DOWN = "site2.cs-proxy-2";
  private static final String REPLICATION_CHECK =
      "Configuration DB replication Site 1 to Site 2 runs and has caught up";

  @Autowired TestRestTemplate http;
  @org.springframework.boot.test.web.server.LocalServerPort int port;
  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;
  @Autowired org.camunda.bpm.engine.RepositoryService repository;
  @Autowired TaskService tasks;
  @Autowired ObjectMapper json;
  @Autowired Lab lab;
  @Autowired LabSshHosts sshHosts;
  @Autowired LabDns dns;
  @Autowired Topology topology;
  @Autowired SecretResolver secrets;
  @Autowired StepJournal journal;
  @Autowired PrecheckHolds holds;

  @BeforeEach
  void resetLab() {
    lab.reset();
  }

  @AfterEach
  void cleanUp() {
    ApiTestSupport.cancelTestRuns(runtime);
    lab.reset();
  }

  @Test
  void shouldListEveryCommandDnsChangeAndManualStepOfTheFailoverWithoutReachingTheLab() throws Exception {
    Map<String, Object> commands = commandLog();
    Map<String, Integer> sessions = sshHosts.sessionsOpened();
    int dnsUpdates = dns.server().updatesReceived();

    String id = start("API-DRY-1", "dry-run");
    awaitCompleted(id);
    JsonNode plan = get("/api/runs/" + id + "/plan");

    assertThat(plan.get("complete").asBoolean()).isTrue();
    assertThat(plan.get("run").get("mode").asText()).isEqualTo("dry-run");
    List<JsonNode> steps = new ArrayList<>();
    plan.get("steps").forEach(steps::add);
    Map<String, List<String>> actionsByStep = new LinkedHashMap<>();
    steps.forEach(step -> step.get("actions").forEach(action -> actionsByStep
        .computeIfAbsent(step.get("activityId").asText(), k -> new ArrayList<>()).add(action.asText())));
    // every automated step of the main path, the proxy steps once per proxy (4)
    assertThat(steps.stream().filter(s -> s.get("kind").asText().equals("step"))
        .map(s -> s.get("activityId").asText()).distinct())
        .containsExactlyInAnyOrder("Task_ResolveTopology", "Task_StopReplication",
            "Task_EnableDatabaseAccess", "Task_StartMasterCsPair", "Task_StartScsMessageServer",
            "Task_StartMasterScs", "Task_SwitchDnsRecord", "Task_PushNameResolution",
            "Task_VerifyNameResolution", "Task_VerifyProxyNormalMode");
    assertThat(steps.stream().filter(s -> s.get("activityId").asText().equals("Task_PushNameResolution")))
        .hasSize(4);
    // each proxy's step named with its host
    assertThat(steps.stream().filter(s -> s.get("activityId").asText().equals("Task_PushNameResolution"))
        .map(s -> s.get("name").asText())).containsExactlyInAnyOrderElementsOf(
            List.of("site1.cs-proxy-1", "site1.cs-proxy-2", "site2.cs-proxy-1", PROXY_DOWN).stream()
                .map(proxy -> "Push the name resolution change to the proxy · " + proxy).toList());
    String everything = String.join("\n", actionsByStep.values().stream().flatMap(List::stream).toList());
    int cs2Port = sshHosts.port("site2.cs-mgmt");
    // full command lines after templating, on the host they would go to
    assertThat(actionsByStep.get("Task_StartMasterCsPair")).anySatisfy(action -> assertThat(action)
        .startsWith("ssh genesys@site2.cs-mgmt (127.0.0.1:" + cs2Port + ") [")
        .contains("run: /opt/dr/bin/genesys-ctl start 'confserv-master-pair'"));
    for (String proxy : List.of("site1.cs-proxy-1", "site1.cs-proxy-2", "site2.cs-proxy-1", PROXY_DOWN)) {
      assertThat(actionsByStep.get("Task_PushNameResolution")).as(proxy)
          .anySatisfy(action -> assertThat(action).contains("genesys@" + proxy + " ("));
    }
    // the DNS change and its verification, on the lab's DNS server
    assertThat(actionsByStep.get("Task_SwitchDnsRecord")).anySatisfy(action -> assertThat(action)
        .contains("update zone genesys.lab.").contains("TSIG key dr-runbook-key.")
        .contains("cs-master.genesys.lab. 60 IN A 127.0.2.10 (site2.cs-mgmt)"));
    // SQL with its bound values
    assertThat(actionsByStep.get("Task_EnableDatabaseAccess")).anySatisfy(action -> assertThat(action)
        .startsWith("sql site2.config-db (jdbc:h2:").contains("user dr_ops").contains(" with :"));
    // manual steps with their instructions and the walk's answer
    JsonNode declare = steps.stream().filter(s -> s.get("activityId").asText().equals("UserTask_DeclareDisaster"))
        .findFirst().orElseThrow();
    assertThat(declare.get("kind").asText()).isEqualTo("manual");
    assertThat(declare.get("actions").toString()).contains("dr-approvers").contains("instructions: # Declare the disaster")
        .contains("field disasterDeclared (radio)").contains("walked on with the answer {disasterDeclared=true}");
    assertThat(steps).anySatisfy(s -> assertThat(s.get("activityId").asText())
        .isEqualTo("UserTask_ConfirmOperationsRestored"));
    // no secret in the plan: the DNS update key and the database password are referenced, never shown
    assertThat(everything).doesNotContain(secrets.resolve(topology.dnsServer(LabDns.SERVER).getTsigSecret()))
        .doesNotContain(secrets.resolve(topology.database("site2.config-db").getPassword()));
    // nothing reached the lab
    assertThat(commandLog()).isEqualTo(commands);
    assertThat(sshHosts.sessionsOpened()).isEqualTo(sessions);
    assertThat(dns.server().updatesReceived()).isEqualTo(dnsUpdates);
    assertThat(lab.state().state("site2.cs-mgmt", "confserv-master-pair")).isEqualTo("STOPPED");

    ResponseEntity<String> page = operator().getForEntity("/api/runs/" + id + "/plan.html", String.class);
    assertThat(page.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(page.getHeaders().getContentType().toString()).startsWith("text/html");
    assertThat(page.getBody()).contains("Plan: dr-genesys-cs-failover")
        .contains("genesys-ctl start &#39;confserv-master-pair&#39;").contains("Declare the disaster");
    // the forms' instructions rendered as the person reads them, not as Markdown source
    assertThat(page.getBody()).contains("<div class=\"instructions\"><h1>Declare the disaster")
        .doesNotContain("instructions: #", "{{taskContext}}");
    // the picture in the README: the top of the plan a change board reads
    PageScreenshots.capture("http://localhost:" + port + "/api/runs/" + id + "/plan.html", "operator",
        java.nio.file.Path.of("target", "screenshots", "run-plan.png"), 1400, browser -> {
          assertThat(browser.findElement(org.openqa.selenium.By.tagName("h1")).getText())
              .isEqualTo("Plan: dr-genesys-cs-failover");
          assertThat(browser.findElements(org.openqa.selenium.By.cssSelector("ol.plan > li")))
              .hasSize(steps.size());
        });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "dr-genesys-cs-failover | {} | ",
      "dr-genesys-cs-failback | {} | ",
      "dr-gim-site-failover | {\"partitioned\": true, \"gi2OrRaa\": true} | ",
      // a large database keeps Genesys Info Mart running at Site 2 during the transfer
      "dr-gim-return-to-normal | {\"largeDatabase\": true, \"gi2OrRaa\": true, \"siteFailureTime\": \"2025-01-31T21:40:00Z\"} | Task_StopGimSite2ForTransfer"})
  void shouldWalkEveryAutomatedStepOfEachProcedureWithoutReachingTheLab(String procedure, String parameters,
      String otherBranch) throws Exception {
    Map<String, Object> commands = commandLog();
    Map<String, Integer> sessions = sshHosts.sessionsOpened();

    String id = start("API-DRY-" + procedure.hashCode(), "dry-run", procedure, parameters);
    awaitCompleted(id);
    JsonNode plan = get("/api/runs/" + id + "/plan");

    String definitionId = history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult()
        .getProcessDefinitionId();
    List<String> serviceTasks = repository.getBpmnModelInstance(definitionId)
        .getModelElementsByType(org.camunda.bpm.model.bpmn.instance.ServiceTask.class).stream()
        .map(task -> task.getId()).filter(task -> !task.equals(otherBranch)).toList();
    List<String> planned = new ArrayList<>();
    plan.get("steps").forEach(step -> {
      if (step.get("kind").asText().equals("step")) {
        planned.add(step.get("activityId").asText());
        assertThat(step.get("actions")).as(step.get("activityId").asText()).isNotEmpty();
      }
    });
    // with every condition true, the main path reaches every automated step of the procedure
    assertThat(planned).containsAll(serviceTasks).doesNotContainNull();
    if (otherBranch != null) {
      assertThat(planned).doesNotContain(otherBranch);
    }
    assertThat(commandLog()).isEqualTo(commands);
    assertThat(sshHosts.sessionsOpened()).isEqualTo(sessions);
  }

  @Test
  void shouldListTheGuidedStepsOfTheOmnichannelDatabaseSwitchoverWhenItIsWalked() throws Exception {
    String id = start("API-DRY-C4", "dry-run", "dr-oceana-ocp-db-switchover",
        "{\"ocdbTopology\": \"ha\", \"situation\": \"dc1-offline\"}");
    awaitCompleted(id);
    JsonNode plan = get("/api/runs/" + id + "/plan");

    List<String> walked = new ArrayList<>();
    plan.get("steps").forEach(step -> {
      walked.add(step.get("kind").asText() + " " + step.get("activityId").asText());
      if ("manual".equals(step.get("kind").asText())) {
        assertThat(step.get("actions").get(0).asText()).startsWith("manual step for dr-database: ");
      }
    });
    // seed 002 L1294-1300: DC1 offline with HA, Server C promoted; then the derived Mirror Monitor
    // check, a verified step: the runbook's read of the DC2 server's Mirror Monitor over HTTP
    assertThat(walked).containsExactly("manual UserTask_PromoteDc1Offline", "manual UserTask_CheckMirrorMonitor",
        "step Task_VerifyMirrorRoles");
    assertThat(plan.get("complete").asBoolean()).isTrue();
  }

  @Test
  void shouldReadTheDc2ServersMirrorMonitorAndFailWhileItsCacheIsStoppedWhenC4IsPrechecked() throws Exception {
    String c4 = "dr-oceana-ocp-db-switchover";
    String check = "check the DC2 Omnichannel Database server's Cache Management Portal answers its Mirror Monitor"
        + " (site2.ocdb-async)";
    String passed = start("API-PRE-C4", "precheck", c4, "{\"ocdbTopology\": \"ha\", \"situation\": \"both-up\"}");
    // both-up walks C4's real 30 s wait (PT30S timer), fired by the job executor's next acquisition
    awaitCompleted(passed, Duration.ofSeconds(150));
    JsonNode ok = get("/api/runs/" + passed).get("precheck");
    assertThat(ok.get("state").asText()).as(ok.toString()).isEqualTo("PASSED");
    List<String> checks = new ArrayList<>();
    ok.get("checks").forEach(c -> checks.add(c.get("kind").asText() + " " + c.get("target").asText()));
    assertThat(checks).contains(check);
    assertThat(lab.state().commandLog("site2.ocdb-async")).extracting(LabState.CommandRecord::command)
        .contains("GET /csp/sys/op/mirror-monitor");
    assertThat(lab.state().state("site2.ocdb-async", "mirror")).as("a precheck changes nothing").isEqualTo("ASYNC");

    lab.state().set("site2.ocdb-async", "cache", null, "STOPPED");
    String failed = start("API-PRE-C4-DOWN", "precheck", c4, "{\"ocdbTopology\": \"ha\", \"situation\": \"both-up\"}");
    awaitCompleted(failed, Duration.ofSeconds(150));
    JsonNode refused = get("/api/runs/" + failed).get("precheck");
    assertThat(refused.get("state").asText()).isEqualTo("FAILED");
    assertThat(refused.get("problems").toString()).contains("site2.ocdb-async");
  }

  @Test
  void shouldNameTheUnreachableHostAndHoldAnExecuteRunUntilAnApproverOverridesIt() throws Exception {
    lab.faults().add(FaultRequest.of("unreachable", PROXY_DOWN));

    String precheck = start("API-PRE-1", "precheck");
    awaitCompleted(precheck);
    JsonNode checked = get("/api/runs/" + precheck).get("precheck");

    assertThat(checked.get("state").asText()).isEqualTo("FAILED");
    assertThat(checked.get("problems")).hasSize(1);
    assertThat(checked.get("problems").get(0).asText()).startsWith("host " + PROXY_DOWN + ":");
    List<String> okTargets = new ArrayList<>();
    checked.get("checks").forEach(c -> {
      if (c.get("ok").asBoolean()) {
        okTargets.add(c.get("kind").asText() + " " + c.get("target").asText());
      }
    });
    assertThat(okTargets).contains("host site2.cs-mgmt", "host site1.cs-proxy-1", "database site2.config-db",
        "dns-server lab-dns", "check " + REPLICATION_CHECK,
        "check the Site 2 Configuration DB is dormant (its schema account is locked)");

    String run = start("API-PRE-2", "execute");
    await("precheck failed").atMost(Duration.ofSeconds(60))
        .until(() -> "FAILED".equals(get("/api/runs/" + run).path("precheck").path("state").asText()));
    // the precheck ran only read-only commands; once it failed, nothing more is sent
    Map<String, Object> commands = commandLog();
    assertThat(commands.values().toString()).contains("dr-replication status").doesNotContain(" stop ")
        .doesNotContain(" start ");
    await("held").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
        .until(() -> commandLog().equals(commands));
    JsonNode held = get("/api/runs/" + run);
    assertThat(held.get("state").asText()).isEqualTo("SUSPENDED");
    assertThat(held.get("precheck").get("problems").toString()).contains(PROXY_DOWN);
    assertThat(tasks.createTaskQuery().processInstanceId(run).count()).isZero();
    // held: resume is refused, an operator may not override, nor without a note
    assertThat(post(operator(), run, "resume", "{}").getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    assertThat(post(operator(), run, "precheck/override", "{\"note\": \"go\"}").getStatusCode())
        .isEqualTo(HttpStatus.FORBIDDEN);
    ResponseEntity<String> noNote = post(approver(), run, "precheck/override", "{}");
    assertThat(noNote.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(json.readTree(noNote.getBody()).get("errors").get(0).get("field").asText()).isEqualTo("note");

    ResponseEntity<String> overridden = post(approver(), run, "precheck/override",
        "{\"note\": \"proxy 2 at Site 2 is being replaced; it will be moved by hand\"}");

    assertThat(overridden.getStatusCode()).as(overridden.getBody()).isEqualTo(HttpStatus.OK);
    JsonNode released = json.readTree(overridden.getBody());
    assertThat(released.get("suspended").asBoolean()).isFalse();
    assertThat(released.get("precheck").get("state").asText()).isEqualTo("OVERRIDDEN");
    assertThat(released.get("precheck").get("overriddenBy").asText()).isEqualTo("approver");
    assertThat(released.get("precheck").get("overrideNote").asText()).startsWith("proxy 2 at Site 2");
    // the run goes on: its first manual step comes up
    await("declare task").atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run).taskDefinitionKey("UserTask_DeclareDisaster").count() == 1);
    assertThat(post(approver(), run, "precheck/override", "{\"note\": \"again\"}").getStatusCode())
        .isEqualTo(HttpStatus.CONFLICT);
    // the run's report carries the precheck and its override
    assertThat(get("/api/runs/" + run + "/report").get("precheck").get("overriddenBy").asText()).isEqualTo("approver");
    assertThat(operator().getForEntity("/api/runs/" + run + "/report.html", String.class).getBody())
        .contains("Overridden by approver").contains(PROXY_DOWN);
  }

  @Test
  void shouldFailThePrecheckWhenReplicationLagsBehindWhatTheProcedureExpects() throws Exception {
    lab.faults().add(new FaultRequest("replication-lag", "site1-to-site2", null, null, null, null, 90L,
        null, null));

    String precheck = start("API-PRE-4", "precheck");
    awaitCompleted(precheck);
    JsonNode checked = get("/api/runs/" + precheck).get("precheck");

    assertThat(checked.get("state").asText()).isEqualTo("FAILED");
    assertThat(checked.get("problems")).hasSize(1);
    assertThat(checked.get("problems").get(0).asText()).startsWith("check " + REPLICATION_CHECK + ": ")
        .contains("lag 90 seconds");
  }

  @Test
  void shouldCheckTheStateEachInfoMartProcedureExpectsBeforeItRuns() throws Exception {
    // the lab as before a disaster: B1 may run, B2 (which follows B1) may not yet
    String failover = start("API-PRE-5", "precheck", "dr-gim-site-failover", "{\"partitioned\": false, \"gi2OrRaa\": true}");
    String returnToNormal = start("API-PRE-6", "precheck", "dr-gim-return-to-normal",
        "{\"largeDatabase\": false, \"gi2OrRaa\": true, \"siteFailureTime\": \"2025-01-31T21:40:00Z\"}");
    awaitCompleted(failover);
    awaitCompleted(returnToNormal);

    JsonNode b1 = get("/api/runs/" + failover).get("precheck");
    assertThat(b1.get("state").asText()).as(b1.toString()).isEqualTo("PASSED");
    List<String> b1Checked = new ArrayList<>();
    b1.get("checks").forEach(c -> b1Checked.add(c.get("kind").asText() + " " + c.get("target").asText()));
    assertThat(b1Checked).contains("check the Genesys Info Mart Server at Site 2 is on standby (stopped)",
        "host site2.gim", "host site2.gim-ogg", "endpoint site2.config-api", "endpoint site2.gim-admin");
    JsonNode b2 = get("/api/runs/" + returnToNormal).get("precheck");
    assertThat(b2.get("state").asText()).isEqualTo("FAILED");
    assertThat(b2.get("problems").toString())
        .contains("check the Genesys Info Mart Server at Site 2 is in service (the site failover has run)")
        .contains("check the Oracle GoldenGate Replicat at Site 2 is stopped (the site failover stopped it)");
    assertThat(b2.get("problems")).hasSize(2);
  }

  @Test
  void shouldReleaseAnExecuteRunWhosePrecheckPasses() throws Exception {
    String run = start("API-PRE-3", "execute");

    await("released").atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run).taskDefinitionKey("UserTask_DeclareDisaster").count() == 1);
    JsonNode detail = get("/api/runs/" + run);
    assertThat(detail.get("precheck").get("state").asText()).isEqualTo("PASSED");
    assertThat(detail.get("precheck").get("problems")).isEmpty();
    assertThat(detail.get("suspended").asBoolean()).isFalse();
    JsonNode plan = get("/api/runs/" + run + "/plan");
    assertThat(plan.get("walkRunId").asText()).isNotEqualTo(run);
    assertThat(plan.get("complete").asBoolean()).isTrue();
  }

  @Test
  void shouldHoldAnExecuteRunStartedThroughTheEngineApiUntilItsPrecheckPassesOrIsOverridden() throws Exception {
    lab.faults().add(FaultRequest.of("unreachable", PROXY_DOWN));

    // as Cockpit or a script would: the engine's REST API, the mode given as a variable
    String run = engineStart(ApiTestSupport.TICKET_PREFIX + "ENGINE-1", "{\"runMode\": {\"value\": \"execute\"}}");

    await("precheck failed").atMost(Duration.ofSeconds(60))
        .until(() -> "FAILED".equals(get("/api/runs/" + run).path("precheck").path("state").asText()));
    await("paused").atMost(Duration.ofSeconds(10))
        .until(() -> "SUSPENDED".equals(get("/api/runs/" + run).path("state").asText()));
    String walk = get("/api/runs/" + run).get("precheck").get("walkRunId").asText();
    assertThat(walk).isNotEqualTo(run);
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(walk)
        .variableName(PrecheckGate.GATES).singleResult().getValue()).isEqualTo(run);
    assertThat(get("/api/runs/" + run).get("precheck").get("problems").toString()).contains(PROXY_DOWN);
    // its first step (automated) was never attempted, before or after the run was paused
    await("held").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
        .until(() -> journal.forProcessInstance(run).isEmpty());
    assertThat(post(operator(), run, "resume", "{}").getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    // an operator activating it in Cockpit (engine REST API) does not release it: paused again
    operator().put("/engine-rest/process-instance/" + run + "/suspended", jsonEntity("{\"suspended\": false}"));
    await("activated by hand").atMost(Duration.ofSeconds(5)).until(() ->
        runtime.createProcessInstanceQuery().processInstanceId(run).singleResult() != null);
    await("paused again").atMost(Duration.ofSeconds(10)).until(() ->
        runtime.createProcessInstanceQuery().processInstanceId(run).singleResult().isSuspended());
    assertThat(journal.forProcessInstance(run)).isEmpty();

    ResponseEntity<String> overridden = post(approver(), run, "precheck/override",
        "{\"note\": \"proxy 2 at Site 2 is out for repair\"}");

    assertThat(overridden.getStatusCode()).as(overridden.getBody()).isEqualTo(HttpStatus.OK);
    await("declare task").atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run).taskDefinitionKey("UserTask_DeclareDisaster").count() == 1);
    assertThat(journal.forProcessInstance(run)).singleElement()
        .satisfies(entry -> assertThat(entry.activityId()).isEqualTo("Task_ResolveTopology"));
  }

  @Test
  void shouldReleaseAnExecuteRunStartedThroughTheEngineApiWhenItsPrecheckPasses() throws Exception {
    String run = engineStart(ApiTestSupport.TICKET_PREFIX + "ENGINE-2", "{\"runMode\": {\"value\": \"execute\"}}");

    await("released").atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run).taskDefinitionKey("UserTask_DeclareDisaster").count() == 1);
    JsonNode detail = get("/api/runs/" + run);
    assertThat(detail.get("precheck").get("state").asText()).isEqualTo("PASSED");
    assertThat(detail.get("suspended").asBoolean()).isFalse();
    // the first step ran once, after the precheck walk had ended
    String walk = detail.get("precheck").get("walkRunId").asText();
    java.util.Date walkEnded = history.createHistoricProcessInstanceQuery().processInstanceId(walk)
        .singleResult().getEndTime();
    assertThat(journal.forProcessInstance(run)).singleElement().satisfies(entry -> {
      assertThat(entry.activityId()).isEqualTo("Task_ResolveTopology");
      assertThat(entry.attempts()).isEqualTo(1);
      assertThat(entry.startedAt()).isAfterOrEqualTo(walkEnded.toInstant());
    });
  }

  @Test
  void shouldMakeARunStartedWithoutAModeInTheLabADrillAndRefuseAnUnknownMode() throws Exception {
    // a Tasklist start form gives no mode: in the lab profile the run is a drill, not held
    ResponseEntity<String> submitted = operator().postForEntity(
        "/engine-rest/process-definition/key/" + ApiTestSupport.PROCEDURE + "/submit-form",
        jsonEntity("{\"businessKey\": \"" + ApiTestSupport.TICKET_PREFIX + "FORM-1\", \"variables\": {}}"),
        String.class);
    assertThat(submitted.getStatusCode()).as(submitted.getBody()).isEqualTo(HttpStatus.OK);
    String run = json.readTree(submitted.getBody()).get("id").asText();
    assertThat(runtime.getVariable(run, "runMode")).isEqualTo("drill");
    assertThat(holds.find(run)).isEmpty();
    await("declare task").atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run).taskDefinitionKey("UserTask_DeclareDisaster").count() == 1);

    ResponseEntity<String> refused = operator().postForEntity(
        "/engine-rest/process-definition/key/" + ApiTestSupport.PROCEDURE + "/start",
        jsonEntity("{\"businessKey\": \"" + ApiTestSupport.TICKET_PREFIX + "ENGINE-3\","
            + " \"variables\": {\"runMode\": {\"value\": \"live\"}}}"), String.class);
    // the engine's refusal keeps its 400 (security/EngineRestRefusals; Camunda's REST start alone
    // would answer 500); the message says why
    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(json.readTree(refused.getBody()).get("message").asText())
        .endsWith(": runMode 'live' is not one of [execute, drill, dry-run, precheck]: run of "
            + ApiTestSupport.PROCEDURE + " not started");
    assertThat(runtime.createProcessInstanceQuery()
        .processInstanceBusinessKey(ApiTestSupport.TICKET_PREFIX + "ENGINE-3").count()).isZero();
  }

  @Test
  void shouldKeepTheModeARunWasStartedWithWhenItsVariableIsChanged() throws Exception {
    String run = engineStart(ApiTestSupport.TICKET_PREFIX + "ENGINE-4", "{\"runMode\": {\"value\": \"drill\"}}");
    await("declare task").atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run).taskDefinitionKey("UserTask_DeclareDisaster").count() == 1);

    // an operator tries to make the live run a walk, whose manual steps (approvals among them) the
    // walk would answer itself: operators may not change a run's variables
    ResponseEntity<Void> refused = operator().exchange("/engine-rest/process-instance/" + run
        + "/variables/runMode", org.springframework.http.HttpMethod.PUT,
        jsonEntity("{\"value\": \"dry-run\", \"type\": \"String\"}"), Void.class);
    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    assertThat(runtime.getVariable(run, "runMode")).isEqualTo("drill");
    // an admin still may (knowingly): the run keeps the mode it was started with all the same
    ResponseEntity<Void> changed = http.withBasicAuth("admin", "admin").exchange("/engine-rest/process-instance/"
        + run + "/variables/runMode", org.springframework.http.HttpMethod.PUT,
        jsonEntity("{\"value\": \"dry-run\", \"type\": \"String\"}"), Void.class);
    assertThat(changed.getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
    assertThat(runtime.getVariable(run, "runMode")).isEqualTo("dry-run");

    // the walker passes by: the approval still waits for a person, and the run is still a drill
    await("walker rounds").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
        tasks.createTaskQuery().processInstanceId(run).taskDefinitionKey("UserTask_DeclareDisaster")
            .count() == 1);
    assertThat(get("/api/runs/" + run).get("mode").asText()).isEqualTo("drill");
    assertThat(operator().getForEntity("/api/runs/" + run + "/plan", String.class).getStatusCode())
        .isEqualTo(HttpStatus.NOT_FOUND);
  }

  private String engineStart(String businessKey, String variables) throws Exception {
    ResponseEntity<String> response = operator().postForEntity(
        "/engine-rest/process-definition/key/" + ApiTestSupport.PROCEDURE + "/start",
        jsonEntity("{\"businessKey\": \"" + businessKey + "\", \"variables\": " + variables + "}"),
        String.class);
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
    return json.readTree(response.getBody()).get("id").asText();
  }

  private static HttpEntity<String> jsonEntity(String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return new HttpEntity<>(body, headers);
  }

  private void awaitCompleted(String id) {
    awaitCompleted(id, Duration.ofSeconds(60));
  }

  private void awaitCompleted(String id, Duration limit) {
    await("walk ended").atMost(limit).until(() -> history
        .createHistoricProcessInstanceQuery().processInstanceId(id).completed().count() == 1);
  }

  private Map<String, Object> commandLog() {
    Map<String, Object> log = new LinkedHashMap<>();
    lab.state().hosts().forEach(host -> log.put(host, lab.state().commandLog(host)));
    return log;
  }

  private JsonNode get(String path) throws Exception {
    ResponseEntity<String> response = operator().getForEntity(path, String.class);
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
    return json.readTree(response.getBody());
  }

  private String start(String ticket, String mode) throws Exception {
    return start(ticket, mode, ApiTestSupport.PROCEDURE, "{}");
  }

  private String start(String ticket, String mode, String procedure, String parameters) throws Exception {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    String body = ApiTestSupport.startBody(ticket, parameters).replace("\"drill\"", "\"" + mode + "\"")
        .replace("\"" + ApiTestSupport.PROCEDURE + "\"", "\"" + procedure + "\"");
    ResponseEntity<String> response = operator().postForEntity("/api/runs", new HttpEntity<>(body, headers), String.class);
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.CREATED);
    return json.readTree(response.getBody()).get("id").asText();
  }

  private static ResponseEntity<String> post(TestRestTemplate client, String id, String action, String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return client.postForEntity("/api/runs/" + id + "/" + action, new HttpEntity<>(body, headers), String.class);
  }

  private TestRestTemplate operator() {
    return http.withBasicAuth("operator", "operator");
  }

  private TestRestTemplate approver() {
    return http.withBasicAuth("approver", "approver");
  }
}
