package io.drrunbook.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
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

/** Four-eyes on approvals, enforced by the engine, and the record of every manual decision. */
@DrillContext
class FourEyesTest {

  private static final String PROCESS = "dr-genesys-cs-failover";
  private static final String DECLARE = "UserTask_DeclareDisaster";
  private static final String TASKLIST_API = "/camunda/api/engine/engine/default";
  /** The lab's second approver, so that four-eyes can be rehearsed without admin. */
  private static final String SECOND_APPROVER = "approver2";
  private static final String SECOND_APPROVER_PASSWORD = "approver2";
  private static final String TWO_APPROVALS = "four-eyes-two-approvals";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Not declared: the run ends at once and changes nothing in the lab. */
  private static final Map<String, Object> NOT_DECLARED = Map.of("disasterDeclared", "false",
      "disasterReason", "four-eyes test", "decidedBy", "DR manager on duty");

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired IdentityService identity;
  @Autowired RepositoryService repository;
  @Autowired DecisionRecord decisions;
  @Autowired TestRestTemplate http;

  @Test
  void shouldHaveASecondApproverInTheLabWhenFourEyesIsRehearsed() {
    assertThat(identity.checkPassword(SECOND_APPROVER, SECOND_APPROVER_PASSWORD)).isTrue();
    assertThat(identity.createUserQuery().userId(SECOND_APPROVER).memberOfGroup(DrGroups.APPROVERS).count())
        .isEqualTo(1);
  }

  @AfterEach
  void cleanUp() {
    identity.clearAuthentication();
    io.drrunbook.TestRuns.deleteAll(runtime, "FOUR-EYES-");
    repository.createDeploymentQuery().deploymentName(TWO_APPROVALS).list()
        .forEach(deployment -> repository.deleteDeployment(deployment.getId(), true));
  }

  @Test
  void shouldRefuseTheApprovalWhenTheStarterApproves() {
    String runId = startAs("approver", PROCESS, "FOUR-EYES-1");
    Task declare = awaitTask(runId, DECLARE);

    assertThatThrownBy(() -> completeAs("approver", declare, NOT_DECLARED))
        .isInstanceOf(FourEyesViolationException.class)
        .hasMessageContaining("Four-eyes rule").hasMessageContaining("'approver' started this run");
    assertThat(tasks.createTaskQuery().taskId(declare.getId()).count()).isEqualTo(1);
    assertThat(decisions.forProcessInstance(runId)).isEmpty();
  }

  @Test
  void shouldRecordTheDecisionWhenASecondApproverApproves() throws Exception {
    String runId = startAs("approver", PROCESS, "FOUR-EYES-2");
    Task declare = awaitTask(runId, DECLARE);
    Instant before = Instant.now();

    completeAs(SECOND_APPROVER, declare, NOT_DECLARED);

    assertThat(tasks.createTaskQuery().taskId(declare.getId()).count()).isZero();
    List<DecisionRecord.Decision> recorded = decisions.forProcessInstance(runId);
    assertThat(recorded).singleElement().satisfies(decision -> {
      assertThat(decision.taskId()).isEqualTo(declare.getId());
      assertThat(decision.taskName()).isEqualTo("Declare the disaster · FOUR-EYES-2");
      assertThat(decision.userId()).isEqualTo(SECOND_APPROVER);
      assertThat(decision.approval()).isTrue();
      assertThat(decision.decidedAt()).isBetween(before.minusSeconds(1), Instant.now());
    });
    JsonNode evidence = JSON.readTree(recorded.get(0).evidenceJson());
    assertThat(evidence.path("disasterDeclared").asText()).isEqualTo("false");
    assertThat(evidence.path("disasterReason").asText()).isEqualTo("four-eyes test");
    assertThat(evidence.path("decidedBy").asText()).isEqualTo("DR manager on duty");
  }

  @Test
  void shouldRefuseTheSecondApprovalWhenThePreviousApproverApprovesAgain() {
    repository.createDeployment().name(TWO_APPROVALS)
        .addModelInstance(TWO_APPROVALS + ".bpmn", twoApprovals()).deploy();
    String runId = startAs("operator", TWO_APPROVALS, "FOUR-EYES-3");
    completeAs("approver", awaitTask(runId, "UserTask_First"), Map.of("evidence", "checked"));
    Task second = awaitTask(runId, "UserTask_Second");

    assertThatThrownBy(() -> completeAs("approver", second, Map.of()))
        .isInstanceOf(FourEyesViolationException.class)
        .hasMessageContaining("completed the previous approval");
    completeAs(SECOND_APPROVER, second, Map.of());
    // an operator's task is a decision too, recorded, but no approval
    completeAs("operator", awaitTask(runId, "UserTask_Confirm"), Map.of());

    assertThat(decisions.forProcessInstance(runId))
        .extracting(DecisionRecord.Decision::userId, DecisionRecord.Decision::approval)
        .containsExactly(tuple("approver", true), tuple(SECOND_APPROVER, true), tuple("operator", false));
    assertThat(decisions.forProcessInstance(runId).get(0).evidenceJson()).isEqualTo("{}");
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(runId).count()).isZero();
  }

  @Test
  void shouldAnswer403NamingTheRuleWhenTheStarterApprovesOverRest() throws Exception {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    // the test's own approver: the lab's approver may be locked out for a while by the test of a
    // wrong password (Camunda's brute-force delay)
    TestRestTemplate approver = http.withBasicAuth(SECOND_APPROVER, SECOND_APPROVER_PASSWORD);
    ResponseEntity<String> started = approver.postForEntity(
        "/engine-rest/process-definition/key/" + PROCESS + "/start",
        new HttpEntity<>("{\"businessKey\": \"FOUR-EYES-4\"}", headers), String.class);
    String runId = JSON.readTree(started.getBody()).path("id").asText();
    Task declare = awaitTask(runId, DECLARE);

    ResponseEntity<String> refused = approver.postForEntity("/engine-rest/task/" + declare.getId() + "/complete",
        new HttpEntity<>("{\"variables\": {\"disasterDeclared\": {\"value\": \"false\"}}}", headers),
        String.class);

    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    assertThat(JSON.readTree(refused.getBody()).path("message").asText())
        .startsWith("Four-eyes rule: user '" + SECOND_APPROVER + "' started this run");
    assertThat(tasks.createTaskQuery().taskId(declare.getId()).count()).isEqualTo(1);
  }

  // ------------------------------------------------------------------- through Tasklist's own API

  @Test
  void shouldRefuseTheStartersClaimWithTheRuleAndLeaveTheTaskFreeWhenWorkedInTasklist() throws Exception {
    String runId = startAs("approver", PROCESS, "FOUR-EYES-TASKLIST-1");
    Task declare = awaitTask(runId, DECLARE);
    HttpHeaders starter = tasklistSession("approver");

    ResponseEntity<String> claim = http.postForEntity(TASKLIST_API + "/task/" + declare.getId() + "/claim",
        new HttpEntity<>("{\"userId\": \"approver\"}", json(starter)), String.class);

    assertThat(claim.getStatusCode()).as(claim.getBody()).isEqualTo(HttpStatus.FORBIDDEN);
    String message = JSON.readTree(claim.getBody()).path("message").asText();
    assertThat(message).as(claim.getBody()).startsWith("Four-eyes rule: user 'approver' started this run")
        .doesNotContain("ENGINE-");
    assertThat(tasks.createTaskQuery().taskId(declare.getId()).singleResult().getAssignee())
        .as("the task stays free for another approver").isNull();

    HttpHeaders second = tasklistSession(SECOND_APPROVER);
    ResponseEntity<String> secondClaim = http.postForEntity(TASKLIST_API + "/task/" + declare.getId()
        + "/claim", new HttpEntity<>("{\"userId\": \"" + SECOND_APPROVER + "\"}", json(second)), String.class);
    assertThat(secondClaim.getStatusCode()).as(secondClaim.getBody()).isEqualTo(HttpStatus.NO_CONTENT);
    ResponseEntity<String> submit = http.postForEntity(TASKLIST_API + "/task/" + declare.getId() + "/submit-form",
        new HttpEntity<>("""
            {"variables": {"disasterDeclared": {"value": "false"}, "disasterReason": {"value": "four-eyes test"},
             "decidedBy": {"value": "DR manager on duty"}}}""", json(second)), String.class);
    assertThat(submit.getStatusCode()).as(submit.getBody()).isEqualTo(HttpStatus.NO_CONTENT);
    assertThat(decisions.forProcessInstance(runId)).singleElement()
        .satisfies(d -> assertThat(d.userId()).isEqualTo(SECOND_APPROVER));
  }

  @Test
  void shouldRefuseToAssignTheApprovalToTheStarterAndLeaveTheTaskFreeWhenAnAdminTries()
      throws Exception {
    String runId = startAs("approver", PROCESS, "FOUR-EYES-TASKLIST-2");
    Task declare = awaitTask(runId, DECLARE);

    // an admin hands the task to the starter: refused as the claim is, nothing assigned
    assertThatThrownBy(() -> tasks.setAssignee(declare.getId(), "approver"))
        .isInstanceOf(FourEyesViolationException.class).hasMessageContaining("'approver' started this run");
    assertThat(tasks.createTaskQuery().taskId(declare.getId()).singleResult().getAssignee()).isNull();
    assertThat(decisions.forProcessInstance(runId)).isEmpty();
  }

  /** A logged-in session of the Tasklist web app: its cookies and its CSRF token. */
  private HttpHeaders tasklistSession(String user) {
    return io.drrunbook.security.WebAppSession.tasklist(http, user);
  }

  private static HttpHeaders json(HttpHeaders session) {
    HttpHeaders headers = new HttpHeaders();
    headers.putAll(session);
    headers.setContentType(MediaType.APPLICATION_JSON);
    return headers;
  }

  private String startAs(String user, String key, String ticket) {
    identity.setAuthentication(user, List.of(user.equals("operator") ? DrGroups.OPERATORS : DrGroups.APPROVERS));
    try {
      return runtime.startProcessInstanceByKey(key, ticket).getId();
    } finally {
      identity.clearAuthentication();
    }
  }

  private void completeAs(String user, Task task, Map<String, Object> variables) {
    identity.setAuthentication(user, List.of(user.equals("operator") ? DrGroups.OPERATORS : DrGroups.APPROVERS));
    try {
      tasks.complete(task.getId(), variables);
    } finally {
      identity.clearAuthentication();
    }
  }

  private Task awaitTask(String runId, String key) {
    return await("task " + key).atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery()
        .processInstanceId(runId).taskDefinitionKey(key).singleResult(), task -> task != null);
  }

  private static BpmnModelInstance twoApprovals() {
    return Bpmn.createExecutableProcess(TWO_APPROVALS).camundaHistoryTimeToLive(1)
        .startEvent()
        .userTask("UserTask_First").name("First approval").camundaCandidateGroups(DrGroups.APPROVERS)
        .userTask("UserTask_Second").name("Second approval").camundaCandidateGroups(DrGroups.APPROVERS)
        .userTask("UserTask_Confirm").name("Confirm").camundaCandidateGroups(DrGroups.OPERATORS)
        .endEvent().done();
  }
}
