package io.drrunbook.runs;

import static io.drrunbook.runs.ApiTestSupport.runsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.DrillTasks;
import io.drrunbook.common.DrGroups;
import io.drrunbook.core.ProcedureCatalog;
import io.drrunbook.core.RunVariables;
import io.drrunbook.lab.Lab;
import io.drrunbook.prechecks.ConflictGate;
import io.drrunbook.prechecks.SystemClaims;
import io.drrunbook.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Comment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * Conflicting runs: an execute or drill run whose systems an active one holds is refused with 409
 * naming the active run, through the product API and the engine's REST API; a dry-run or precheck is
 * always allowed; an approver may start one anyway with a reason; 20 drills started at once for
 * different tickets start one run and the lab sees every action once.
 */
@DrillContext
class ConflictingRunsTest {

  private static final String A1 = "dr-genesys-cs-failover";
  private static final String A2 = "dr-genesys-cs-failback";
  private static final String TICKET = ApiTestSupport.TICKET_PREFIX + "CONFLICT-";
  private static final List<String> STARTERS = List.of("conflict-starter-0", "conflict-starter-1",
      "conflict-starter-2", "conflict-starter-3", "conflict-starter-4");
  private static final String SWITCHOVER = "cs-switchover cs-master.genesys.lab";
  private static final List<String> SITE2_APPS =
      List.of("confserv-master-pair", "scs-master", "msgserver-scs-distributed");

  @Autowired TestRestTemplate http;
  @Autowired org.camunda.bpm.engine.RepositoryService repository;
  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;
  @Autowired TaskService tasks;
  @Autowired IdentityService identity;
  @Autowired ObjectMapper json;
  @Autowired SystemClaims claims;
  @Autowired ConflictGate conflicts;
  @Autowired ProcedureCatalog catalog;
  @Autowired Topology topology;
  @Autowired Lab lab;

  @BeforeEach
  void resetLabAndUsers() {
    STARTERS.forEach(starter -> ApiTestSupport.user(identity, starter, DrGroups.OPERATORS));
    // runs other test classes left active on these systems would make every start here a conflict
    runtime.createProcessInstanceQuery().processDefinitionKey(A1).list()
        .forEach(run -> ApiTestSupport.delete(runtime, run.getId(), "ConflictingRunsTest clean-up"));
    runtime.createProcessInstanceQuery().processDefinitionKey(A2).list()
        .forEach(run -> ApiTestSupport.delete(runtime, run.getId(), "ConflictingRunsTest clean-up"));
    lab.reset();
  }

  @AfterEach
  void cancelRuns() {
    ApiTestSupport.cancelTestRuns(runtime);
  }

  @Test
  void shouldResolveTheSystemsOfEveryProcedureThroughTheTopology() {
    for (String id : catalog.ids()) {
      List<String> systems = conflicts.systems(catalog.find(id).orElseThrow());
      assertThat(systems).as(id).allSatisfy(system ->
          assertThat(system).matches("(host|database|record|endpoint):[a-z0-9.-]+"));
      // only a procedure whose automated steps only read (C4: all console work, and an HTTP GET of
      // the Mirror Monitor) may act on no system
      boolean automated = repository.getBpmnModelInstance(repository.createProcessDefinitionQuery()
          .processDefinitionKey(id).latestVersion().singleResult().getId())
          .getModelElementsByType(org.camunda.bpm.model.bpmn.instance.ServiceTask.class).stream()
          .anyMatch(task -> !isHttpGet(task));
      if (automated) {
        assertThat(systems).as(id + " has automated steps that change systems: it acts on systems").isNotEmpty();
      }
    }
    assertThat(conflicts.systems(catalog.find(A1).orElseThrow()))
        .containsAll(topology.group("cs-proxies").stream().map(h -> "host:" + h).toList())
        .contains("host:site2.ogg", "database:site2.config-db", "host:site2.cs-mgmt", "record:cs-master")
        .doesNotContain("group:cs-proxies");
  }

  @Test
  void shouldRefuseWith409NamingTheActiveRunWhenASecondDrillActsOnTheSameSystems() throws Exception {
    String first = id(start(operator(), body(A1, TICKET + "1", "drill", null)));

    ResponseEntity<String> second = start(operator(), body(A1, TICKET + "2", "drill", null));

    JsonNode problem = assertProblem(second, HttpStatus.CONFLICT, "overlap");
    assertThat(problem.get("activeRun").get("id").asText()).isEqualTo(first);
    assertThat(problem.get("activeRun").get("ticket").asText()).isEqualTo(TICKET + "1");
    assertThat(problem.get("activeRun").get("href").asText()).endsWith("/api/runs/" + first);
    assertThat(problem.get("systems")).extracting(JsonNode::asText)
        .contains("record:cs-master", "host:site2.cs-mgmt", "database:site2.config-db");
    assertThat(problem.get("detail").asText()).contains(first, TICKET + "1", "overlap.reason");
    assertThat(runsOf(history, TICKET + "2")).isZero();
    // the failback acts on the same systems: refused as well
    assertProblem(start(operator(), body(A2, TICKET + "3", "drill", null)), HttpStatus.CONFLICT, "overlap");
    assertThat(runsOf(history, TICKET + "3")).isZero();
    // the run status shows what the first run holds
    JsonNode status = json.readTree(operator().getForEntity("/api/runs/" + first, String.class).getBody());
    assertThat(status.get("systems")).extracting(JsonNode::asText)
        .containsAll(topology.group("cs-proxies").stream().map(h -> "host:" + h).toList())
        .contains("record:cs-master");
  }

  @Test
  void shouldRefuseAnOverlappingStartThroughTheEngineRestApiNamingTheActiveRun() throws Exception {
    String first = id(start(operator(), body(A1, TICKET + "10", "drill", null)));

    ResponseEntity<String> refused = operator().postForEntity(
        "/engine-rest/process-definition/key/" + A1 + "/start",
        jsonEntity("{\"businessKey\": \"" + TICKET + "11\","
            + " \"variables\": {\"runMode\": {\"value\": \"drill\"}}}"), String.class);
    // the engine REST's refusal of the start is a conflict too (security/EngineRestRefusals), saying why
    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    assertThat(json.readTree(refused.getBody()).get("message").asText())
        .contains("run " + first + " of " + A1 + " for ticket " + TICKET + "10 is active")
        .endsWith("run of " + A1 + " for ticket " + TICKET + "11 not started");
    assertThat(runsOf(history, TICKET + "11")).isZero();
    // an operator cannot override it there by giving the reason himself
    ResponseEntity<String> overridden = operator().postForEntity(
        "/engine-rest/process-definition/key/" + A1 + "/start",
        jsonEntity("{\"businessKey\": \"" + TICKET + "12\", \"variables\": {\"runMode\": {\"value\":"
            + " \"drill\"}, \"overlapReason\": {\"value\": \"I say so\"}}}"), String.class);
    assertThat(overridden.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    assertThat(json.readTree(overridden.getBody()).get("message").asText())
        .contains("only a member of dr-approvers may start it anyway");
    assertThat(runsOf(history, TICKET + "12")).isZero();
    // and the web apps' copy of the engine API, which Tasklist's start form posts to, answers the same
    HttpHeaders tasklist = io.drrunbook.security.WebAppSession.tasklist(http, "operator");
    tasklist.setContentType(MediaType.APPLICATION_JSON);
    ResponseEntity<String> fromTasklist = http.postForEntity(
        "/camunda/api/engine/engine/default/process-definition/key/" + A1 + "/submit-form", new HttpEntity<>(
            "{\"businessKey\": \"" + TICKET + "13\", \"variables\": {\"runMode\": {\"value\": \"drill\"}}}",
            tasklist), String.class);
    assertThat(fromTasklist.getStatusCode()).as(fromTasklist.getBody()).isEqualTo(HttpStatus.CONFLICT);
    assertThat(json.readTree(fromTasklist.getBody()).get("message").asText())
        .contains("run " + first + " of " + A1 + " for ticket " + TICKET + "10 is active");
    assertThat(runsOf(history, TICKET + "13")).isZero();
  }

  @Test
  void shouldStartANewDrillWhenTheActiveOneWasCancelled() throws Exception {
    String first = id(start(operator(), body(A1, TICKET + "20", "drill", null)));
    assertThat(claims.of(first)).contains("record:cs-master");
    assertProblem(start(operator(), body(A1, TICKET + "21", "drill", null)), HttpStatus.CONFLICT, "overlap");

    ResponseEntity<String> cancelled = operator().postForEntity("/api/runs/" + first + "/cancel",
        jsonEntity("{\"reason\": \"drill postponed\"}"), String.class);
    assertThat(cancelled.getStatusCode()).as(cancelled.getBody()).isEqualTo(HttpStatus.OK);

    assertThat(claims.of(first)).isEmpty();
    String next = id(start(operator(), body(A1, TICKET + "21", "drill", null)));
    assertThat(claims.of(next)).contains("record:cs-master");
  }

  @Test
  void shouldFreeTheSystemsOfARunDeletedSkippingCustomListeners() throws Exception {
    String first = id(start(operator(), body(A1, TICKET + "30", "drill", null)));
    // built-in listeners run even when custom ones are skipped: the claim goes with the run
    await("run deleted").atMost(Duration.ofSeconds(30))
        .ignoreException(OptimisticLockingException.class).until(() -> {
          runtime.deleteProcessInstance(first, "deleted in Cockpit", true, true);
          return true;
        });
    assertThat(claims.of(first)).isEmpty();

    String second = id(start(operator(), body(A1, TICKET + "31", "drill", null)));
    assertThat(claims.of(second)).contains("record:cs-master");
  }

  @Test
  void shouldFreeTheClaimsOfRunsThatNoLongerExistAtTheStartAndAtTheSweep() throws Exception {
    // claims left by runs that are gone (e.g. deleted from the engine tables by hand)
    claims.claim(List.of("record:cs-master"), "gone-run-1", A1, TICKET + "GONE-1", false);
    claims.claim(List.of("host:conflict-test-only"), "gone-run-2", A1, TICKET + "GONE-2", false);

    String started = id(start(operator(), body(A1, TICKET + "32", "drill", null)));
    assertThat(claims.of("gone-run-1")).isEmpty();
    assertThat(claims.of(started)).contains("record:cs-master");

    conflicts.sweep();
    assertThat(claims.of("gone-run-2")).isEmpty();
    assertThat(claims.of(started)).contains("record:cs-master");
  }

  @Test
  void shouldAllowADryRunAndAPrecheckWhileADrillActsOnTheSystems() throws Exception {
    String drill = id(start(operator(), body(A1, TICKET + "40", "drill", null)));

    String dryRun = id(start(operator(), body(A1, TICKET + "41", "dry-run", null)));
    String precheck = id(start(operator(), body(A1, TICKET + "42", "precheck", null)));

    assertThat(claims.of(dryRun)).isEmpty();
    assertThat(claims.of(precheck)).isEmpty();
    assertThat(claims.of(drill)).contains("record:cs-master");
  }

  @Test
  void shouldStartOverTheActiveRunAndRecordWhyWhenAnApproverGivesAReason() throws Exception {
    String first = id(start(operator(), body(A1, TICKET + "50", "drill", null)));
    String reason = "the drill of " + TICKET + "50 is abandoned; this one takes over";

    ResponseEntity<String> byOperator = start(operator(), body(A1, TICKET + "51", "drill", reason));
    assertProblem(byOperator, HttpStatus.FORBIDDEN, "caller");
    assertThat(runsOf(history, TICKET + "51")).isZero();

    String second = id(start(http.withBasicAuth("approver", "approver"),
        body(A1, TICKET + "51", "drill", reason)));

    JsonNode status = json.readTree(operator().getForEntity("/api/runs/" + second, String.class).getBody());
    assertThat(status.get("overlap").get("approvedBy").asText()).isEqualTo("approver");
    assertThat(status.get("overlap").get("reason").asText()).isEqualTo(reason);
    assertThat(status.get("overlap").get("runs")).extracting(JsonNode::asText).containsExactly(first);
    assertThat(runtime.getVariable(second, RunVariables.OVERLAP_APPROVED_BY)).isEqualTo("approver");
    assertThat(tasks.getProcessInstanceComments(second)).extracting(Comment::getFullMessage)
        .singleElement().asString().contains("approver", first, reason);
    assertThat(claims.of(second)).contains("record:cs-master");
    // both end: the systems are free again
    ApiTestSupport.delete(runtime, first, "test");
    ApiTestSupport.delete(runtime, second, "test");
    assertThat(claims.of(first)).isEmpty();
    assertThat(claims.of(second)).isEmpty();
    assertThat(id(start(operator(), body(A1, TICKET + "52", "drill", null)))).isNotBlank();
  }

  @Test
  void shouldStartOneOfFiftyConcurrentDrillsAndActOnceOnEverySystemWhenTheyStartTogether()
      throws Exception {
    int starts = 50;
    CyclicBarrier together = new CyclicBarrier(starts);
    ExecutorService threads = Executors.newFixedThreadPool(starts);
    List<ResponseEntity<String>> answers = new ArrayList<>();
    try {
      List<Future<ResponseEntity<String>>> futures = new ArrayList<>();
      for (int i = 0; i < starts; i++) {
        String ticket = TICKET + "P" + i;
        // five callers, ten starts each: under the per-caller start rate (dr.api.start-rate-per-minute)
        String starter = STARTERS.get(i % STARTERS.size());
        futures.add(threads.submit(() -> {
          together.await(30, TimeUnit.SECONDS);
          return start(http.withBasicAuth(starter, starter),
              body(A1, ticket, "drill", null));
        }));
      }
      for (Future<ResponseEntity<String>> future : futures) {
        answers.add(future.get(120, TimeUnit.SECONDS));
      }
    } finally {
      threads.shutdownNow();
    }

    List<ResponseEntity<String>> created = answers.stream()
        .filter(a -> a.getStatusCode() == HttpStatus.CREATED).toList();
    assertThat(created).as(answers.toString()).hasSize(1);
    String winner = id(created.get(0));
    for (ResponseEntity<String> answer : answers) {
      if (answer != created.get(0)) {
        JsonNode problem = assertProblem(answer, HttpStatus.CONFLICT, "overlap");
        if (problem.has("activeRun")) {
          assertThat(problem.get("activeRun").get("id").asText()).isEqualTo(winner);
        }
      }
    }
    assertThat(history.createHistoricProcessInstanceQuery().processDefinitionKey(A1)
        .processInstanceBusinessKeyLike(TICKET + "P%").count()).isEqualTo(1);

    // the one run goes to its end; the lab saw every action once
    DrillTasks.complete(tasks, identity, winner, "UserTask_DeclareDisaster", "approver",
        DrGroups.APPROVERS, Map.of("disasterDeclared", true, "disasterReason", "concurrent drill",
            "decidedBy", "DR manager"));
    DrillTasks.complete(tasks, identity, winner, "UserTask_ConfirmOperationsRestored", "operator",
        DrGroups.OPERATORS, Map.of("operationsRestored", true));
    await("run ended").atMost(Duration.ofSeconds(90)).until(() -> history
        .createHistoricProcessInstanceQuery().processInstanceId(winner).completed().count() == 1);
    for (String proxy : topology.group("cs-proxies")) {
      assertThat(lab.state().actionCount(proxy, SWITCHOVER)).as(proxy).isEqualTo(1);
    }
    SITE2_APPS.forEach(app -> assertThat(
        lab.state().actionCount("site2.cs-mgmt", "genesys-ctl start " + app)).as(app).isEqualTo(1));
    assertThat(lab.state().actionCount("site2.ogg", "dr-replication stop site1-to-site2")).isEqualTo(1);

    // completed: its systems are free, and the next drill starts
    assertThat(claims.of(winner)).isEmpty();
    assertThat(id(start(operator(), body(A1, TICKET + "AFTER", "drill", null)))).isNotBlank();
  }

  // ------------------------------------------------------------------------------ helpers

  private TestRestTemplate operator() {
    return http.withBasicAuth("operator", "operator");
  }

  private static String body(String procedure, String ticket, String mode, String overlapReason) {
    return """
        {"procedure": "%s", "ticket": {"system": "servicenow", "id": "%s"}, "parameters": {},
         "mode": "%s"%s}""".formatted(procedure, ticket, mode,
        overlapReason == null ? "" : ", \"overlap\": {\"reason\": \"" + overlapReason + "\"}");
  }

  private static ResponseEntity<String> start(TestRestTemplate client, String body) {
    return client.postForEntity("/api/runs", jsonEntity(body), String.class);
  }

  private static HttpEntity<String> jsonEntity(String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return new HttpEntity<>(body, headers);
  }

  private String id(ResponseEntity<String> response) throws Exception {
    assertThat(response.getStatusCode().is2xxSuccessful()).as(response.getBody()).isTrue();
    return json.readTree(response.getBody()).get("id").asText();
  }

  private JsonNode assertProblem(ResponseEntity<String> response, HttpStatus status, String field)
      throws Exception {
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
    assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    JsonNode problem = json.readTree(response.getBody());
    assertThat(problem.get("errors")).extracting(e -> e.get("field").asText()).contains(field);
    return problem;
  }

  /** A service task that only reads: route http-request with method GET. */
  private static boolean isHttpGet(org.camunda.bpm.model.bpmn.instance.ServiceTask task) {
    Map<String, String> inputs = new java.util.HashMap<>();
    task.getExtensionElements().getElementsQuery()
        .filterByType(org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputOutput.class).list()
        .forEach(io -> io.getCamundaInputParameters().forEach(p -> inputs.put(p.getCamundaName(), p.getTextContent())));
    return "http-request".equals(inputs.get("route")) && "GET".equals(inputs.get("method"));
  }
}
