package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.TestRuns;
import io.drrunbook.security.WebAppSession;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * A run started from its Tasklist start form, through Tasklist's own API (the calls the web app
 * makes): the form asks for the ticket and the mode, the ticket becomes the business key, and the run
 * is one like a run of {@code POST /api/runs}; bad values are refused with their reason, starting
 * nothing. Every task of the run carries its context (procedure, ticket, links).
 */
@DrillContext
class TasklistStartFormTest {

  private static final String TASKLIST_API = "/camunda/api/engine/engine/default";
  private static final String PREFIX = "TL-START-";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PROCEDURES = List.of("dr-genesys-cs-failover", "dr-genesys-cs-failback",
      "dr-gim-site-failover", "dr-gim-return-to-normal", "dr-oceana-ocp-db-switchover",
      "dr-oceana-planned-switchover", "dr-brm-activate-standby-dm", "dr-brm-ha-check", "dr-ocms-sip-app-ha",
      "dr-ocms-rolling-upgrade");

  @Autowired TestRestTemplate http;
  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;

  @AfterEach
  void cleanUp() {
    TestRuns.deleteAll(runtime, PREFIX);
  }

  @Test
  void shouldAskForTheTicketAndTheModeWhenTheStartFormOfEachProcedureIsShown() throws Exception {
    HttpHeaders operator = WebAppSession.tasklist(http, "operator");
    for (String procedure : PROCEDURES) {
      ResponseEntity<String> form = http.exchange(TASKLIST_API + "/process-definition/key/" + procedure
          + "/deployed-start-form", org.springframework.http.HttpMethod.GET, new HttpEntity<>(operator), String.class);
      assertThat(form.getStatusCode()).as(procedure + ": " + form.getBody()).isEqualTo(HttpStatus.OK);
      JsonNode components = JSON.readTree(form.getBody()).path("components");
      assertThat(components.findValuesAsText("key")).as(procedure)
          .contains("ticketSystem", "ticketId", "ticketUrl", "runMode");
      for (JsonNode component : components) {
        if (List.of("ticketSystem", "ticketId", "runMode").contains(component.path("key").asText())) {
          assertThat(component.path("validate").path("required").asBoolean())
              .as(procedure + " requires " + component.path("key").asText()).isTrue();
        }
      }
    }
  }

  @Test
  void shouldSetTheBusinessKeyFromTheTicketAndShowItOnTheTaskWhenStartedFromTheForm() throws Exception {
    HttpHeaders operator = WebAppSession.tasklist(http, "operator");

    String runId = startFromForm(operator, "servicenow", PREFIX + "1");

    ProcessInstance run = runtime.createProcessInstanceQuery().processInstanceId(runId).singleResult();
    assertThat(run.getBusinessKey()).isEqualTo(PREFIX + "1");
    assertThat(runtime.getVariables(runId)).containsEntry("ticketSystem", "servicenow")
        .containsEntry("ticketId", PREFIX + "1").containsEntry("runMode", "drill")
        .containsEntry("runStartedBy", "operator").doesNotContainKey("ticketUrl");
    // the product API reads it as one of its own runs
    JsonNode listed = JSON.readTree(http.withBasicAuth("operator", "operator")
        .getForEntity("/api/runs?ticket=" + PREFIX + "1", String.class).getBody()).path("items");
    assertThat(listed).singleElement().satisfies(item -> {
      assertThat(item.path("id").asText()).isEqualTo(runId);
      assertThat(item.path("ticket").path("system").asText()).isEqualTo("servicenow");
      assertThat(item.path("mode").asText()).isEqualTo("drill");
    });

    // the same ticket again while that run is active: refused, naming the run
    ResponseEntity<String> again = submitStartForm(operator, "servicenow", PREFIX + "1", "drill");
    assertRefused(again, "Run of dr-genesys-cs-failover not started: ticket servicenow " + PREFIX
        + "1 already has an active run (" + runId + ")");
    // the form's start holds the ticket's slot as POST /api/runs does: the API answers that run
    ResponseEntity<String> fromApi = http.withBasicAuth("operator", "operator").postForEntity("/api/runs",
        new HttpEntity<>(ApiTestSupport.startBody(PREFIX + "1", "{}"), json()), String.class);
    assertThat(fromApi.getStatusCode()).as(fromApi.getBody()).isEqualTo(HttpStatus.OK);
    assertThat(JSON.readTree(fromApi.getBody()).path("id").asText()).isEqualTo(runId);
    assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(PREFIX + "1").count()).isOne();
  }

  @Test
  void shouldGiveEveryTaskItsProcedureTicketAndRunLinksWhenARunWaitsForAPerson() throws Exception {
    HttpHeaders operator = WebAppSession.tasklist(http, "operator");
    String runId = startFromForm(operator, "jira", PREFIX + "2");

    Task declare = await("declaration waiting").atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery()
        .processInstanceId(runId).taskDefinitionKey("UserTask_DeclareDisaster").singleResult(), t -> t != null);

    assertThat(declare.getName()).isEqualTo("Declare the disaster · " + PREFIX + "2");
    assertThat(declare.getDescription()).contains("Procedure: A1 Genesys Configuration Server failover to Site 2",
        "Ticket: jira " + PREFIX + "2", "/api/runs/" + runId, "/camunda/app/cockpit/default/#/process-instance/" + runId);
    // what the form's header shows, as Tasklist loads it with the form
    ResponseEntity<String> variables = http.exchange(TASKLIST_API + "/task/" + declare.getId() + "/form-variables",
        org.springframework.http.HttpMethod.GET, new HttpEntity<>(WebAppSession.tasklist(http, "approver")), String.class);
    assertThat(variables.getStatusCode()).as(variables.getBody()).isEqualTo(HttpStatus.OK);
    assertThat(JSON.readTree(variables.getBody()).path("taskContext").path("value").asText())
        .contains("**A1 Genesys Configuration Server failover to Site 2**", "Ticket **jira TL\\-START\\-2**",
            "[status](/api/runs/" + runId + ")", "[printable checklist](/api/runs/" + runId + "/checklist.html)");
    ResponseEntity<String> form = http.exchange(TASKLIST_API + "/task/" + declare.getId() + "/deployed-form",
        org.springframework.http.HttpMethod.GET, new HttpEntity<>(operator), String.class);
    assertThat(JSON.readTree(form.getBody()).path("components").get(0).path("text").asText())
        .isEqualTo("{{taskContext}}");
  }

  @Test
  void shouldRefuseTheStartAndStartNothingWhenTheTicketIdIsEmptyOrTheModeUnknown() throws Exception {
    HttpHeaders operator = WebAppSession.tasklist(http, "operator");
    long before = runtime.createProcessInstanceQuery().processDefinitionKey(ApiTestSupport.PROCEDURE).count();

    ResponseEntity<String> noTicket = submitStartForm(operator, "servicenow", "", "drill");
    ResponseEntity<String> badTicket = submitStartForm(operator, "servicenow", "CHG 1; rm -rf /", "drill");
    ResponseEntity<String> badMode = submitStartForm(operator, "servicenow", PREFIX + "3", "nonsense");

    assertRefused(noTicket, "Run of dr-genesys-cs-failover not started: ticketId is required");
    assertRefused(badTicket, "Run of dr-genesys-cs-failover not started: ticketId 'CHG 1; rm -rf /' must match");
    assertRefused(badMode, "runMode 'nonsense' is not one of");
    // the engine REST API answers the same refusal as a 400
    ResponseEntity<String> engineRest = http.withBasicAuth("operator", "operator").postForEntity(
        "/engine-rest/process-definition/key/" + ApiTestSupport.PROCEDURE + "/submit-form", new HttpEntity<>(
            startForm("servicenow", "", "drill"), json()), String.class);
    assertThat(engineRest.getStatusCode()).as(engineRest.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(JSON.readTree(engineRest.getBody()).path("message").asText()).contains("ticketId is required");
    assertThat(runtime.createProcessInstanceQuery().processDefinitionKey(ApiTestSupport.PROCEDURE).count())
        .as("nothing started").isEqualTo(before);
  }

  /**
   * Refused as a bad request with the reason as the message Tasklist shows. The web apps' copy of
   * the engine REST API wraps a start refusal in "Cannot instantiate process definition ...: reason";
   * it answers 400 as /engine-rest does (EngineRestRefusals), not the 500 of a server failure.
   */
  private static void assertRefused(ResponseEntity<String> answer, String reason) throws Exception {
    assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(JSON.readTree(answer.getBody()).path("message").asText()).as(answer.getBody())
        .contains(reason).doesNotContain("ENGINE-", "Exception");
  }

  private static HttpHeaders json() {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(org.springframework.http.MediaType.APPLICATION_JSON);
    return headers;
  }

  /** A drill started from the start form; the new run's id. */
  @Test
  void shouldFillInTheCatalogsDefaultsWhenTheStartFormOfC1LeavesTheDataGuardParametersOut() throws Exception {
    HttpHeaders operator = WebAppSession.tasklist(http, "operator");
    String form = startForm("servicenow", PREFIX + "C1", "drill")
        .replace("}}}", "}, \"ocdbTopology\": {\"value\": \"ha\", \"type\": \"String\"}}}");

    ResponseEntity<String> started = http.postForEntity(TASKLIST_API
        + "/process-definition/key/dr-oceana-planned-switchover/submit-form", new HttpEntity<>(form, operator), String.class);

    assertThat(started.getStatusCode()).as(started.getBody()).isEqualTo(HttpStatus.OK);
    String runId = JSON.readTree(started.getBody()).path("id").asText();
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(runId).singleResult().getBusinessKey())
        .isEqualTo(PREFIX + "C1");
    // as POST /api/runs would (config/procedures.yaml): C5 is called with these
    assertThat(runtime.getVariables(runId)).containsEntry("ocdbTopology", "ha").containsEntry("primaryDb", "orcl")
        .containsEntry("standbyDb", "orcl_stby").containsEntry("lagPollInterval", "PT30S");
  }

  private String startFromForm(HttpHeaders session, String system, String ticket) throws Exception {
    ResponseEntity<String> started = submitStartForm(session, system, ticket, "drill");
    assertThat(started.getStatusCode()).as(started.getBody()).isEqualTo(HttpStatus.OK);
    return JSON.readTree(started.getBody()).path("id").asText();
  }

  private ResponseEntity<String> submitStartForm(HttpHeaders session, String system, String ticket, String mode) {
    return http.postForEntity(TASKLIST_API + "/process-definition/key/" + ApiTestSupport.PROCEDURE + "/submit-form",
        new HttpEntity<>(startForm(system, ticket, mode), session), String.class);
  }

  private static String startForm(String system, String ticket, String mode) {
    return """
        {"variables": {"ticketSystem": {"value": "%s", "type": "String"},
                       "ticketId": {"value": "%s", "type": "String"},
                       "ticketUrl": {"value": "", "type": "String"},
                       "runMode": {"value": "%s", "type": "String"}}}""".formatted(system, ticket, mode);
  }
}
