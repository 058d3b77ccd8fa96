package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.DrillTasks;
import io.drrunbook.common.DrGroups;
import io.drrunbook.core.RunVariables;
import io.drrunbook.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The run report of a completed A1 drill (run once for the class, against the lab, through the
 * product API with an RTO target), as JSON and as HTML, with its authorization; leaves a screenshot
 * of the page rendered in headless Chromium in {@code target/screenshots/run-report.png}.
 */
@DrillContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunReportTest {

  static final Path SCREENSHOT = Path.of("target", "screenshots", "run-report.png");
  private static final String PRIVATE = "report-test-private";
  private static final List<String> TOP_LEVEL = List.of("StartEvent_FailoverRequested",
      "Task_ResolveTopology", "UserTask_DeclareDisaster", "Task_StopReplication",
      "Task_EnableDatabaseAccess", "Task_StartMasterCsPair", "Task_SwitchDnsRecord",
      "UserTask_ConfirmOperationsRestored", "EndEvent_FailedOver");
  private static final List<String> PER_PROXY = List.of("StartEvent_ProxySwitchStarted",
      "Task_PushNameResolution", "Task_VerifyNameResolution", "Task_VerifyProxyNormalMode",
      "EndEvent_ProxySwitched");

  @Autowired TestRestTemplate http;
  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;
  @Autowired TaskService tasks;
  @Autowired IdentityService identity;
  @Autowired RepositoryService repository;
  @Autowired ObjectMapper json;
  @Autowired Lab lab;
  @LocalServerPort int port;

  private String drill;
  private String deploymentId;

  @BeforeAll
  void runTheDrill() throws Exception {
    lab.reset();
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    ResponseEntity<String> started = operator().postForEntity("/api/runs",
        new HttpEntity<>(ApiTestSupport.startBody("API-REPORT-1", "{\"rtoMinutes\": 60}"), headers), String.class);
    assertThat(started.getStatusCode()).as(started.getBody()).isEqualTo(HttpStatus.CREATED);
    drill = json.readTree(started.getBody()).get("id").asText();
    DrillTasks.complete(tasks, identity, drill, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS, Map.of(
        "disasterDeclared", true, "disasterReason", "Site 1 data center flooded (drill)",
        "decidedBy", "DR manager on duty"));
    DrillTasks.complete(tasks, identity, drill, "UserTask_ConfirmOperationsRestored", "operator", DrGroups.OPERATORS, Map.of(
        "operationsRestored", true, "restoreNotes", "agents logged in at Site 2"));
    await("drill completed").atMost(Duration.ofSeconds(90)).until(() -> history
        .createHistoricProcessInstanceQuery().processInstanceId(drill).completed().count() == 1);
    deploymentId = repository.createDeployment().name("report-test")
        .addModelInstance(PRIVATE + ".bpmn", Bpmn.createExecutableProcess(PRIVATE)
            .name("Report test: not for ticketing").camundaHistoryTimeToLive(1)
            .startEvent().userTask("UserTask_Wait").name("Wait").camundaCandidateGroups(DrGroups.OPERATORS)
            .endEvent().done())
        .deploy().getId();
  }

  @AfterAll
  void cleanUp() {
    ApiTestSupport.cancelTestRuns(runtime);
    repository.deleteDeployment(deploymentId, true, true);
    lab.reset();
  }

  @Test
  void shouldListEveryStepWithDurationsDecisionsRtoAndCriticalPathWhenTheA1DrillHasCompleted() throws Exception {
    ResponseEntity<String> response = operator().getForEntity("/api/runs/" + drill + "/report", String.class);

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
    JsonNode report = json.readTree(response.getBody());
    JsonNode header = report.get("header");
    assertThat(header.get("procedure").asText()).isEqualTo(ApiTestSupport.PROCEDURE);
    assertThat(header.get("procedureName").asText()).isEqualTo("Genesys Configuration Server failover to Site 2");
    assertThat(header.get("ticket").get("id").asText()).isEqualTo("API-REPORT-1");
    assertThat(header.get("mode").asText()).isEqualTo("drill");
    assertThat(header.get("state").asText()).isEqualTo("COMPLETED");
    assertThat(header.get("startedBy").asText()).isEqualTo("operator");
    assertThat(header.get("rtoMinutes").asInt()).isEqualTo(60);
    JsonNode elapsed = report.get("elapsed");
    long total = elapsed.get("elapsedMs").asLong();
    assertThat(total).isPositive().isLessThan(Duration.ofMinutes(60).toMillis());
    assertThat(elapsed.get("withinRto").asBoolean()).isTrue();
    assertThat(elapsed.get("marginMs").asLong()).isEqualTo(Duration.ofMinutes(60).toMillis() - total);

    // every step of the history, each ended with a duration and an actor where one acts
    List<HistoricActivityInstance> steps = history.createHistoricActivityInstanceQuery()
        .processInstanceId(drill).list().stream()
        .filter(a -> !a.getActivityType().endsWith("Gateway") && !a.getActivityType().equals("multiInstanceBody")
            && !a.getActivityType().equals("subProcess"))
        .toList();
    assertThat(report.get("steps")).hasSize(steps.size()).allSatisfy(step -> {
      assertThat(step.get("end").asText()).isNotBlank();
      assertThat(step.get("durationMs").asLong()).isNotNegative();
      if (step.get("type").asText().equals("serviceTask")) {
        assertThat(step.get("actor").asText()).isEqualTo("worker");
        assertThat(step.get("outcome").asText()).isEqualTo("done");
        assertThat(step.get("output").asText()).startsWith("done");
      }
    });
    assertThat(stepsOf(report, "Task_VerifyProxyNormalMode")).hasSize(4);
    assertThat(stepsOf(report, "UserTask_DeclareDisaster").get(0).get("actor").asText()).isEqualTo("approver");
    assertThat(stepsOf(report, "UserTask_ConfirmOperationsRestored").get(0).get("actor").asText()).isEqualTo("operator");

    JsonNode decisions = report.get("decisions");
    assertThat(decisions).hasSize(2);
    assertThat(decisions.get(0).get("taskKey").asText()).isEqualTo("UserTask_DeclareDisaster");
    assertThat(decisions.get(0).get("by").asText()).isEqualTo("approver");
    assertThat(decisions.get(0).get("approval").asBoolean()).isTrue();
    assertThat(decisions.get(0).get("evidence").get("disasterReason").asText())
        .isEqualTo("Site 1 data center flooded (drill)");
    assertThat(decisions.get(1).get("by").asText()).isEqualTo("operator");
    assertThat(decisions.get(1).get("evidence").get("restoreNotes").asText()).isEqualTo("agents logged in at Site 2");
    assertThat(report.get("incidents")).isEmpty();

    // the critical path: every top-level step in order, and the slowest proxy's steps once
    List<String> path = new ArrayList<>();
    report.get("criticalPath").forEach(c -> path.add(c.get("activityId").asText()));
    assertThat(path).startsWith("StartEvent_FailoverRequested").endsWith("EndEvent_FailedOver")
        .containsSubsequence(TOP_LEVEL).containsSubsequence(PER_PROXY).doesNotHaveDuplicates();
    String slowestProxyEnd = history.createHistoricActivityInstanceQuery().processInstanceId(drill)
        .activityId("EndEvent_ProxySwitched").list().stream()
        .max(Comparator.comparing(HistoricActivityInstance::getEndTime)).orElseThrow().getId();
    assertThat(report.get("criticalPath")).anySatisfy(c ->
        assertThat(c.get("activityInstanceId").asText()).isEqualTo(slowestProxyEnd));
    assertThat(stepsOf(report, "Task_ResolveTopology").get(0).get("critical").asBoolean()).isTrue();

    JsonNode run = json.readTree(operator().getForEntity("/api/runs/" + drill, String.class).getBody());
    assertThat(run.get("links").get("report").asText()).endsWith("/api/runs/" + drill + "/report");
  }

  @Test
  void shouldProjectTheFinishOfAnActiveRunFromTheEarlierDrillInStatusAndReport() throws Exception {
    String active = activeDrillAtItsApproval("API-REPORT-FORECAST", "{\"rtoMinutes\": 60}");

    JsonNode forecast = json.readTree(operator().getForEntity("/api/runs/" + active, String.class).getBody())
        .get("forecast");

    // the drill of @BeforeAll (and any other completed A1 drill) is what it learns from
    assertThat(forecast.get("basedOnDrills").asInt()).isPositive();
    assertThat(forecast.get("rtoMinutes").asInt()).isEqualTo(60);
    assertThat(forecast.get("anchorStep").asText()).isNotBlank();
    Instant start = history.createHistoricProcessInstanceQuery().processInstanceId(active).singleResult()
        .getStartTime().toInstant();
    Instant projected = Instant.parse(forecast.get("projectedEnd").asText());
    assertThat(forecast.get("projectedTotalMs").asLong()).isEqualTo(Duration.between(start, projected).toMillis())
        .isGreaterThanOrEqualTo(forecast.get("elapsedMs").asLong());
    assertThat(forecast.get("projectedWithinRto").asBoolean()).isTrue();
    // the report shows the same projection, as JSON and on its page
    JsonNode reported = json.readTree(operator().getForEntity("/api/runs/" + active + "/report", String.class)
        .getBody()).get("elapsed").get("forecast");
    assertThat(reported.get("basedOnDrills").asInt()).isEqualTo(forecast.get("basedOnDrills").asInt());
    assertThat(operator().getForEntity("/api/runs/" + active + "/report.html", String.class).getBody())
        .contains("<p id=\"forecast\"><strong>Projected finish");
    // an ended run has its real end, no projection
    assertThat(json.readTree(operator().getForEntity("/api/runs/" + drill, String.class).getBody())
        .has("forecast")).isFalse();
    runtime.deleteProcessInstance(active, "forecast test done");
  }

  @Test
  void shouldPrintWhatIsDoneWhatIsInHandAndWhatComesNextWhenARunIsInProgress() throws Exception {
    String active = activeDrillAtItsApproval("API-REPORT-CHECKLIST", "{}");

    ResponseEntity<String> page = operator().getForEntity("/api/runs/" + active + "/checklist.html", String.class);

    assertThat(page.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(page.getHeaders().getFirst("Content-Security-Policy")).isEqualTo(RunReportController.CSP);
    String html = page.getBody();
    String done = html.substring(html.indexOf("id=\"done\""), html.indexOf("id=\"now\""));
    String now = html.substring(html.indexOf("id=\"now\""), html.indexOf("id=\"next\""));
    String next = html.substring(html.indexOf("id=\"next\""));
    assertThat(done).contains("Resolve the hosts and names of the failover", "worker", "API-REPORT-CHECKLIST");
    assertThat(now).contains("Declare the disaster · API-REPORT-CHECKLIST", "waiting for a person", "dr-approvers")
        .doesNotContain("Resolve the hosts");
    assertThat(next).contains("Stop Configuration DB replication Site 1 to Site 2",
            "Push the name resolution change to the proxy</td><td>Switch each Configuration Server Proxy to Site 2")
        .doesNotContain("Resolve the hosts", "Declare the disaster");
    assertThat(next.indexOf("Stop Configuration DB replication")).as("in the procedure's order")
        .isLessThan(next.indexOf("Switch the cs-master DNS record")).isLessThan(next.indexOf("Confirm operations restored"));
    assertThat(html).contains("page-break-after:always").doesNotContain("<script");
    assertThat(operator().getForEntity("/api/runs/no-such-run/checklist.html", String.class).getStatusCode())
        .isEqualTo(HttpStatus.NOT_FOUND);
    runtime.deleteProcessInstance(active, "checklist test done");
  }

  @Test
  void shouldNameEachProxysStepsWithItsHostInTheReportTheCriticalPathAndTheStatus() throws Exception {
    JsonNode report = json.readTree(operator().getForEntity("/api/runs/" + drill + "/report", String.class).getBody());
    List<String> hosts = new ArrayList<>();
    history.createHistoricVariableInstanceQuery().processInstanceId(drill).variableName("host").list()
        .stream().filter(v -> String.valueOf(v.getValue()).contains("proxy"))
        .forEach(v -> { if (!hosts.contains(v.getValue().toString())) { hosts.add(v.getValue().toString()); } });
    assertThat(hosts).hasSize(4);

    for (String activityId : PER_PROXY) {
      List<String> names = stepsOf(report, activityId).stream().map(s -> s.get("name").asText()).toList();
      String base = history.createHistoricActivityInstanceQuery().processInstanceId(drill).activityId(activityId)
          .list().get(0).getActivityName();
      assertThat(names).as(activityId).containsExactlyInAnyOrderElementsOf(
          hosts.stream().map(host -> base + " · " + host).toList());
    }
    List<String> proxySteps = new ArrayList<>();
    report.get("criticalPath").forEach(c -> {
      if (PER_PROXY.contains(c.get("activityId").asText())) {
        proxySteps.add(c.get("name").asText());
      }
    });
    // the slowest proxy's steps, all named with the same host
    String slowest = proxySteps.get(0).substring(proxySteps.get(0).indexOf(" · "));
    assertThat(hosts).contains(slowest.substring(3));
    assertThat(proxySteps).hasSize(PER_PROXY.size()).allSatisfy(name -> assertThat(name).endsWith(slowest));
    assertThat(stepsOf(report, "Task_ResolveTopology").get(0).get("name").asText()).doesNotContain(" · ");

    JsonNode run = json.readTree(operator().getForEntity("/api/runs/" + drill, String.class).getBody());
    List<String> statusNames = new ArrayList<>();
    run.get("steps").forEach(s -> {
      if (s.get("activityId").asText().equals("Task_PushNameResolution")) {
        statusNames.add(s.get("name").asText());
      }
    });
    assertThat(statusNames).containsExactlyInAnyOrderElementsOf(hosts.stream()
        .map(host -> "Push the name resolution change to the proxy · " + host).toList());
    String page = operator().getForEntity("/api/runs/" + drill + "/report.html", String.class).getBody();
    hosts.forEach(host -> assertThat(page).contains("Push the name resolution change to the proxy · " + host));
  }

  @Test
  void shouldServeASelfContainedPrintablePageWhenHtmlIsAsked() {
    ResponseEntity<String> page = operator().getForEntity("/api/runs/" + drill + "/report.html", String.class);
    HttpHeaders accept = new HttpHeaders();
    accept.setAccept(List.of(MediaType.TEXT_HTML));
    ResponseEntity<String> negotiated = operator().exchange("/api/runs/" + drill + "/report",
        HttpMethod.GET, new HttpEntity<>(accept), String.class);

    assertThat(page.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(page.getHeaders().getContentType().isCompatibleWith(MediaType.TEXT_HTML)).isTrue();
    assertThat(page.getHeaders().getFirst("Content-Security-Policy")).startsWith("default-src 'none'");
    assertThat(page.getBody())
        .contains("<svg id=\"timeline\"", "@media print", "RTO target of 60 min", "within target",
            "Declare the disaster", "Site 1 data center flooded (drill)", "id=\"critical-path\"")
        .doesNotContain("<script", "<link", "src=", "url(");
    int stepCount = page.getBody().split("<tr").length;
    assertThat(page.getBody().split("<rect").length - 1).isGreaterThan(20).isLessThan(stepCount);
    assertThat(negotiated.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(negotiated.getBody()).startsWith("<!DOCTYPE html>");
  }

  @Test
  void shouldEscapeEveryValueWhenTheTicketIdAndEvidenceAreHostile() {
    String hostile = "<script>alert('x')</script>";
    identity.setAuthentication("operator", List.of(DrGroups.OPERATORS));
    String id;
    try {
      id = runtime.startProcessInstanceByKey(ApiTestSupport.PROCEDURE, "API-REPORT-HOSTILE",
          Map.of(RunVariables.TICKET_ID, hostile, RunVariables.TICKET_SYSTEM, "drill\"><img src=x onerror=alert(1)>"))
          .getId();
    } finally {
      identity.clearAuthentication();
    }

    String page = operator().getForEntity("/api/runs/" + id + "/report.html", String.class).getBody();

    assertThat(page).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
        .contains("drill&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
        .doesNotContain(hostile, "<img", "<script");
  }

  @Test
  void shouldAnswer404WhenTheRunIsUnknownOrTheCallerMayNotReadItsProcedure() throws Exception {
    String privateRun = runtime.startProcessInstanceByKey(PRIVATE, "API-REPORT-PRIVATE").getId();
    TestRestTemplate ticketing = http.withBasicAuth("ticketing", "ticketing");

    ResponseEntity<String> unknown = operator().getForEntity("/api/runs/no-such-run/report", String.class);
    ResponseEntity<String> hidden = ticketing.getForEntity("/api/runs/" + privateRun + "/report", String.class);
    ResponseEntity<String> hiddenHtml = ticketing.getForEntity("/api/runs/" + privateRun + "/report.html", String.class);
    ResponseEntity<String> readable = ticketing.getForEntity("/api/runs/" + drill + "/report", String.class);
    ResponseEntity<String> byOperator = operator().getForEntity("/api/runs/" + privateRun + "/report", String.class);
    ResponseEntity<String> anonymous = http.getForEntity("/api/runs/" + drill + "/report", String.class);

    assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(json.readTree(unknown.getBody()).get("errors").get(0).get("field").asText()).isEqualTo("id");
    assertThat(hidden.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(hiddenHtml.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(hiddenHtml.getBody()).doesNotContain("Wait");
    assertThat(readable.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(byOperator.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(anonymous.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    runtime.deleteProcessInstance(privateRun, "test clean-up");
  }

  @Test
  void shouldRenderTheReportInHeadlessChromiumWhenTheDrillHasCompleted() throws Exception {
    // the picture shows the top of the page: header, timeline, critical path, steps, decisions
    PageScreenshots.capture("http://localhost:" + port + "/api/runs/" + drill + "/report.html", "operator",
        SCREENSHOT, 1900, browser -> {
          assertThat(browser.findElement(By.tagName("h1")).getText())
              .isEqualTo("Run report: Genesys Configuration Server failover to Site 2");
          assertThat(browser.findElements(By.cssSelector("#timeline rect"))).hasSizeGreaterThan(20);
          assertThat(browser.findElement(By.id("timeline")).getSize().getWidth()).isGreaterThan(900);
        });
  }

  private static List<JsonNode> stepsOf(JsonNode report, String activityId) {
    List<JsonNode> found = new ArrayList<>();
    report.get("steps").forEach(s -> {
      if (s.get("activityId").asText().equals(activityId)) {
        found.add(s);
      }
    });
    return found;
  }

  private TestRestTemplate operator() {
    return http.withBasicAuth("operator", "operator");
  }


  /** A new A1 drill through the API, waiting for its declaration (other tests' runs cancelled first). */
  private String activeDrillAtItsApproval(String ticket, String parameters) throws Exception {
    ApiTestSupport.cancelTestRuns(runtime); // another test's run would hold the systems (409)
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    ResponseEntity<String> started = operator().postForEntity("/api/runs",
        new HttpEntity<>(ApiTestSupport.startBody(ticket, parameters), headers), String.class);
    assertThat(started.getStatusCode()).as(started.getBody()).isEqualTo(HttpStatus.CREATED);
    String active = json.readTree(started.getBody()).get("id").asText();
    await("waiting for the declaration").atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery()
        .processInstanceId(active).taskDefinitionKey("UserTask_DeclareDisaster").count() == 1);
    return active;
  }
}
