package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.TestRuns;
import io.drrunbook.common.DrGroups;
import io.drrunbook.core.RunVariables;
import io.drrunbook.engine.StepWorker;
import io.drrunbook.lab.Lab;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.externaltask.ExternalTask;
import org.camunda.bpm.engine.task.Task;
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
 * The broken cases of issue 12 replayed through the engine REST API and the web apps' copy of it:
 * each is refused with 403 and a problem document, and the run, its steps and the lab stay as they
 * were.
 */
@DrillContext
class EnginePrivilegeTest {

  private static final String PROCESS = "dr-genesys-cs-failover";
  private static final String START = "/engine-rest/process-definition/key/" + PROCESS + "/start";
  private static final String WEB_APP_ENGINE = "/camunda/api/engine/engine/default";
  private static final String APPROVAL = "UserTask_DeclareDisaster";
  private static final String FIRST_ACTING_STEP = "Task_StopReplication";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Autowired TestRestTemplate http;
  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired ExternalTaskService externalTasks;
  @Autowired StepWorker worker;
  @Autowired Lab lab;
  @Autowired IdentityService identity;
  @Autowired AuthorizationService authorizations;
  @Autowired IdentityBootstrap bootstrap;

  @BeforeEach
  void resetLab() {
    lab.reset();
  }

  @AfterEach
  void deleteRuns() {
    if (!worker.isRunning()) {
      worker.start();
    }
    TestRuns.deleteAll(runtime, "PRIV-");
  }

  @Test
  void shouldKeepTheRunAtItsApprovalWhenAnOperatorOrApproverModifiesIt() throws Exception {
    String runId = startAtApproval("PRIV-MOD");
    lab.reset();

    for (String user : List.of("operator", "approver")) {
      for (String start : List.of("startBeforeActivity", "startAfterActivity")) {
        ResponseEntity<String> response = as(user).postForEntity(
            "/engine-rest/process-instance/" + runId + "/modification", json(bypass(start)), String.class);
        assertRefused(response, user + " " + start);
      }
    }

    assertStillAtApprovalAndLabUntouched(runId);
  }

  @Test
  void shouldKeepTheRunAtItsApprovalWhenAnOperatorModifiesItThroughCockpit() throws Exception {
    String runId = startAtApproval("PRIV-WEB");
    lab.reset();
    HttpHeaders session = webAppSession("operator");

    ResponseEntity<String> response = http.exchange(WEB_APP_ENGINE + "/process-instance/" + runId
        + "/modification", HttpMethod.POST, new HttpEntity<>(bypass("startBeforeActivity"), session), String.class);

    assertRefused(response, "web app modification");
    assertStillAtApprovalAndLabUntouched(runId);
  }

  @Test
  void shouldStartNoRunWhenAnOperatorStartsOneAtAStep() throws Exception {
    String body = """
        {"businessKey": "PRIV-START", "skipCustomListeners": true,
         "startInstructions": [{"type": "startBeforeActivity", "activityId": "%s"}]}""".formatted(FIRST_ACTING_STEP);

    ResponseEntity<String> response = as("operator").postForEntity(START, json(body), String.class);

    assertRefused(response, "start with instructions");
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceBusinessKey("PRIV-START").count()).isZero();
    assertLabUntouched();
  }

  @Test
  void shouldLeaveAStepToTheStepWorkerWhenAnOperatorTriesToWorkIt() throws Exception {
    worker.stop();
    String runId = startRun("PRIV-STEP");
    ExternalTask step = await("first step waiting").atMost(Duration.ofSeconds(30)).until(() -> externalTasks
        .createExternalTaskQuery().processInstanceId(runId).singleResult(), task -> task != null);
    String task = "/engine-rest/external-task/" + step.getId();
    HttpHeaders session = webAppSession("operator");

    assertRefused(as("operator").postForEntity("/engine-rest/external-task/fetchAndLock", json("""
        {"workerId": "forger", "maxTasks": 5, "topics": [{"topicName": "dr-step", "lockDuration": 60000}]}"""),
        String.class), "fetchAndLock");
    assertRefused(http.exchange(WEB_APP_ENGINE + "/external-task/fetchAndLock", HttpMethod.POST, new HttpEntity<>("""
        {"workerId": "forger", "maxTasks": 5, "topics": [{"topicName": "dr-step", "lockDuration": 60000}]}""",
        session), String.class), "web app fetchAndLock");
    assertRefused(as("operator").postForEntity(task + "/lock", json("{\"workerId\": \"forger\", \"lockDuration\": 60000}"),
        String.class), "lock");
    assertRefused(as("approver").postForEntity(task + "/complete", json("{\"workerId\": \"forger\"}"), String.class),
        "complete");
    assertRefused(as("operator").postForEntity(task + "/failure", json(
        "{\"workerId\": \"forger\", \"errorMessage\": \"x\", \"retries\": 0}"), String.class), "failure");
    assertRefused(as("operator").postForEntity(task + "/bpmnError", json(
        "{\"workerId\": \"forger\", \"errorCode\": \"DR_X\"}"), String.class), "bpmnError");
    assertRefused(as("operator").postForEntity(task + "/extendLock", json(
        "{\"workerId\": \"forger\", \"newDuration\": 60000}"), String.class), "extendLock");
    assertRefused(as("operator").exchange(task + "/retries", HttpMethod.PUT, json("{\"retries\": 0}"), String.class),
        "retries");

    ExternalTask after = externalTasks.createExternalTaskQuery().externalTaskId(step.getId()).singleResult();
    assertThat(after).as("the step is still waiting").isNotNull();
    assertThat(after.getWorkerId()).isNull();
    assertThat(after.getLockExpirationTime()).isNull();
    assertThat(after.getRetries()).isNull();
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(runId)
        .activityId(step.getActivityId()).finished().count()).isZero();

    // the application's own worker still works it
    worker.start();
    await("the step worker completed the step").atMost(Duration.ofSeconds(30)).until(() -> history
        .createHistoricActivityInstanceQuery().processInstanceId(runId).activityId(step.getActivityId())
        .finished().count() == 1);
  }

  @Test
  void shouldKeepTheRunVariablesWhenAnOperatorOrApproverRewritesThem() throws Exception {
    String runId = startAtApproval("PRIV-VAR");
    String variables = "/engine-rest/process-instance/" + runId + "/variables";
    Task approval = tasks.createTaskQuery().processInstanceId(runId).taskDefinitionKey(APPROVAL).singleResult();

    assertRefused(as("operator").exchange(variables + "/" + RunVariables.STARTED_BY, HttpMethod.PUT,
        json("{\"value\": \"someone-else\", \"type\": \"String\"}"), String.class), "put");
    assertRefused(as("operator").exchange(variables + "/" + RunVariables.STARTED_BY, HttpMethod.DELETE,
        HttpEntity.EMPTY, String.class), "delete");
    assertRefused(as("approver").postForEntity(variables, json(
        "{\"modifications\": {\"disasterDeclared\": {\"value\": true}}}"), String.class), "modify");
    assertRefused(as("approver").postForEntity("/engine-rest/task/" + approval.getId() + "/variables", json(
        "{\"modifications\": {\"runStartedBy\": {\"value\": \"approver2\"}}}"), String.class), "task variables");
    assertRefused(as("approver").postForEntity("/engine-rest/task/" + approval.getId() + "/complete", json("""
        {"variables": {"disasterDeclared": {"value": true}, "runStartedBy": {"value": "approver2"}}}"""),
        String.class), "complete with a run variable");

    assertThat(runtime.getVariable(runId, RunVariables.STARTED_BY)).isEqualTo("ticketing");
    assertThat(runtime.getVariable(runId, "disasterDeclared")).isNull();
    assertStillAtApprovalAndLabUntouched(runId);
  }

  @Test
  void shouldRefuseRetriesRestartsAndMigrationsWhenAnOperatorAsks() throws Exception {
    String runId = startAtApproval("PRIV-RESTART");
    String definitionId = runtime.createProcessInstanceQuery().processInstanceId(runId).singleResult()
        .getProcessDefinitionId();
    TestRuns.delete(runtime, runId, "test: a run to restart");

    assertRefused(as("operator").postForEntity("/engine-rest/process-definition/" + definitionId + "/restart",
        json("{\"processInstanceIds\": [\"" + runId + "\"], \"skipCustomListeners\": true,"
            + " \"instructions\": [{\"type\": \"startBeforeActivity\", \"activityId\": \"" + FIRST_ACTING_STEP + "\"}]}"),
        String.class), "restart");
    assertRefused(as("operator").postForEntity("/engine-rest/migration/execute", json(
        "{\"migrationPlan\": {\"sourceProcessDefinitionId\": \"" + definitionId + "\", \"targetProcessDefinitionId\": \""
            + definitionId + "\", \"instructions\": []}, \"processInstanceIds\": [\"" + runId + "\"]}"),
        String.class), "migration");
    assertRefused(as("operator").exchange("/engine-rest/job/retries", HttpMethod.POST,
        json("{\"processInstanceId\": \"" + runId + "\", \"retries\": 3}"), String.class), "job retries");

    assertThat(runtime.createProcessInstanceQuery().processDefinitionId(definitionId)
        .processInstanceBusinessKey("PRIV-RESTART").count()).isZero();
    assertLabUntouched();
  }

  @Test
  void shouldRefuseAModificationInTheEngineItselfWhenTheGuardIsNotInTheWay() throws Exception {
    String runId = startAtApproval("PRIV-ENGINE");
    lab.reset();

    identity.setAuthentication("operator", List.of(DrGroups.OPERATORS));
    try {
      assertThatThrownBy(() -> runtime.createProcessInstanceModification(runId)
          .cancelAllForActivity(APPROVAL).startBeforeActivity(FIRST_ACTING_STEP).execute(true, false))
          .isInstanceOf(AuthorizationException.class);
      assertThatThrownBy(() -> runtime.setVariable(runId, RunVariables.STARTED_BY, "operator"))
          .isInstanceOf(AuthorizationException.class);
      // what a pause through /api/runs needs stays granted
      runtime.suspendProcessInstanceById(runId);
      runtime.activateProcessInstanceById(runId);
    } finally {
      identity.clearAuthentication();
    }

    assertThat(runtime.getVariable(runId, RunVariables.STARTED_BY)).isEqualTo("ticketing");
    assertStillAtApprovalAndLabUntouched(runId);
  }

  @Test
  void shouldNarrowAWiderGrantWhenTheApplicationStartsOnAnOlderDatabase() {
    Authorization grant = authorizations.createAuthorizationQuery().groupIdIn(DrGroups.OPERATORS)
        .resourceType(Resources.PROCESS_INSTANCE).resourceId(Authorization.ANY).singleResult();
    grant.addPermission(Permissions.UPDATE);
    grant.removePermission(ProcessInstancePermissions.SUSPEND);
    authorizations.saveAuthorization(grant);
    assertThat(operatorMay(Permissions.UPDATE)).isTrue();

    bootstrap.afterPropertiesSet();

    assertThat(operatorMay(Permissions.UPDATE)).isFalse();
    assertThat(operatorMay(ProcessInstancePermissions.RETRY_JOB)).isFalse();
    assertThat(operatorMay(ProcessInstancePermissions.SUSPEND)).isTrue();
    assertThat(operatorMay(Permissions.READ)).isTrue();
  }

  private boolean operatorMay(Permission permission) {
    return authorizations.isUserAuthorized("operator", List.of(DrGroups.OPERATORS), permission,
        Resources.PROCESS_INSTANCE, "any-run");
  }

  // ----------------------------------------------------------------------------------- helpers

  private String startRun(String ticket) throws Exception {
    ResponseEntity<String> started = as("ticketing").postForEntity(START,
        json("{\"businessKey\": \"" + ticket + "\"}"), String.class);
    assertThat(started.getStatusCode()).isEqualTo(HttpStatus.OK);
    return JSON.readTree(started.getBody()).path("id").asText();
  }

  private String startAtApproval(String ticket) throws Exception {
    String runId = startRun(ticket);
    await("approval task").atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery()
        .processInstanceId(runId).taskDefinitionKey(APPROVAL).count() == 1);
    return runId;
  }

  private static String bypass(String start) {
    return """
        {"skipCustomListeners": true, "skipIoMappings": false, "instructions": [
          {"type": "cancel", "activityId": "%s"},
          {"type": "%s", "activityId": "%s"}]}""".formatted(APPROVAL, start, FIRST_ACTING_STEP);
  }

  private void assertStillAtApprovalAndLabUntouched(String runId) {
    assertThat(tasks.createTaskQuery().processInstanceId(runId).taskDefinitionKey(APPROVAL).count()).isEqualTo(1);
    assertThat(runtime.getActivityInstance(runId).getChildActivityInstances())
        .extracting(instance -> instance.getActivityId()).containsExactly(APPROVAL);
    assertThat(externalTasks.createExternalTaskQuery().processInstanceId(runId).count()).isZero();
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(runId)
        .activityId(FIRST_ACTING_STEP).count()).isZero();
    assertLabUntouched();
  }

  private void assertLabUntouched() {
    for (String host : lab.state().hosts()) {
      assertThat(lab.state().commandLog(host)).as("commands received by " + host).isEmpty();
    }
    assertThat(lab.state().state("site2.ogg", "site1-to-site2")).isNotEqualTo("STOPPED");
  }

  private static void assertRefused(ResponseEntity<String> response, String what) throws Exception {
    assertThat(response.getStatusCode()).as(what + ": " + response.getBody()).isEqualTo(HttpStatus.FORBIDDEN);
    assertThat(response.getHeaders().getContentType()).as(what)
        .matches(type -> type.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    JsonNode problem = JSON.readTree(response.getBody());
    assertThat(problem.path("status").asInt()).as(what).isEqualTo(403);
    assertThat(problem.path("detail").asText()).as(what).contains("reserved to members of dr-admins");
  }

  private TestRestTemplate as(String user) {
    return http.withBasicAuth(user, user);
  }

  private static HttpEntity<String> json(String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return new HttpEntity<>(body, headers);
  }

  /** Logs in to the web apps as Cockpit does; the headers carry the session cookie and CSRF token. */
  HttpHeaders webAppSession(String user) {
    return WebAppSession.login(http, user);
  }
}
