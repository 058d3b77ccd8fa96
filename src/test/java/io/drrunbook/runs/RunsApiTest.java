package io.drrunbook.runs;

import static io.drrunbook.runs.ApiTestSupport.PROCEDURE;
import static io.drrunbook.runs.ApiTestSupport.runsOf;
import static io.drrunbook.runs.ApiTestSupport.startBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** The product API over HTTP, as a ticketing system and an operator call it. */
@DrillContext
class RunsApiTest {

  @Autowired TestRestTemplate http;
  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;
  @Autowired TaskService tasks;
  @Autowired IdentityService identity;
  @Autowired ObjectMapper json;
  @Autowired StartRateLimiter rateLimiter;
  @LocalServerPort int port;

  @BeforeEach
  void users() {
    ApiTestSupport.user(identity, "api-outsider");
    ApiTestSupport.user(identity, "api-flood", DrGroups.OPERATORS);
    // every test class of the shared context starts runs as operator: each test here begins with
    // the full start allowance, as after a quiet minute (the flood test exhausts its own caller)
    rateLimiter.refill("operator");
  }

  @AfterEach
  void cancelRuns() {
    ApiTestSupport.cancelTestRuns(runtime);
  }

  // ------------------------------------------------------------------------------ procedures

  @Test
  void shouldListA1WithItsRunParameterWhenTheCatalogIsAsked() throws Exception {
    ResponseEntity<String> response = operator().getForEntity("/api/procedures", String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    JsonNode catalog = json.readTree(response.getBody());
    assertThat(catalog).extracting(p -> p.get("catalogId").asText()).contains("A1", "A2");
    JsonNode a1 = null;
    for (JsonNode procedure : catalog) {
      if (procedure.get("id").asText().equals(PROCEDURE)) {
        a1 = procedure;
      }
    }
    assertThat(a1).as(PROCEDURE + " listed").isNotNull();
    assertThat(a1.get("seed").asText()).isEqualTo("000_5d89d22acc815781.txt");
    assertThat(a1.get("catalogId").asText()).isEqualTo("A1");
    assertThat(a1.get("parameters")).hasSize(2);
    JsonNode rto = a1.get("parameters").get(0);
    assertThat(rto.get("name").asText()).isEqualTo("rtoMinutes");
    assertThat(rto.get("type").asText()).isEqualTo("integer");
    assertThat(rto.get("required").asBoolean()).isFalse();
    assertThat(rto.get("minimum").asInt()).isEqualTo(1);
    assertThat(rto.get("maximum").asInt()).isEqualTo(1440);
    assertThat(rto.get("description").asText()).isEqualTo("RTO target for the run report");
    JsonNode site1Lost = a1.get("parameters").get(1);
    assertThat(site1Lost.get("name").asText()).isEqualTo("site1Lost");
    assertThat(site1Lost.get("type").asText()).isEqualTo("boolean");
    assertThat(site1Lost.get("required").asBoolean()).isFalse();
  }

  @Test
  void shouldShowThePatternOfAStringParameterWhenTheCatalogOfD5IsAsked() throws Exception {
    ResponseEntity<String> response = operator().getForEntity("/api/procedures/dr-ocms-rolling-upgrade", String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    JsonNode version = json.readTree(response.getBody()).get("parameters").get(0);
    assertThat(version.get("name").asText()).isEqualTo("targetVersion");
    assertThat(version.get("required").asBoolean()).isTrue();
    assertThat(version.get("pattern").asText()).isEqualTo("[0-9A-Za-z][0-9A-Za-z._-]{0,39}");
    assertThat(version.get("maxLength").asInt()).isEqualTo(40);
  }

  @Test
  void shouldRefuseWith401WhenNoCredentialsAreSent() {
    ResponseEntity<String> response = http.getForEntity("/api/procedures", String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
  }

  // ------------------------------------------------------------------------------ start

  @Test
  void shouldStartARunForTheTicketAsTheCallerWhenTheRequestIsValid() throws Exception {
    ResponseEntity<String> response = start(operator(), startBody("API-START-1", "{\"rtoMinutes\": 60}"));

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CREATED);
    JsonNode run = json.readTree(response.getBody());
    String id = run.get("id").asText();
    assertThat(response.getHeaders().getLocation()).hasToString(http.getRootUri() + "/api/runs/" + id);
    assertThat(run.get("procedure").asText()).isEqualTo(PROCEDURE);
    assertThat(run.get("ticket").get("system").asText()).isEqualTo("servicenow");
    assertThat(run.get("ticket").get("id").asText()).isEqualTo("API-START-1");
    assertThat(run.get("mode").asText()).isEqualTo("drill");
    assertThat(run.get("state").asText()).isEqualTo("ACTIVE");
    assertThat(run.get("startedBy").asText()).isEqualTo("operator");
    assertThat(run.get("links").get("self").asText()).endsWith("/api/runs/" + id);
    assertThat(run.get("links").get("cockpit").asText())
        .endsWith("/camunda/app/cockpit/default/#/process-instance/" + id + "/runtime");
    assertThat(run.get("links").get("tasklist").asText()).contains("/camunda/app/tasklist/default/#/");

    ProcessInstance instance = runtime.createProcessInstanceQuery().processInstanceId(id).singleResult();
    assertThat(instance.getBusinessKey()).isEqualTo("API-START-1");
    assertThat(runtime.getVariables(id))
        .containsEntry("ticketSystem", "servicenow")
        .containsEntry("ticketId", "API-START-1")
        .containsEntry("ticketUrl", "https://example.service-now.com/change_request.do?number=API-START-1")
        .containsEntry("runMode", "drill")
        .containsEntry("rtoMinutes", 60)
        .containsEntry("runStartedBy", "operator");
  }

  @Test
  void shouldAnswer200WithTheActiveRunAndStartNothingWhenTheSameTicketStartsAgain() throws Exception {
    ResponseEntity<String> first = start(operator(), startBody("API-DUP-1", "{}"));
    ResponseEntity<String> second = start(operator(), startBody("API-DUP-1", "{}"));

    assertThat(first.getStatusCode()).isEqualTo(HttpStatus.CREATED);
    assertThat(second.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(json.readTree(second.getBody()).get("id").asText())
        .isEqualTo(json.readTree(first.getBody()).get("id").asText());
    assertThat(runsOf(history, "API-DUP-1")).isEqualTo(1);
  }

  @Test
  void shouldStartOneRunWhenTwoIdenticalRequestsArriveAtTheSameInstant() throws Exception {
    for (int round = 1; round <= 3; round++) {
      String ticket = "API-RACE-" + round;
      CyclicBarrier together = new CyclicBarrier(2);
      ExecutorService threads = Executors.newFixedThreadPool(2);
      try {
        List<Future<ResponseEntity<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          answers.add(threads.submit(() -> {
            together.await();
            return start(operator(), startBody(ticket, "{}"));
          }));
        }
        List<HttpStatus> statuses = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (Future<ResponseEntity<String>> answer : answers) {
          ResponseEntity<String> response = answer.get();
          statuses.add(HttpStatus.valueOf(response.getStatusCode().value()));
          assertThat(json.readTree(response.getBody()).has("id")).as(ticket + ": " + response.getBody()).isTrue();
          ids.add(json.readTree(response.getBody()).get("id").asText());
        }

        assertThat(statuses).as(ticket).containsExactlyInAnyOrder(HttpStatus.CREATED, HttpStatus.OK);
        assertThat(ids.get(0)).as(ticket).isEqualTo(ids.get(1));
        assertThat(runsOf(history, ticket)).as(ticket).isEqualTo(1);
        // ended, so that the next round's run does not conflict with it (same systems)
        ApiTestSupport.delete(runtime, ids.get(0), "next round");
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void shouldStartANewRunWhenThePreviousRunOfTheTicketWasCancelled() throws Exception {
    String first = id(start(operator(), startBody("API-AGAIN-1", "{}")));
    cancel(operator(), first, "{\"reason\": \"wrong ticket\"}");

    ResponseEntity<String> again = start(operator(), startBody("API-AGAIN-1", "{}"));

    assertThat(again.getStatusCode()).isEqualTo(HttpStatus.CREATED);
    assertThat(id(again)).isNotEqualTo(first);
    assertThat(runsOf(history, "API-AGAIN-1")).isEqualTo(2);
  }

  @Test
  void shouldStartANewRunWhenThePreviousRunEndedOutsideTheApi() throws Exception {
    String first = id(start(operator(), startBody("API-AGAIN-2", "{}")));
    ApiTestSupport.delete(runtime, first, "cancelled in Cockpit");

    ResponseEntity<String> again = start(operator(), startBody("API-AGAIN-2", "{}"));

    assertThat(again.getStatusCode()).isEqualTo(HttpStatus.CREATED);
    assertThat(runsOf(history, "API-AGAIN-2")).isEqualTo(2);
  }

  // ------------------------------------------------------------------------------ status

  @Test
  void shouldShowStepsDoneAndTheDeclarationWaitingForApproversWhenTheRunWaits() throws Exception {
    String id = id(start(operator(), startBody("API-STATUS-1", "{}")));

    JsonNode run = await("declaration waiting").atMost(Duration.ofSeconds(60))
        .until(() -> json.readTree(operator().getForEntity("/api/runs/" + id, String.class).getBody()),
            r -> r.get("waiting") != null && r.get("waiting").size() == 1);

    assertThat(run.get("state").asText()).isEqualTo("ACTIVE");
    assertThat(run.get("startedBy").asText()).isEqualTo("operator");
    JsonNode waiting = run.get("waiting").get(0);
    assertThat(waiting.get("taskKey").asText()).isEqualTo("UserTask_DeclareDisaster");
    assertThat(waiting.get("name").asText()).as("the name ends with the ticket, as Tasklist lists it")
        .isEqualTo("Declare the disaster · API-STATUS-1");
    assertThat(waiting.get("candidateGroups")).extracting(JsonNode::asText).containsExactly("dr-approvers");
    assertThat(waiting.get("created").asText()).isNotBlank();
    JsonNode topology = stepOf(run.get("steps"), "Task_ResolveTopology");
    assertThat(topology.get("type").asText()).isEqualTo("serviceTask");
    assertThat(topology.get("outcome").asText()).isEqualTo("done");
    assertThat(topology.get("durationMs").asLong()).isNotNegative();
    assertThat(topology.get("start").asText()).isNotBlank();
    assertThat(topology.get("end").asText()).isNotBlank();
    assertThat(stepOf(run.get("running"), "UserTask_DeclareDisaster")).isNotNull();
    assertThat(run.get("incidents")).isEmpty();
  }

  @Test
  void shouldAnswer404WhenTheRunDoesNotExist() throws Exception {
    ResponseEntity<String> response = operator().getForEntity("/api/runs/no-such-run", String.class);

    assertProblem(response, HttpStatus.NOT_FOUND, "id");
  }

  @Test
  void shouldListRunsByTicketStateAndProcedure() throws Exception {
    // cancelled first: while active it holds the systems the other run acts on
    String cancelled = id(start(operator(), startBody("API-LIST-2", "{}")));
    cancel(operator(), cancelled, "{\"reason\": \"duplicate ticket\"}");
    String active = id(start(operator(), startBody("API-LIST-1", "{}")));

    JsonNode byTicket = json.readTree(operator()
        .getForEntity("/api/runs?ticket=API-LIST-1&procedure=" + PROCEDURE, String.class).getBody());
    JsonNode cancelledRuns = json.readTree(operator()
        .getForEntity("/api/runs?ticket=API-LIST-2&state=CANCELLED", String.class).getBody());
    JsonNode noneActive = json.readTree(operator()
        .getForEntity("/api/runs?ticket=API-LIST-2&state=ACTIVE", String.class).getBody());
    ResponseEntity<String> tooBig = operator().getForEntity("/api/runs?size=101", String.class);

    assertThat(byTicket.get("total").asLong()).isEqualTo(1);
    assertThat(byTicket.get("items").get(0).get("id").asText()).isEqualTo(active);
    assertThat(byTicket.get("items").get(0).get("state").asText()).isEqualTo("ACTIVE");
    assertThat(cancelledRuns.get("items")).hasSize(1);
    assertThat(cancelledRuns.get("items").get(0).get("id").asText()).isEqualTo(cancelled);
    assertThat(noneActive.get("total").asLong()).isZero();
    assertProblem(tooBig, HttpStatus.BAD_REQUEST, "size");
  }

  // ------------------------------------------------------------------------------ cancel

  @Test
  void shouldCancelAndRecordWhoWhenAndWhyWhenAnOperatorCancels() throws Exception {
    String id = id(start(operator(), startBody("API-CANCEL-1", "{}")));

    ResponseEntity<String> response = cancel(operator(), id,
        "{\"reason\": \"Site 1 is back, failover not needed (CAB)\"}");

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(id).count()).isZero();
    JsonNode run = json.readTree(operator().getForEntity("/api/runs/" + id, String.class).getBody());
    assertThat(run.get("state").asText()).isEqualTo("CANCELLED");
    assertThat(run.get("endTime").asText()).isNotBlank();
    assertThat(run.get("cancellation").get("by").asText()).isEqualTo("operator");
    assertThat(run.get("cancellation").get("at").asText()).isNotBlank();
    assertThat(run.get("cancellation").get("reason").asText())
        .isEqualTo("Site 1 is back, failover not needed (CAB)");
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult()
        .getDeleteReason()).contains("operator").contains("Site 1 is back");
  }

  @Test
  void shouldRefuseWith400AndKeepTheRunWhenTheCancelReasonIsMissing() throws Exception {
    String id = id(start(operator(), startBody("API-CANCEL-2", "{}")));

    assertProblem(cancel(operator(), id, "{}"), HttpStatus.BAD_REQUEST, "reason");
    assertProblem(cancel(operator(), id, "{\"reason\": \"  \"}"), HttpStatus.BAD_REQUEST, "reason");
    assertProblem(cancel(operator(), id, "{\"reason\": \"" + "x".repeat(2001) + "\"}"),
        HttpStatus.BAD_REQUEST, "reason");
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(id).count()).isEqualTo(1);
  }

  @Test
  void shouldRefuseWith403AndKeepTheRunWhenTheCallerIsInNoDrGroup() throws Exception {
    String id = id(start(operator(), startBody("API-CANCEL-3", "{}")));

    ResponseEntity<String> response = cancel(http.withBasicAuth("api-outsider", "api-outsider"), id,
        "{\"reason\": \"I do not like it\"}");

    assertProblem(response, HttpStatus.FORBIDDEN, "caller");
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(id).count()).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------ errors

  @Test
  void shouldRefuseWith400NamingTheFieldWhenAParameterIsOutOfRange() throws Exception {
    assertProblem(start(operator(), startBody("API-BAD-1", "{\"rtoMinutes\": 0}")),
        HttpStatus.BAD_REQUEST, "parameters.rtoMinutes");
    assertProblem(start(operator(), startBody("API-BAD-1", "{\"rtoMinutes\": \"60\"}")),
        HttpStatus.BAD_REQUEST, "parameters.rtoMinutes");
    assertProblem(start(operator(), startBody("API-BAD-1", "{\"rtoMinute\": 60}")),
        HttpStatus.BAD_REQUEST, "parameters.rtoMinute");
    assertProblem(start(operator(), startBody("API-BAD/1", "{}")), HttpStatus.BAD_REQUEST, "ticket.id");
    assertProblem(start(operator(), startBody("API-BAD-1", "{}").replace("\"drill\"", "\"rehearsal\"")),
        HttpStatus.BAD_REQUEST, "mode");
    assertThat(runsOf(history, "API-BAD-1")).isZero();
  }

  @Test
  void shouldRefuseWith400NamingTheFieldWhenTheDataGuardTransitionOrLagPollIntervalIsWrong() throws Exception {
    String body = startBody("API-BAD-C5", "{\"mode\": \"takeover\"}")
        .replace(PROCEDURE, "dr-oracle-dataguard-role-transition");

    JsonNode problem = assertProblem(start(operator(), body), HttpStatus.BAD_REQUEST, "parameters.mode");
    assertThat(problem.get("errors").get(0).get("message").asText())
        .contains("switchover").contains("switchback").contains("failover").contains("reinstate");
    assertProblem(start(operator(), startBody("API-BAD-C5", "{}")
        .replace(PROCEDURE, "dr-oracle-dataguard-role-transition")), HttpStatus.BAD_REQUEST, "parameters.mode");
    for (String interval : List.of("\"30s\"", "\"PT-5S\"", "\"PT0S\"")) {
      assertProblem(start(operator(), startBody("API-BAD-C5", "{\"mode\": \"switchover\", \"lagPollInterval\": "
          + interval + "}").replace(PROCEDURE, "dr-oracle-dataguard-role-transition")),
          HttpStatus.BAD_REQUEST, "parameters.lagPollInterval");
    }
    assertThat(runsOf(history, "API-BAD-C5")).isZero();
  }

  @Test
  void shouldRefuseWith400NamingTheFieldWhenTheOmnichannelTopologyOrSituationIsUnknown() throws Exception {
    String procedure = "dr-oceana-ocp-db-switchover";
    JsonNode topology = assertProblem(start(operator(), startBody("API-BAD-C4",
        "{\"ocdbTopology\": \"triple\", \"situation\": \"both-up\"}").replace(PROCEDURE, procedure)),
        HttpStatus.BAD_REQUEST, "parameters.ocdbTopology");
    assertThat(topology.get("errors").get(0).get("message").asText()).contains("single").contains("ha");
    JsonNode situation = assertProblem(start(operator(), startBody("API-BAD-C4",
        "{\"ocdbTopology\": \"ha\", \"situation\": \"dc2-offline\"}").replace(PROCEDURE, procedure)),
        HttpStatus.BAD_REQUEST, "parameters.situation");
    assertThat(situation.get("errors").get(0).get("message").asText())
        .contains("both-up").contains("dc1-offline").contains("active-failed");
    assertProblem(start(operator(), startBody("API-BAD-C4", "{\"situation\": \"both-up\"}")
        .replace(PROCEDURE, procedure)), HttpStatus.BAD_REQUEST, "parameters.ocdbTopology");
    assertThat(runsOf(history, "API-BAD-C4")).isZero();
  }

  @Test
  void shouldRefuseWith400NamingTheFieldWhenAPlannedOceanaSwitchoverGetsAnUnknownValue() throws Exception {
    String procedure = "dr-oceana-planned-switchover";
    JsonNode topology = assertProblem(start(operator(), startBody("API-BAD-C1", "{\"ocdbTopology\": \"triple\"}")
        .replace(PROCEDURE, procedure)), HttpStatus.BAD_REQUEST, "parameters.ocdbTopology");
    assertThat(topology.get("errors").get(0).get("message").asText()).contains("single").contains("ha");
    assertProblem(start(operator(), startBody("API-BAD-C1", "{}").replace(PROCEDURE, procedure)),
        HttpStatus.BAD_REQUEST, "parameters.ocdbTopology");
    assertProblem(start(operator(), startBody("API-BAD-C1", "{\"ocdbTopology\": \"ha\", \"situation\": \"both-up\"}")
        .replace(PROCEDURE, procedure)), HttpStatus.BAD_REQUEST, "parameters.situation");
    assertProblem(start(operator(), startBody("API-BAD-C1", "{\"ocdbTopology\": \"ha\", \"lagPollInterval\": 5}")
        .replace(PROCEDURE, procedure)), HttpStatus.BAD_REQUEST, "parameters.lagPollInterval");
    JsonNode interval = assertProblem(start(operator(), startBody("API-BAD-C1",
        "{\"ocdbTopology\": \"ha\", \"lagPollInterval\": \"30 seconds\"}").replace(PROCEDURE, procedure)),
        HttpStatus.BAD_REQUEST, "parameters.lagPollInterval");
    assertThat(interval.get("errors").get(0).get("message").asText()).contains("ISO-8601 duration", "PT30S");
    assertThat(runsOf(history, "API-BAD-C1")).isZero();
  }

  @Test
  void shouldNameTheAllowedModesWhenTheModeIsUnknown() throws Exception {
    ResponseEntity<String> response =
        start(operator(), startBody("API-BAD-2", "{}").replace("\"drill\"", "\"DRY-RUN\""));

    JsonNode problem = assertProblem(response, HttpStatus.BAD_REQUEST, "mode");
    assertThat(problem.get("errors").get(0).get("message").asText())
        .contains("execute").contains("drill").contains("dry-run").contains("precheck");
  }

  @Test
  void shouldRefuseWith404WhenTheProcedureIsUnknown() throws Exception {
    ResponseEntity<String> response = start(operator(),
        startBody("API-BAD-3", "{}").replace(PROCEDURE, "dr-no-such-procedure"));

    assertProblem(response, HttpStatus.NOT_FOUND, "procedure");
  }

  @Test
  void shouldRefuseWith405WhenTheMethodIsWrong() throws Exception {
    ResponseEntity<String> response =
        operator().exchange("/api/runs", HttpMethod.DELETE, null, String.class);

    assertProblem(response, HttpStatus.METHOD_NOT_ALLOWED, "method");
  }

  @Test
  void shouldRefuseWith415WhenTheBodyIsNotJson() throws Exception {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.TEXT_PLAIN);
    ResponseEntity<String> response = operator().postForEntity("/api/runs",
        new HttpEntity<>(startBody("API-BAD-4", "{}"), headers), String.class);

    assertProblem(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type");
    assertThat(runsOf(history, "API-BAD-4")).isZero();
  }

  @Test
  void shouldRefuseWith413WhenTheBodyIsOver64KiB() throws Exception {
    String huge = startBody("API-BAD-5", "{\"rtoMinutes\": 60, \"notes\": \"" + "x".repeat(70_000) + "\"}");

    assertProblem(start(operator(), huge), HttpStatus.PAYLOAD_TOO_LARGE, "body");
    assertThat(runsOf(history, "API-BAD-5")).isZero();
  }

  @Test
  void shouldRefuseWith429AndRetryAfterWhenACallerFloodsTheStartEndpoint() throws Exception {
    RawHttp raw = new RawHttp(port);
    var flooded = raw.send("POST", "/api/runs", "api-flood", "application/json",
        startBody("API-FLOOD-1", "{}"));
    assertThat(flooded.statusCode()).isEqualTo(201);
    // as after a flood: the caller's bucket is empty and the next token comes in 2 s (30 a minute)
    rateLimiter.exhaust("api-flood");

    var refused = raw.send("POST", "/api/runs", "api-flood", "application/json",
        startBody("API-FLOOD-2", "{}"));

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = json.readTree(refused.body());
    assertThat(problem.get("status").asInt()).isEqualTo(429);
    assertThat(problem.get("errors").get(0).get("field").asText()).isEqualTo("caller");
    assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 2L);
    assertThat(runsOf(history, "API-FLOOD-2")).isZero();
    // another caller is not affected (once the first run has ended: it holds the same systems)
    ApiTestSupport.delete(runtime, json.readTree(flooded.body()).get("id").asText(), "flood test");
    assertThat(start(operator(), startBody("API-FLOOD-2", "{}")).getStatusCode()).isEqualTo(HttpStatus.CREATED);
  }

  @Test
  void shouldRefuseWith413WhenAChunkedBodyGoesOver64KiB() throws Exception {
    byte[] huge = startBody("API-BAD-6", "{\"rtoMinutes\": 60, \"notes\": \"" + "x".repeat(70_000) + "\"}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    var response = new RawHttp(port).sendChunked("POST", "/api/runs", "operator", "application/json", huge);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(json.readTree(response.body()).get("errors").get(0).get("field").asText()).isEqualTo("body");
    assertThat(runsOf(history, "API-BAD-6")).isZero();
  }

  // ------------------------------------------------------------------------------ OpenAPI

  @Test
  void shouldServeTheOpenApiDocumentOfTheApiOnly() throws Exception {
    ResponseEntity<String> response = http.getForEntity("/v3/api-docs", String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    JsonNode paths = json.readTree(response.getBody()).get("paths");
    assertThat(paths.has("/api/runs")).isTrue();
    assertThat(paths.has("/api/runs/{id}")).isTrue();
    assertThat(paths.has("/api/runs/{id}/cancel")).isTrue();
    assertThat(paths.has("/api/procedures")).isTrue();
    paths.fieldNames().forEachRemaining(path -> assertThat(path).startsWith("/api/"));
    assertThat(paths.get("/api/runs").get("post").get("responses").has("413")).isTrue();
    ResponseEntity<String> ui = http.getForEntity("/api/docs", String.class);
    assertThat(ui.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(ui.getBody()).containsIgnoringCase("swagger");
  }

  // ------------------------------------------------------------------------------ runs not started here

  @Test
  void shouldAnswerEveryReadWithoutA5xxWhenARunHasNoBusinessKeyOrEditedVariables() throws Exception {
    // as Tasklist's "Start process" without a ticket, and a run whose variables were then edited
    // through Cockpit or the engine REST API: wrong types, a mode the product does not know
    String keyless = runtime.startProcessInstanceByKey(PROCEDURE, Map.of("runMode", "drill")).getId();
    try {
      // both active at once on the same systems: the second one started over the first by an approver
      identity.setAuthentication("approver", List.of(DrGroups.APPROVERS));
      String edited;
      try {
        edited = runtime.startProcessInstanceByKey(PROCEDURE, "API-EDITED-1", Map.of("runMode", "drill",
            "overlapReason", "two runs of one procedure for this test")).getId();
      } finally {
        identity.clearAuthentication();
      }
      runtime.setVariables(edited, Map.of(
          "ticketSystem", 42, "ticketId", List.of("x"), "runMode", "nonsense", "rtoMinutes", "soon"));
      for (String path : List.of("/api/runs", "/api/runs?state=ACTIVE", "/api/runs?procedure=" + PROCEDURE)) {
        ResponseEntity<String> list = operator().getForEntity(path, String.class);
        assertThat(list.getStatusCode()).as(path + ": " + list.getBody()).isEqualTo(HttpStatus.OK);
        assertThat(json.readTree(list.getBody()).get("items"))
            .extracting(r -> r.get("id").asText()).as(path).contains(keyless, edited);
      }
      for (String id : List.of(keyless, edited)) {
        for (String path : List.of("/api/runs/" + id, "/api/runs/" + id + "/report",
            "/api/runs/" + id + "/report.html")) {
          ResponseEntity<String> read = operator().getForEntity(path, String.class);
          assertThat(read.getStatusCode()).as(path + ": " + read.getBody()).isEqualTo(HttpStatus.OK);
        }
        // a drill has no plan (only dry-run and precheck walks and execute runs do): a 404 problem
        assertProblem(operator().getForEntity("/api/runs/" + id + "/plan", String.class),
            HttpStatus.NOT_FOUND, "id");
      }
      JsonNode keylessRun = json.readTree(operator().getForEntity("/api/runs/" + keyless, String.class).getBody());
      assertThat(keylessRun.get("state").asText()).isEqualTo("ACTIVE");
      assertThat(keylessRun.get("ticket").has("id")).as("no ticket id: " + keylessRun).isFalse();
      JsonNode editedRun = json.readTree(operator().getForEntity("/api/runs/" + edited, String.class).getBody());
      assertThat(editedRun.get("ticket").get("system").asText()).isEqualTo("42");
      // an object variable is shown in its serialized form (JSON), never deserialized
      assertThat(editedRun.get("ticket").get("id").asText()).isEqualTo("[\"x\"]");
      JsonNode report = json.readTree(
          operator().getForEntity("/api/runs/" + edited + "/report", String.class).getBody());
      assertThat(report.get("header").has("rtoMinutes")).as("no RTO: " + report.get("header")).isFalse();
      assertThat(editedRun.get("mode").asText()).as("the mode recorded at the start").isEqualTo("drill");
    } finally {
      ApiTestSupport.delete(runtime, keyless, "test run without a ticket");
    }
  }

  // ------------------------------------------------------------------------------ helpers

  private TestRestTemplate operator() {
    return http.withBasicAuth("operator", "operator");
  }

  private static ResponseEntity<String> start(TestRestTemplate client, String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return client.postForEntity("/api/runs", new HttpEntity<>(body, headers), String.class);
  }

  private static ResponseEntity<String> cancel(TestRestTemplate client, String id, String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return client.postForEntity("/api/runs/" + id + "/cancel", new HttpEntity<>(body, headers), String.class);
  }

  private String id(ResponseEntity<String> response) throws Exception {
    assertThat(response.getStatusCode().is2xxSuccessful()).as(response.getBody()).isTrue();
    return json.readTree(response.getBody()).get("id").asText();
  }

  private JsonNode assertProblem(ResponseEntity<String> response, HttpStatus status, String field)
      throws Exception {
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
    assertThat(response.getHeaders().getContentType())
        .isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    JsonNode problem = json.readTree(response.getBody());
    assertThat(problem.get("status").asInt()).isEqualTo(status.value());
    assertThat(problem.get("errors")).extracting(e -> e.get("field").asText()).contains(field);
    return problem;
  }

  private static JsonNode stepOf(JsonNode steps, String activityId) {
    for (JsonNode step : steps) {
      if (activityId.equals(step.get("activityId").asText())) {
        return step;
      }
    }
    throw new AssertionError("no step " + activityId + " in " + steps);
  }
}
