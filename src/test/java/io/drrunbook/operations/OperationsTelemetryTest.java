package io.drrunbook.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.DrillContext;
import io.drrunbook.DrillTasks;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.faults.FaultRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * Operations telemetry of the running application: connector routes called for real (against the
 * lab's topology and SSH hosts) and whole A1 drills, then {@code /actuator/prometheus} scraped over
 * HTTP with Basic authentication; health components as an operator sees them and as anyone else
 * does; which actuator endpoints exist at all.
 */
@DrillContext
class OperationsTelemetryTest {

  private static final String A1 = "dr-genesys-cs-failover";
  private static final String DECLARE = "UserTask_DeclareDisaster";
  private static final String CONFIRM = "UserTask_ConfirmOperationsRestored";
  private static final String TICKET_PREFIX = "TELEMETRY-";
  private static final List<String> ROUTES = List.of(
      "topology-lookup", "ssh-exec", "sql-exec", "dns-switch-a-record", "dns-resolve", "http-request");

  @Autowired TestRestTemplate rest;
  @Autowired ProducerTemplate producer;
  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired RunMetrics runMetrics;
  @Autowired Lab lab;

  @BeforeEach
  void resetLab() {
    lab.reset();
  }

  @AfterEach
  void cleanUp() {
    io.drrunbook.TestRuns.deleteAll(runtime, TICKET_PREFIX);
    lab.reset();
  }

  @Test
  void shouldTimeEveryRouteCallAndCountFailuresByErrorWhenConnectorRoutesSucceedAndFail() {
    PrometheusScrape before = scrape("operator");

    Map<?, ?> found = producer.requestBody("direct:topology-lookup", Map.of("host", "site2.cs-mgmt"), Map.class);
    assertThat(found.get("hostName")).isEqualTo("cs-mgmt.site2.genesys.lab");
    assertThatThrownBy(() -> producer.requestBody("direct:topology-lookup", Map.of("host", "site9.nowhere")))
        .isInstanceOf(CamelExecutionException.class);
    // the start command "succeeds" but starts nothing: the connector's verification says no
    lab.faults().add(new FaultRequest("command-fails", "site2.cs-mgmt", 0, "started", null, null, null,
        null, "genesys-ctl start '?scs-master"));
    assertThatThrownBy(() -> producer.requestBody("direct:ssh-exec", Map.of(
        "host", "site2.cs-mgmt", "command", "genesys-app-start", "app", "scs-master")))
        .isInstanceOf(CamelExecutionException.class);
    assertThat(lab.state().state("site2.cs-mgmt", "scs-master")).isEqualTo("STOPPED");

    PrometheusScrape after = scrape("ticketing");
    assertThat(delta(before, after, "dr_step_duration_seconds_count", "route", "topology-lookup", "outcome", "success"))
        .isEqualTo(1);
    assertThat(delta(before, after, "dr_step_duration_seconds_count", "route", "topology-lookup", "outcome", "failure"))
        .isEqualTo(1);
    assertThat(delta(before, after, "dr_step_failures_total", "route", "topology-lookup", "error", "technical"))
        .isEqualTo(1);
    assertThat(delta(before, after, "dr_step_duration_seconds_count", "route", "ssh-exec", "outcome", "business-error"))
        .isEqualTo(1);
    assertThat(delta(before, after, "dr_step_failures_total", "route", "ssh-exec", "error", "DR_VERIFY_FAILED"))
        .isEqualTo(1);
    // the SSH call took real time: connect, check, run, verify
    assertThat(delta(before, after, "dr_step_duration_seconds_sum", "route", "ssh-exec", "outcome", "business-error"))
        .isGreaterThan(0);
    assertThat(after.value("dr_step_duration_seconds_max", "route", "ssh-exec", "outcome", "business-error"))
        .isGreaterThan(0).isLessThan(120);
    // histogram buckets for SLOs: the slowest bucket holds every call
    assertThat(after.value("dr_step_duration_seconds_bucket", "route", "topology-lookup", "outcome", "success",
        "le", "+Inf")).isEqualTo(after.value("dr_step_duration_seconds_count", "route", "topology-lookup",
        "outcome", "success"));
  }

  @Test
  void shouldCountRunsByOutcomeAndTimeManualStepsWhenOneDrillCompletesAndAnotherIsCancelled() {
    runMetrics.refresh();
    PrometheusScrape before = scrape("operator");

    ProcessInstance done = runtime.startProcessInstanceByKey(A1, TICKET_PREFIX + "DONE-" + System.nanoTime());
    awaitTask(done, DECLARE);
    runMetrics.refresh();
    PrometheusScrape waiting = scrape("operator");
    assertThat(delta(before, waiting, "dr_manual_waiting", "procedure", A1, "task", DECLARE)).isEqualTo(1);
    assertThat(delta(before, waiting, "dr_runs", "procedure", A1, "outcome", "active")).isEqualTo(1);

    DrillTasks.complete(tasks, identity, done.getId(), DECLARE, "approver", DrGroups.APPROVERS, Map.of(
        "disasterDeclared", "true", "disasterReason", "telemetry drill", "decidedBy", "DR manager on duty"));
    DrillTasks.complete(tasks, identity, done.getId(), CONFIRM, "operator", DrGroups.OPERATORS, Map.of(
        "operationsRestored", true));
    await("run completed").atMost(Duration.ofSeconds(90)).until(() -> history
        .createHistoricProcessInstanceQuery().processInstanceId(done.getId()).completed().count() == 1);

    ProcessInstance cancelled = runtime.startProcessInstanceByKey(A1, TICKET_PREFIX + "CANCEL-" + System.nanoTime());
    awaitTask(cancelled, DECLARE);
    ResponseEntity<JsonNode> cancel = rest.withBasicAuth("operator", "operator").postForEntity(
        "/api/runs/" + cancelled.getId() + "/cancel", json("{\"reason\": \"telemetry drill stopped\"}"),
        JsonNode.class);
    assertThat(cancel.getStatusCode()).isEqualTo(HttpStatus.OK);

    runMetrics.refresh();
    PrometheusScrape after = scrape("admin");
    assertThat(delta(before, after, "dr_runs", "procedure", A1, "outcome", "completed")).isEqualTo(1);
    assertThat(delta(before, after, "dr_runs", "procedure", A1, "outcome", "cancelled")).isEqualTo(1);
    assertThat(delta(before, after, "dr_runs", "procedure", A1, "outcome", "active")).isZero();
    assertThat(delta(before, after, "dr_runs", "procedure", A1, "outcome", "incident")).isZero();
    assertThat(delta(before, after, "dr_manual_waiting", "procedure", A1, "task", DECLARE)).isZero();
    assertThat(after.find("dr_runs", "procedure", "dr-step-failure-decision")).isEmpty();
    assertThat(after.value("dr_incidents_open", "procedure", A1)).isZero();
    // two manual steps completed in the finished run; the cancelled run's task was never completed
    assertThat(delta(before, after, "dr_manual_wait_seconds_count", "procedure", A1, "task", DECLARE)).isEqualTo(1);
    assertThat(delta(before, after, "dr_manual_wait_seconds_count", "procedure", A1, "task", CONFIRM)).isEqualTo(1);
    assertThat(delta(before, after, "dr_manual_wait_seconds_sum", "procedure", A1, "task", CONFIRM)).isGreaterThan(0);
    // read again: each completed task is counted once
    runMetrics.refresh();
    assertThat(delta(before, scrape("admin"), "dr_manual_wait_seconds_count", "procedure", A1, "task", DECLARE))
        .isEqualTo(1);
    // every step the worker completed in both runs was one successful route call
    long completedSteps = List.of(done, cancelled).stream().mapToLong(run -> history
        .createHistoricExternalTaskLogQuery().successLog().processInstanceId(run.getId()).count()).sum();
    double successfulCalls = ROUTES.stream().mapToDouble(route ->
        delta(before, after, "dr_step_duration_seconds_count", "route", route, "outcome", "success")).sum();
    assertThat(completedSteps).isGreaterThanOrEqualTo(10);
    assertThat(successfulCalls).isEqualTo((double) completedSteps);
    assertThat(delta(before, after, "dr_step_duration_seconds_count", "route", "dns-switch-a-record", "outcome",
        "success")).isEqualTo(1);
  }

  @Test
  void shouldShowTheEngineJobExecutorAndStepBacklogToAnOperatorAndOnlyTheStatusToAnyoneElse() {
    JsonNode operator = health(rest.withBasicAuth("operator", "operator"));
    JsonNode components = operator.path("components");
    assertThat(components.path("engine").path("status").asText()).isEqualTo("UP");
    assertThat(components.path("engine").path("details").path("procedures").asLong()).isGreaterThanOrEqualTo(3);
    assertThat(components.path("jobExecutor").path("status").asText()).isEqualTo("UP");
    assertThat(components.path("jobExecutor").path("details").path("enabled").asBoolean()).isTrue();
    assertThat(components.path("jobExecutor").path("details").path("overdueJobs").asLong()).isZero();
    assertThat(components.path("externalTasks").path("status").asText()).isEqualTo("UP");
    assertThat(components.path("externalTasks").path("details").path("topic").asText()).isEqualTo("dr-step");
    assertThat(components.path("externalTasks").path("details").path("backlogLimit").asInt()).isEqualTo(100);
    assertThat(components.path("externalTasks").path("details").has("backlog")).isTrue();
    assertThat(components.path("externalTasks").path("details").has("locked")).isTrue();
    // which node this is and what it holds (several nodes share one engine database)
    JsonNode node = components.path("node").path("details");
    assertThat(node.path("name").asText()).isNotBlank();
    assertThat(node.path("workerId").asText()).startsWith(node.path("name").asText() + "-");
    assertThat(node.path("stepWorker").asText()).isIn("running", "off");
    assertThat(node.path("stepsHeld").isIntegralNumber()).isTrue();
    // Camunda's own indicators are replaced, not shown twice
    assertThat(components.has("processEngine")).isFalse();

    for (TestRestTemplate other : List.of(rest, rest.withBasicAuth("ticketing", "ticketing"))) {
      JsonNode statusOnly = health(other);
      assertThat(statusOnly.path("status").asText()).isEqualTo(operator.path("status").asText());
      assertThat(statusOnly.has("components")).isFalse();
      assertThat(statusOnly.has("details")).isFalse();
    }
  }

  @Test
  void shouldWantADrUserForPrometheusAndExposeNoOtherEndpointWhenAnyoneAsks() {
    ResponseEntity<String> anonymous = rest.exchange("/actuator/prometheus", HttpMethod.GET, textPlain(), String.class);
    assertThat(anonymous.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(anonymous.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Basic");
    assertThat(anonymous.getBody()).isNull();
    // an unknown user (a wrong password would hold the lab user back for Camunda's login delay)
    assertThat(rest.withBasicAuth("nobody", "nobody").exchange("/actuator/prometheus", HttpMethod.GET,
        textPlain(), String.class).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(rest.withBasicAuth("operator", "operator").exchange("/actuator/prometheus", HttpMethod.GET,
        textPlain(), String.class).getStatusCode()).isEqualTo(HttpStatus.OK);

    for (String path : List.of("/actuator/env", "/actuator/beans", "/actuator/metrics", "/actuator/loggers",
        "/actuator/heapdump", "/actuator/configprops")) {
      assertThat(rest.getForEntity(path, String.class).getStatusCode()).as(path).isEqualTo(HttpStatus.NOT_FOUND);
      assertThat(rest.withBasicAuth("admin", "admin").getForEntity(path, String.class).getStatusCode()).as(path)
          .isEqualTo(HttpStatus.NOT_FOUND);
    }
    assertThat(rest.getForEntity("/actuator/info", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
    for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
      ResponseEntity<JsonNode> answer = rest.getForEntity(probe, JsonNode.class);
      assertThat(answer.getStatusCode()).as(probe).isEqualTo(HttpStatus.OK);
      assertThat(answer.getBody().path("status").asText()).as(probe).isEqualTo("UP");
    }
  }

  // ------------------------------------------------------------------------------------ helpers

  private PrometheusScrape scrape(String user) {
    ResponseEntity<String> response = rest.withBasicAuth(user, user)
        .exchange("/actuator/prometheus", HttpMethod.GET, textPlain(), String.class);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getHeaders().getContentType().toString()).startsWith("text/plain");
    return PrometheusScrape.parse(response.getBody());
  }

  private static double delta(PrometheusScrape before, PrometheusScrape after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }

  private JsonNode health(TestRestTemplate client) {
    ResponseEntity<JsonNode> response = client.getForEntity("/actuator/health", JsonNode.class);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    return response.getBody();
  }

  private void awaitTask(ProcessInstance run, String taskKey) {
    await(taskKey).atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run.getId()).taskDefinitionKey(taskKey).count() == 1);
  }

  private static HttpEntity<Void> textPlain() {
    HttpHeaders headers = new HttpHeaders();
    headers.setAccept(List.of(MediaType.TEXT_PLAIN));
    return new HttpEntity<>(headers);
  }

  private static HttpEntity<String> json(String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return new HttpEntity<>(body, headers);
  }
}
