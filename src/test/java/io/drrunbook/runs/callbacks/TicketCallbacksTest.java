package io.drrunbook.runs.callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import io.drrunbook.common.SecretMasker;
import io.drrunbook.lab.Lab;
import io.drrunbook.runs.callbacks.CallbackDeliveries.Delivery;
import io.drrunbook.runs.callbacks.CallbackOutbox.Attempt;
import io.drrunbook.runs.callbacks.CallbackProperties.TicketSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Write-back to the ticket with the whole application: the shipped ServiceNow and Jira example
 * configurations pointed at a local HTTP server, real runs, the real step worker and delivery
 * worker. Asserts what the server received and the deliveries each run ends with.
 */
@DrillContext
@ExtendWith(OutputCaptureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TicketCallbacksTest {

  private static final String MANUAL = "callbacks-test-manual";
  private static final String BROKEN = "callbacks-test-broken-step";
  private static final String FAILOVER = "dr-genesys-cs-failover";
  private static final String SECRET = "Bearer cb-secret-" + UUID.randomUUID();
  private static final Duration BOUND = Duration.ofSeconds(60);

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired RepositoryService repository;
  @Autowired CallbackSystems systems;
  @Autowired CallbackDeliveries deliveries;
  @Autowired SecretMasker masker;
  @Autowired DataSource dataSource;
  @Autowired PlatformTransactionManager transactionManager;
  @Autowired TestRestTemplate rest;
  @Autowired Lab lab;

  private final ObjectMapper json = new ObjectMapper();
  private TicketServer server;
  private Path secretFile;
  private String deploymentId;

  @BeforeAll
  void startTicketSystems() throws IOException {
    server = new TicketServer();
    secretFile = Files.createTempFile("callback-authorization", ".secret");
    Files.writeString(secretFile, SECRET + "\n");
    systems.define("test-servicenow", example("servicenow", "/sn"));
    TicketSystem jira = example("jira", "/jira");
    // the report link, which only the end-of-run events fill
    jira.setBodyTemplate(jira.getBodyTemplate().replace("{runUrl}", "{runUrl} {reportUrl}"));
    systems.define("test-jira", jira);
    systems.define("test-flaky", example("jira", "/flaky"));
    TicketSystem down = example("jira", "/down");
    down.setMaxAttempts(3);
    systems.define("test-down", down);
    deploymentId = repository.createDeployment().name("callbacks-test")
        .addModelInstance(MANUAL + ".bpmn", Bpmn.createExecutableProcess(MANUAL)
            .name("Callback test: one manual step").camundaHistoryTimeToLive(1)
            .startEvent()
            .userTask("UserTask_CheckSite").name("Check the site").camundaCandidateGroups(DrGroups.OPERATORS)
            .endEvent().done())
        .addModelInstance(BROKEN + ".bpmn", Bpmn.createExecutableProcess(BROKEN)
            .name("Callback test: a broken step").camundaHistoryTimeToLive(1)
            .startEvent()
            .serviceTask("Task_BrokenStep").name("Look up a host that does not exist")
            .camundaExternalTask("dr-step")
            .camundaInputParameter("route", "topology-lookup")
            .camundaInputParameter("host", "site9.callbacks-test")
            .endEvent().done())
        .deploy().getId();
  }

  @AfterAll
  void stopTicketSystems() throws IOException {
    List.of("test-servicenow", "test-jira", "test-flaky", "test-down").forEach(systems::remove);
    repository.deleteDeployment(deploymentId, true, true);
    server.close();
    Files.deleteIfExists(secretFile);
  }

  @Test
  void shouldPatchTheWorkNotesWithTheSecretFileAuthorizationWhenARunStartsForAServiceNowTicket(
      CapturedOutput output) throws Exception {
    String sysId = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    ProcessInstance run = start(MANUAL, "INC0012345", "test-servicenow", sysId);

    List<TicketServer.Request> received = awaitRequests("/sn", 2);
    TicketServer.Request started = received.get(0);
    assertThat(started.method()).isEqualTo("PATCH");
    assertThat(started.path()).isEqualTo("/sn/api/now/table/incident/" + sysId);
    assertThat(started.authorization()).isEqualTo(SECRET);
    assertThat(started.contentType()).isEqualTo("application/json");
    JsonNode body = json.readTree(started.body());
    assertThat(body.fieldNames()).toIterable().containsExactly("work_notes");
    assertThat(body.get("work_notes").asText())
        .startsWith("[DR runbook] Run started: Callback test: one manual step\n")
        .contains("Run " + run.getId() + ": RUNNING")
        .endsWith("/api/runs/" + run.getId());
    assertThat(json.readTree(received.get(1).body()).get("work_notes").asText())
        .contains("Waiting for the manual step 'Check the site' (for dr-operators)");
    awaitDeliveries(run, 2);
    assertThat(deliveries.forRun(run.getId())).allSatisfy(d -> {
      assertThat(d.state()).isEqualTo("DELIVERED");
      assertThat(d.system()).isEqualTo("test-servicenow");
      assertThat(d.attemptLog()).singleElement()
          .satisfies(a -> assertThat(a.httpStatus()).isEqualTo(200));
    });
    assertThat(storedCallbackText()).doesNotContain(SECRET).contains(sysId);
    assertThat(output.getAll()).doesNotContain(SECRET).contains("delivered at attempt 1");
  }

  @Test
  void shouldSendTheJiraCommentsInOrderWhenAFailoverRunForAJiraTicketGoesThrough()
      throws Exception {
    lab.reset();
    ProcessInstance run = start(FAILOVER, "DR-101", "test-jira", "DR-101");
    complete(run, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS, Map.of(
        "disasterDeclared", "true", "disasterReason", "callback drill", "decidedBy", "DR manager"));
    complete(run, "UserTask_ConfirmOperationsRestored", "operator", DrGroups.OPERATORS,
        Map.of("operationsRestored", true));

    awaitDeliveries(run, 4);
    List<TicketServer.Request> received = server.requests("/jira/rest/api/2/issue/DR-101/");
    assertThat(received).hasSize(4).allSatisfy(r -> {
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/jira/rest/api/2/issue/DR-101/comment");
      assertThat(r.authorization()).isEqualTo(SECRET);
    });
    List<String> comments = received.stream().map(r -> text(r.body(), "body")).toList();
    assertThat(comments.get(0)).startsWith(
        "[DR runbook] Run started: Genesys Configuration Server failover to Site 2");
    assertThat(comments.get(1)).contains(
        "Waiting for the manual step 'Declare the disaster' (for dr-approvers)");
    assertThat(comments.get(2)).contains(
        "Waiting for the manual step 'Confirm operations restored' (for dr-operators)");
    assertThat(comments.get(3)).contains("Run completed").contains("COMPLETED")
        .contains("/api/runs/" + run.getId() + "/report.html");
    assertThat(comments.get(0)).doesNotContain("report.html");
    assertThat(deliveries.forRun(run.getId()))
        .extracting(Delivery::event, Delivery::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("run-started", "DELIVERED"),
            org.assertj.core.groups.Tuple.tuple("waiting-for-manual-step", "DELIVERED"),
            org.assertj.core.groups.Tuple.tuple("waiting-for-manual-step", "DELIVERED"),
            org.assertj.core.groups.Tuple.tuple("run-completed", "DELIVERED"));
  }

  @Test
  void shouldDeliverAtTheThirdAttemptWhenTheServerAnswers503Twice() {
    server.answer("/flaky/rest/api/2/issue/FLAKY-1/", n -> n <= 2 ? 503 : 201);
    ProcessInstance run = start(MANUAL, "FLAKY-1", "test-flaky", "FLAKY-1");

    Delivery started = awaitDelivery(run, "run-started", "DELIVERED");
    assertThat(started.attempts()).isEqualTo(3);
    assertThat(started.lastStatus()).isEqualTo(201);
    assertThat(started.lastError()).isNull();
    assertThat(started.attemptLog()).extracting(Attempt::number, Attempt::httpStatus)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 503),
            org.assertj.core.groups.Tuple.tuple(2, 503),
            org.assertj.core.groups.Tuple.tuple(3, 201));
    assertThat(started.attemptLog().get(0).error()).startsWith("HTTP 503");
    assertThat(started.attemptLog().get(1).at()).isAfter(started.attemptLog().get(0).at());
    // the next event of the run waited for the first and went out after it
    Delivery waiting = awaitDelivery(run, "waiting-for-manual-step", "DELIVERED");
    assertThat(waiting.attempts()).isEqualTo(1);
    assertThat(server.requests("/flaky/rest/api/2/issue/FLAKY-1/")).hasSize(4);
  }

  @Test
  void shouldFailAfterMaxAttemptsAndStillCompleteTheRunWhenTheServerAlwaysFails(
      CapturedOutput output) {
    server.answer("/down/", n -> 500);
    ProcessInstance run = start(MANUAL, "DOWN-1", "test-down", "DOWN-1");
    complete(run, "UserTask_CheckSite", "operator", DrGroups.OPERATORS, Map.of());

    assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(run.getId())
        .completed().count()).isEqualTo(1);
    await("all callbacks given up").atMost(BOUND).until(() -> deliveries.forRun(run.getId()),
        list -> list.size() == 3 && list.stream().allMatch(d -> d.state().equals("FAILED")));
    assertThat(deliveries.forRun(run.getId())).allSatisfy(d -> {
      assertThat(d.attempts()).isEqualTo(3);
      assertThat(d.lastStatus()).isEqualTo(500);
      assertThat(d.attemptLog()).hasSize(3).allSatisfy(a -> assertThat(a.error())
          .startsWith("HTTP 500").contains(SecretMasker.MASK).doesNotContain(SECRET));
    });
    assertThat(server.requests("/down/rest/api/2/issue/DOWN-1/")).hasSize(9);
    assertThat(storedCallbackText()).doesNotContain(SECRET);
    assertThat(output.getAll()).contains("FAILED after 3 attempt(s)").doesNotContain(SECRET);
  }

  @Test
  void shouldSendStepFailedWithTheIncidentMessageWhenAStepRaisesAnIncident() {
    ProcessInstance run = start(BROKEN, "DR-202", "test-jira", "DR-202");

    Delivery failed = awaitDelivery(run, "step-failed", "DELIVERED");
    assertThat(runtime.createIncidentQuery().processInstanceId(run.getId()).count()).isEqualTo(1);
    List<TicketServer.Request> received = server.requests("/jira/rest/api/2/issue/DR-202/");
    assertThat(received).hasSize(2);
    assertThat(text(received.get(1).body(), "body"))
        .startsWith("[DR runbook] Step 'Look up a host that does not exist' failed: ")
        .contains("unknown site 'site9'")
        .contains("INCIDENT");
    assertThat(failed.attempts()).isEqualTo(1);
    runtime.deleteProcessInstance(run.getId(), "test over");
  }

  @Test
  void shouldArriveAsValidJsonWhenValuesHoldQuotesNewlinesAndBraces() throws Exception {
    String ticket = "DR-\"303\"\n{runId}";
    masker.register("hunter2-callback-secret");
    ProcessInstance run = start(MANUAL, "DR-303", "test-jira", ticket);
    awaitDelivery(run, "waiting-for-manual-step", "DELIVERED");
    runtime.deleteProcessInstance(run.getId(),
        "operator said \"stop\"\nnew line, braces {message} {}, and hunter2-callback-secret");

    awaitDelivery(run, "run-cancelled", "DELIVERED");
    List<TicketServer.Request> received =
        server.requests("/jira/rest/api/2/issue/DR-%22303%22%0A%7BrunId%7D/");
    assertThat(received).hasSize(3);
    String cancelled = text(received.get(2).body(), "body");
    assertThat(cancelled).startsWith("[DR runbook] Run cancelled: operator said \"stop\"\n"
        + "new line, braces {message} {}, and ****\n").contains("CANCELLED");
    assertThat(json.readTree(received.get(0).body()).size()).isEqualTo(1);
  }

  @Test
  void shouldRecordNothingWhenTheStartingTransactionRollsBack() {
    String[] runId = new String[1];
    new TransactionTemplate(transactionManager).executeWithoutResult(tx -> {
      runId[0] = start(MANUAL, "DR-404", "test-jira", "DR-404").getId();
      assertThat(deliveries.forRun(runId[0])).hasSize(2);
      tx.setRollbackOnly();
    });

    assertThat(runtime.createProcessInstanceQuery().processInstanceId(runId[0]).count()).isZero();
    assertThat(deliveries.forRun(runId[0])).isEmpty();
  }

  @Test
  void shouldRecordNothingWhenTheRunHasNoTicketSystem() {
    ProcessInstance run = runtime.startProcessInstanceByKey(MANUAL, "CHG0099999");

    assertThat(tasks.createTaskQuery().processInstanceId(run.getId()).count()).isEqualTo(1);
    assertThat(deliveries.forRun(run.getId())).isEmpty();
    runtime.deleteProcessInstance(run.getId(), "test over");
    assertThat(deliveries.forRun(run.getId())).isEmpty();
  }

  @Test
  void shouldShowTheDeliveriesOfARunWhenItsCallbacksAreAskedFor() throws Exception {
    ProcessInstance run = start(MANUAL, "DR-505", "test-jira", "DR-505");
    awaitDeliveries(run, 2);

    ResponseEntity<String> answer = rest.withBasicAuth("admin", "admin")
        .getForEntity("/api/runs/{id}/callbacks", String.class, run.getId());

    assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
    JsonNode list = json.readTree(answer.getBody());
    assertThat(list).hasSize(2);
    assertThat(list.get(0).get("event").asText()).isEqualTo("run-started");
    assertThat(list.get(0).get("system").asText()).isEqualTo("test-jira");
    assertThat(list.get(0).get("state").asText()).isEqualTo("DELIVERED");
    assertThat(list.get(0).get("attemptLog").get(0).get("httpStatus").asInt()).isEqualTo(200);
    assertThat(answer.getBody()).doesNotContain(SECRET);
    runtime.deleteProcessInstance(run.getId(), "test over");
  }

  private ProcessInstance start(String process, String businessKey, String system, String ticket) {
    Map<String, Object> variables = new HashMap<>();
    variables.put(CallbackRecorder.TICKET_SYSTEM, system);
    variables.put(CallbackRecorder.TICKET_ID, ticket);
    variables.put(CallbackRecorder.TICKET_URL, "https://tickets.example/" + businessKey);
    return runtime.startProcessInstanceByKey(process, businessKey, variables);
  }

  /** A shipped example, bound as Spring binds it, with its base URL and secret pointed here. */
  private TicketSystem example(String name, String pathPrefix) throws IOException {
    MutablePropertySources sources = new MutablePropertySources();
    sources.addFirst(new MapPropertySource("test", Map.of(
        "SERVICENOW_INSTANCE_URL", server.baseUrl() + pathPrefix,
        "JIRA_SITE_URL", server.baseUrl() + pathPrefix,
        "SERVICENOW_AUTHORIZATION_REF", "file:" + secretFile,
        "JIRA_AUTHORIZATION_REF", "file:" + secretFile)));
    new YamlPropertySourceLoader()
        .load("examples", new ClassPathResource("config/callbacks-examples.yaml"))
        .forEach(sources::addLast);
    TicketSystem system = new Binder(ConfigurationPropertySources.from(sources),
        new PropertySourcesPlaceholdersResolver(sources))
        .bind("dr.callbacks.systems." + name, TicketSystem.class).get();
    system.getBackoff().setInitial(Duration.ofMillis(100));
    system.getBackoff().setMultiplier(2);
    return system;
  }

  private List<TicketServer.Request> awaitRequests(String prefix, int count) {
    return await("requests to " + prefix).atMost(BOUND)
        .until(() -> server.requests(prefix), list -> list.size() >= count);
  }

  private void awaitDeliveries(ProcessInstance run, int count) {
    await("delivered callbacks").atMost(BOUND).until(() -> deliveries.forRun(run.getId()),
        list -> list.size() == count && list.stream().allMatch(d -> d.state().equals("DELIVERED")));
  }

  private Delivery awaitDelivery(ProcessInstance run, String event, String state) {
    return await(event + " " + state).atMost(BOUND)
        .until(() -> deliveries.forRun(run.getId()).stream()
            .filter(d -> d.event().equals(event) && d.state().equals(state)).findFirst(),
            java.util.Optional::isPresent).orElseThrow();
  }

  private void complete(ProcessInstance run, String taskKey, String user, String group,
      Map<String, Object> variables) {
    Task task = await("task " + taskKey).atMost(BOUND)
        .until(() -> tasks.createTaskQuery().processInstanceId(run.getId())
            .taskDefinitionKey(taskKey).singleResult(), t -> t != null);
    identity.setAuthentication(user, List.of(group));
    try {
      tasks.complete(task.getId(), variables);
    } finally {
      identity.clearAuthentication();
    }
    if (taskKey.equals("UserTask_ConfirmOperationsRestored")) {
      await("run ended").atMost(Duration.ofSeconds(90)).until(() -> history
          .createHistoricProcessInstanceQuery().processInstanceId(run.getId()).finished()
          .count() == 1);
    }
  }

  private String text(String body, String field) {
    try {
      return json.readTree(body).get(field).asText();
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  /** Every value of every row of the outbox and attempt tables, as text. */
  private String storedCallbackText() {
    JdbcTemplate jdbc = new JdbcTemplate(dataSource);
    StringBuilder all = new StringBuilder();
    for (String table : List.of("DR_CALLBACK_OUTBOX", "DR_CALLBACK_ATTEMPT")) {
      jdbc.query("SELECT * FROM " + table, rs -> {
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          all.append(rs.getString(i)).append('\t');
        }
        all.append('\n');
      });
    }
    return all.toString();
  }
}
