package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.TestRuns;
import io.drrunbook.engine.StepWorker;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.externaltask.ExternalTask;
import org.junit.jupiter.api.AfterEach;
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
 * Walks the roles table of the README ("Security"): for each power, each role's call succeeds where
 * the table says yes and is refused with 403 where it says no. The users are the lab's: operator,
 * approver, admin and ticketing, one of each group.
 */
@DrillContext
class RolesTableTest {

  private static final String PROCESS = "dr-genesys-cs-failover";
  private static final String START = "/engine-rest/process-definition/key/" + PROCESS + "/start";
  private static final String APPROVAL = "UserTask_DeclareDisaster";
  private static final List<String> ROLES = List.of("operator", "approver", "admin", "ticketing");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Autowired TestRestTemplate http;
  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired ExternalTaskService externalTasks;
  @Autowired StepWorker worker;

  private int tickets;

  /** One row of the table: the power, who has it, and the call that uses it on a run. */
  private interface Call {
    ResponseEntity<String> make(TestRestTemplate caller, String user, String runId) throws Exception;
  }

  @AfterEach
  void deleteRuns() {
    if (!worker.isRunning()) {
      worker.start();
    }
    TestRuns.deleteAll(runtime, "TABLE-");
  }

  @Test
  void shouldGrantEachRoleExactlyThePowersOfTheRolesTable() throws Exception {
    String runId = startAtApproval();

    row("start a run", Set.copyOf(ROLES), (caller, user, run) ->
        // a dry-run: it acts on nothing, so the run at its approval (same systems) does not refuse it
        caller.postForEntity(START, json("{\"businessKey\": \"TABLE-START-" + user + "\", \"variables\":"
            + " {\"runMode\": {\"value\": \"dry-run\"}}}"), String.class));
    row("read a run", Set.copyOf(ROLES), (caller, user, run) ->
        caller.getForEntity("/api/runs/" + run, String.class), runId);
    row("claim and work an approval", Set.of("approver", "admin"), (caller, user, run) -> {
      String task = tasks.createTaskQuery().processInstanceId(run).taskDefinitionKey(APPROVAL).singleResult().getId();
      ResponseEntity<String> claimed = caller.postForEntity("/engine-rest/task/" + task + "/claim",
          json("{\"userId\": \"" + user + "\"}"), String.class);
      tasks.setAssignee(task, null);
      return claimed;
    }, runId);
    row("pause and resume a run with a reason (/api/runs)", Set.of("operator", "approver", "admin"),
        (caller, user, run) -> {
          ResponseEntity<String> paused = caller.postForEntity("/api/runs/" + run + "/pause",
              json("{\"reason\": \"roles table\"}"), String.class);
          if (paused.getStatusCode().is2xxSuccessful()) {
            assertThat(runtime.createProcessInstanceQuery().processInstanceId(run).suspended().count()).isEqualTo(1);
            return caller.postForEntity("/api/runs/" + run + "/resume", json("{\"reason\": \"roles table\"}"), String.class);
          }
          return paused;
        }, runId);
    row("cancel a run with a reason (/api/runs)", Set.of("operator", "approver", "admin"), (caller, user, run) -> {
      String own = startAtApprovalAlongside();
      ResponseEntity<String> cancelled = caller.postForEntity("/api/runs/" + own + "/cancel",
          json("{\"reason\": \"roles table\"}"), String.class);
      assertThat(runtime.createProcessInstanceQuery().processInstanceId(own).count())
          .as("run left after " + user + "'s cancel").isEqualTo(cancelled.getStatusCode().is2xxSuccessful() ? 0 : 1);
      return cancelled;
    });
    row("modify a run: move a token, skip listeners (also restart, migrate)", Set.of("admin"),
        (caller, user, run) -> caller.postForEntity("/engine-rest/process-instance/" + run + "/modification", json("""
            {"skipCustomListeners": true, "instructions": [
              {"type": "cancel", "activityId": "%s"}, {"type": "startBeforeActivity", "activityId": "%s"}]}"""
            .formatted(APPROVAL, APPROVAL)), String.class), runId);
    row("suspend or activate a run through the engine", Set.of("admin"), (caller, user, run) -> {
      ResponseEntity<String> suspended = caller.exchange("/engine-rest/process-instance/" + run + "/suspended",
          HttpMethod.PUT, json("{\"suspended\": true}"), String.class);
      runtime.activateProcessInstanceById(run);
      return suspended;
    }, runId);
    row("write or delete a run's variables", Set.of("admin"), (caller, user, run) ->
        caller.exchange("/engine-rest/process-instance/" + run + "/variables/tableNote", HttpMethod.PUT,
            json("{\"value\": \"by " + user + "\", \"type\": \"String\"}"), String.class), runId);
    row("deploy a model", Set.of("admin"), (caller, user, run) ->
        caller.postForEntity("/engine-rest/deployment/create", EngineRestSecurityTest.deployment(), String.class));

    worker.stop();
    String stepRun = startAlongside();
    ExternalTask step = await("a step waiting").atMost(Duration.ofSeconds(30)).until(() -> externalTasks
        .createExternalTaskQuery().processInstanceId(stepRun).singleResult(), task -> task != null);
    row("set the retries of a step or job", Set.of("admin"), (caller, user, run) ->
        caller.exchange("/engine-rest/external-task/" + step.getId() + "/retries", HttpMethod.PUT,
            json("{\"retries\": 3}"), String.class), stepRun);
    row("lock, complete or fail a step (only the step worker works steps)", Set.of("admin"), (caller, user, run) -> {
      ResponseEntity<String> locked = caller.postForEntity("/engine-rest/external-task/" + step.getId() + "/lock",
          json("{\"workerId\": \"table-" + user + "\", \"lockDuration\": 60000}"), String.class);
      if (locked.getStatusCode().is2xxSuccessful()) {
        externalTasks.unlock(step.getId());
      }
      return locked;
    }, stepRun);
  }

  private void row(String power, Set<String> allowed, Call call) throws Exception {
    row(power, allowed, call, null);
  }

  private void row(String power, Set<String> allowed, Call call, String runId) throws Exception {
    for (String user : ROLES) {
      ResponseEntity<String> response = call.make(http.withBasicAuth(user, user), user, runId);
      if (allowed.contains(user)) {
        assertThat(response.getStatusCode().is2xxSuccessful())
            .as("%s: %s may (%s %s)", power, user, response.getStatusCode(), response.getBody()).isTrue();
      } else {
        assertThat(response.getStatusCode())
            .as("%s: %s may not (%s)", power, user, response.getBody()).isEqualTo(HttpStatus.FORBIDDEN);
      }
    }
  }

  private String startRun() throws Exception {
    ResponseEntity<String> started = http.withBasicAuth("ticketing", "ticketing").postForEntity(START,
        json("{\"businessKey\": \"TABLE-" + (++tickets) + "\"}"), String.class);
    assertThat(started.getStatusCode()).isEqualTo(HttpStatus.OK);
    return JSON.readTree(started.getBody()).path("id").asText();
  }

  /**
   * A second run at its approval while the table's run is active on the same systems (see
   * {@link #startAlongside}).
   */
  private String startAtApprovalAlongside() throws Exception {
    return awaitApproval(startAlongside());
  }

  /**
   * A second run while the table's run is active on the same systems: started by an approver with a
   * reason, as conflicting runs allow (README "Conflicting runs").
   */
  private String startAlongside() throws Exception {
    ResponseEntity<String> started = http.withBasicAuth("approver", "approver").postForEntity(START,
        json("{\"businessKey\": \"TABLE-" + (++tickets) + "\", \"variables\": {\"overlapReason\":"
            + " {\"value\": \"roles table: a run to cancel\"}}}"), String.class);
    assertThat(started.getStatusCode()).as(started.getBody()).isEqualTo(HttpStatus.OK);
    return JSON.readTree(started.getBody()).path("id").asText();
  }

  private String startAtApproval() throws Exception {
    return awaitApproval(startRun());
  }

  private String awaitApproval(String runId) {
    await("approval task").atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery()
        .processInstanceId(runId).taskDefinitionKey(APPROVAL).count() == 1);
    return runId;
  }

  private static HttpEntity<String> json(String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return new HttpEntity<>(body, headers);
  }
}
