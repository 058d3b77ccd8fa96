package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** Each role's boundary over HTTP: what the ticketing user, an operator and nobody may do. */
@DrillContext
class RoleBoundariesTest {

  private static final String START =
      "/engine-rest/process-definition/key/dr-genesys-cs-failover/start";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Autowired TestRestTemplate http;
  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired AuthorizationService authorizations;

  @AfterEach
  void deleteRuns() {
    io.drrunbook.TestRuns.deleteAll(runtime, "ROLES-");
  }

  @Test
  void shouldRefuseEveryProtectedPathWhenNoCredentialsAreSent() {
    for (String path : List.of("/engine-rest/process-definition", "/engine-rest/task",
        "/api/runs", "/lab/api/state", "/lab/", "/lab/dashboard.js")) {
      ResponseEntity<String> response = http.getForEntity(path, String.class);
      assertThat(response.getStatusCode()).as(path).isEqualTo(HttpStatus.UNAUTHORIZED);
      assertThat(response.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).as(path).startsWith("Basic");
    }
  }

  @Test
  void shouldAnswerHealthWhenNoCredentialsAreSent() {
    assertThat(http.getForEntity("/actuator/health", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
  }

  @Test
  void shouldShowTheLabStateWhenAnOperatorAsks() {
    assertThat(http.withBasicAuth("operator", "operator").getForEntity("/lab/api/state", String.class)
        .getStatusCode()).isEqualTo(HttpStatus.OK);
  }

  @Test
  void shouldStartAndReadARunWhenTheTicketingUserAsks() throws Exception {
    ResponseEntity<String> started = ticketing().postForEntity(START, json("{\"businessKey\": \"ROLES-1\"}"), String.class);

    assertThat(started.getStatusCode()).isEqualTo(HttpStatus.OK);
    String runId = JSON.readTree(started.getBody()).path("id").asText();
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(runId).singleResult().getBusinessKey())
        .isEqualTo("ROLES-1");
    ResponseEntity<String> read = ticketing().getForEntity("/engine-rest/process-instance/" + runId, String.class);
    assertThat(read.getStatusCode()).isEqualTo(HttpStatus.OK);
    ResponseEntity<String> history = ticketing().getForEntity(
        "/engine-rest/history/process-instance/" + runId, String.class);
    assertThat(history.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(JSON.readTree(history.getBody()).path("startUserId").asText()).isEqualTo("ticketing");
  }

  @Test
  void shouldRefuseToCompleteATaskWhenTheTicketingUserTries() throws Exception {
    String runId = JSON.readTree(ticketing().postForEntity(START, json("{\"businessKey\": \"ROLES-2\"}"),
        String.class).getBody()).path("id").asText();
    Task declare = await("declare task").atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery()
        .processInstanceId(runId).taskDefinitionKey("UserTask_DeclareDisaster").singleResult(), t -> t != null);

    ResponseEntity<String> complete = ticketing().postForEntity("/engine-rest/task/" + declare.getId() + "/complete",
        json("{\"variables\": {\"disasterDeclared\": {\"value\": true}}}"), String.class);

    assertThat(complete.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    assertThat(tasks.createTaskQuery().taskId(declare.getId()).count()).isEqualTo(1);
    JsonNode visible = JSON.readTree(ticketing().getForEntity("/engine-rest/task?processInstanceId=" + runId,
        String.class).getBody());
    assertThat(visible).isEmpty();
  }

  @Test
  void shouldRefuseADeploymentWhenTheTicketingUserTries() {
    ResponseEntity<String> response = ticketing().postForEntity("/engine-rest/deployment/create",
        EngineRestSecurityTest.deployment(), String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
  }

  @Test
  void shouldGrantTheTicketingGroupNoWebAppWhenTheApplicationStarts() {
    for (String app : List.of("cockpit", "tasklist", "admin", "welcome")) {
      assertThat(authorizations.isUserAuthorized("ticketing", List.of(DrGroups.TICKETING),
          Permissions.ACCESS, Resources.APPLICATION, app)).as(app).isFalse();
    }
    assertThat(authorizations.isUserAuthorized("ticketing", List.of(DrGroups.TICKETING),
        Permissions.CREATE, Resources.DEPLOYMENT)).isFalse();
  }

  private TestRestTemplate ticketing() {
    return http.withBasicAuth("ticketing", "ticketing");
  }

  private static HttpEntity<String> json(String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return new HttpEntity<>(body, headers);
  }
}
