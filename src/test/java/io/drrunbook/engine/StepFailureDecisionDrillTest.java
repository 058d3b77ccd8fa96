package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.DrillContext;
import io.drrunbook.approval.DecisionRecord;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.faults.FaultRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
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
 * Failure decisions against the drill lab: A1's step "start the master CS pair" is made to fail
 * through a lab fault until it raises an incident; the operators' decision task appears, and each
 * of the four choices (through the task as Tasklist completes it, or through the product API) is
 * checked by the run's end state, the lab and the DR_DECISION record. Also: a step whose command
 * hangs ends in the decision once its time limit has passed on every attempt.
 */
@DrillContext
class StepFailureDecisionDrillTest {

  private static final String A1 = "dr-genesys-cs-failover";
  private static final String STEP = "Task_StartMasterCsPair";
  private static final String MGMT2 = "site2.cs-mgmt";
  private static final String START_PAIR = "genesys-ctl start confserv-master-pair";
  /** The fault's pattern: the command line as sent, its argument shell-quoted. */
  private static final String START_PAIR_LINE = "genesys-ctl start '?confserv-master-pair";
  private static final String TICKET_PREFIX = "DECIDE-";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired RepositoryService repository;
  @Autowired StepJournal journal;
  @Autowired DecisionRecord decisions;
  @Autowired TestRestTemplate rest;
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
  void shouldRunTheStepOnceMoreAndCompleteTheRunWhenTheOperatorRetriesAfterTheFaultIsGone() {
    String faultId = failStartOfMasterPair();
    ProcessInstance run = startA1UntilTheStepFails("RETRY");
    Task decision = awaitDecisionTask(run);

    assertThat(decision.getName()).isEqualTo("Step Start the master Configuration Server pair at Site 2 failed · "
        + run.getBusinessKey());
    assertThat(decision.getDescription()).contains("Procedure: A1 Genesys Configuration Server failover to Site 2",
        "Ticket: " + run.getBusinessKey(), "/api/runs/" + run.getId());
    Map<String, Object> shown = tasks.getVariables(decision.getId());
    assertThat(String.valueOf(shown.get(StepFailureDecisions.STEP_INPUTS)))
        .contains("host = " + MGMT2).contains("app = confserv-master-pair");
    assertThat(String.valueOf(shown.get(StepFailureDecisions.STEP_ATTEMPTS))).startsWith("3 attempt(s)");
    assertThat(String.valueOf(shown.get(StepFailureDecisions.STEP_ERROR))).isNotBlank();
    JsonNode waiting = get("/api/runs/" + run.getId(), "operator").getBody();
    assertThat(waiting.path("failureDecisions").get(0).path("state").asText()).isEqualTo("WAITING");
    assertThat(waiting.path("failureDecisions").get(0).path("activityId").asText()).isEqualTo(STEP);
    assertThat(waiting.path("waiting").findValuesAsText("taskKey")).contains(StepFailureDecisions.TASK);

    assertThat(lab.faults().remove(faultId)).isTrue();
    completeAs("operator", DrGroups.OPERATORS, decision, Map.of(
        StepFailureDecisions.CHOICE, "retry", StepFailureDecisions.NOTE, "license server back"));
    completeConfirmation(run);
    awaitEnded(run);

    assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(run.getId())
        .singleResult().getState()).isEqualTo(HistoricProcessInstance.STATE_COMPLETED);
    assertThat(lab.state().state(MGMT2, "confserv-master-pair")).isEqualTo("RUNNING");
    assertThat(lab.state().actionCount(MGMT2, START_PAIR)).isEqualTo(1);
    StepJournal.Entry step = stepEntry(run);
    assertThat(step.state()).isEqualTo(StepJournal.State.DONE);
    assertThat(step.attempts()).isEqualTo(4);
    assertRecorded(decision, "operator", "retry", "license server back");
    JsonNode detail = get("/api/runs/" + run.getId(), "operator").getBody();
    assertThat(detail.path("state").asText()).isEqualTo("COMPLETED");
    assertThat(detail.path("failureDecisions").get(0).path("state").asText()).isEqualTo("DECIDED");
    assertThat(detail.path("failureDecisions").get(0).path("decidedBy").asText()).isEqualTo("operator");
    JsonNode report = get("/api/runs/" + run.getId() + "/report", "operator").getBody();
    assertThat(report.path("failureDecisions")).singleElement().satisfies(d -> {
      assertThat(d.path("activityId").asText()).isEqualTo(STEP);
      assertThat(d.path("choice").asText()).isEqualTo("retry");
      assertThat(d.path("note").asText()).isEqualTo("license server back");
      assertThat(d.path("decidedBy").asText()).isEqualTo("operator");
      assertThat(d.path("error").asText()).isNotBlank();
      assertThat(d.path("decidedAt").asText()).isNotBlank();
    });
    String page = rest.withBasicAuth("operator", "operator")
        .getForEntity("/api/runs/" + run.getId() + "/report.html", String.class).getBody();
    assertThat(page).contains("id=\"failure-decisions\"").contains("license server back");
  }

  @Test
  void shouldContinueAfterTheStepWithoutRunningItWhenTheOperatorMarksItDoneByHandThroughTheApi() {
    failStartOfMasterPair();
    ProcessInstance run = startA1UntilTheStepFails("DONE");
    Task decision = awaitDecisionTask(run);
    String url = "/api/runs/" + run.getId() + "/steps/" + STEP + "/decision";

    ResponseEntity<JsonNode> noNote = post(url, "operator", "{\"choice\": \"done-by-hand\"}");
    assertThat(noNote.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(noNote.getBody().path("errors").findValuesAsText("field")).containsExactly("note");
    ResponseEntity<JsonNode> unknown = post(url, "operator", "{\"choice\": \"ignore\", \"note\": \"x\"}");
    assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(unknown.getBody().path("errors").findValuesAsText("field")).containsExactly("choice");
    assertThat(post("/api/runs/" + run.getId() + "/steps/Task_NoSuchStep/decision", "operator",
        "{\"choice\": \"retry\"}").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(post("/api/runs/" + run.getId() + "/steps/Task_ResolveTopology/decision", "operator",
        "{\"choice\": \"retry\"}").getStatusCode()).isEqualTo(HttpStatus.CONFLICT);

    startPairByHand();
    ResponseEntity<JsonNode> decided = post(url, "operator",
        "{\"choice\": \"done-by-hand\", \"note\": \"started the pair from the console\"}");
    assertThat(decided.getStatusCode()).isEqualTo(HttpStatus.OK);
    completeConfirmation(run);
    awaitEnded(run);

    assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(run.getId())
        .singleResult().getState()).isEqualTo(HistoricProcessInstance.STATE_COMPLETED);
    // the runbook never started the pair (the fault is still there); the person did, the steps after it ran
    assertThat(lab.state().actionCount(MGMT2, START_PAIR)).isZero();
    assertThat(lab.state().state(MGMT2, "confserv-master-pair")).isEqualTo("RUNNING");
    assertThat(lab.state().state(MGMT2, "scs-master")).isEqualTo("RUNNING");
    assertThat(stepOutcome(run)).isEqualTo("done by hand by operator: started the pair from the console");
    assertRecorded(decision, "operator", "done-by-hand", "started the pair from the console");
    assertThat(post(url, "operator", "{\"choice\": \"retry\"}").getStatusCode())
        .isEqualTo(HttpStatus.CONFLICT);
  }

  @Test
  void shouldRefuseAnOperatorAndLetAnApproverSkipTheStepWhenTheStepIsSkippedThroughTheApi() {
    failStartOfMasterPair();
    ProcessInstance run = startA1UntilTheStepFails("SKIP");
    Task decision = awaitDecisionTask(run);
    String url = "/api/runs/" + run.getId() + "/steps/" + STEP + "/decision";
    String body = "{\"choice\": \"skip\", \"note\": \"pair already runs on the standby console\"}";

    assertThat(post(url, "operator", body).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    assertThat(tasks.createTaskQuery().taskId(decision.getId()).count()).isEqualTo(1);
    startPairByHand();
    assertThat(post(url, "approver", body).getStatusCode()).isEqualTo(HttpStatus.OK);
    completeConfirmation(run);
    awaitEnded(run);

    assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(run.getId())
        .singleResult().getState()).isEqualTo(HistoricProcessInstance.STATE_COMPLETED);
    assertThat(lab.state().actionCount(MGMT2, START_PAIR)).isZero();
    assertThat(lab.state().state(MGMT2, "scs-master")).isEqualTo("RUNNING");
    assertThat(stepOutcome(run)).isEqualTo("skipped by approver: pair already runs on the standby console");
    assertRecorded(decision, "approver", "skip", "pair already runs on the standby console");
    assertThat(decisions.forProcessInstance(decision.getProcessInstanceId())).hasSize(1);
  }

  @Test
  void shouldAnswer403AndKeepTheDecisionWhenAnOperatorSkipsTheStepThroughTheEngineRestSubmitForm() {
    failStartOfMasterPair();
    ProcessInstance run = startA1UntilTheStepFails("SUBMIT-SKIP");
    Task decision = awaitDecisionTask(run);
    String body = "{\"variables\": {\"decisionChoice\": {\"value\": \"skip\", \"type\": \"String\"},"
        + " \"decisionNote\": {\"value\": \"not needed\", \"type\": \"String\"}}}";

    ResponseEntity<JsonNode> refused = post("/engine-rest/task/" + decision.getId() + "/submit-form",
        "operator", body);

    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    assertThat(refused.getBody().path("message").asText()).contains("may skip a step");
    assertThat(tasks.createTaskQuery().taskId(decision.getId()).count()).as("the decision still waits")
        .isEqualTo(1);
    assertThat(runtime.createIncidentQuery().processInstanceId(run.getId()).activityId(STEP).count())
        .isEqualTo(1);
    assertThat(decisions.forProcessInstance(decision.getProcessInstanceId())).isEmpty();
    assertThat(lab.state().actionCount(MGMT2, START_PAIR)).isZero();
  }

  @Test
  void shouldCancelTheRunWithTheNoteWhenTheOperatorAbortsInTasklist() {
    failStartOfMasterPair();
    ProcessInstance run = startA1UntilTheStepFails("ABORT");
    Task decision = awaitDecisionTask(run);

    completeAs("operator", DrGroups.OPERATORS, decision, Map.of(
        StepFailureDecisions.CHOICE, "abort", StepFailureDecisions.NOTE, "failing back to Site 1"));
    awaitEnded(run);

    HistoricProcessInstance ended = history.createHistoricProcessInstanceQuery()
        .processInstanceId(run.getId()).singleResult();
    assertThat(ended.getState()).isEqualTo(HistoricProcessInstance.STATE_EXTERNALLY_TERMINATED);
    assertThat(ended.getDeleteReason()).contains("operator").contains("failing back to Site 1");
    assertThat(lab.state().state(MGMT2, "scs-master")).isEqualTo("STOPPED");
    assertThat(lab.state().state(MGMT2, "msgserver-scs-distributed")).isEqualTo("STOPPED");
    assertRecorded(decision, "operator", "abort", "failing back to Site 1");
    JsonNode detail = get("/api/runs/" + run.getId(), "operator").getBody();
    assertThat(detail.path("state").asText()).isEqualTo("CANCELLED");
    assertThat(detail.path("cancellation").path("by").asText()).isEqualTo("operator");
    assertThat(detail.path("cancellation").path("reason").asText()).contains("failing back to Site 1");
    assertThat(detail.path("failureDecisions").get(0).path("choice").asText()).isEqualTo("abort");
  }

  @Test
  void shouldEndTheDecisionWhenTheRunIsCancelledWhileTheDecisionWaits() {
    failStartOfMasterPair();
    ProcessInstance run = startA1UntilTheStepFails("CANCEL");
    Task decision = awaitDecisionTask(run);

    ResponseEntity<JsonNode> cancelled = post("/api/runs/" + run.getId() + "/cancel", "operator",
        "{\"reason\": \"drill stopped\"}");
    assertThat(cancelled.getStatusCode()).isEqualTo(HttpStatus.OK);

    assertThat(runtime.createProcessInstanceQuery()
        .processInstanceId(decision.getProcessInstanceId()).count()).isZero();
    assertThat(cancelled.getBody().path("failureDecisions").get(0).path("state").asText()).isEqualTo("ENDED");
    assertThat(decisions.forProcessInstance(decision.getProcessInstanceId())).isEmpty();
  }

  @Test
  void shouldEndInTheDecisionWhenTheStepsCommandHangsBeyondItsTimeLimit() {
    repository.createDeployment().name("test-step-time-limit").enableDuplicateFiltering(true)
        .addClasspathResource("time-limit/dr-test-step-time-limit.bpmn").deploy();
    lab.faults().add(new FaultRequest("command-hangs", MGMT2, null, null, null, null, null, null,
        START_PAIR_LINE));
    long started = System.nanoTime();
    ProcessInstance run = runtime.startProcessInstanceByKey("dr-test-step-time-limit", TICKET_PREFIX + "HANG");

    Task decision = await("decision task").atMost(Duration.ofSeconds(45)).until(() -> decisionTask(run),
        task -> task != null);

    // three attempts of 2 s each, with 1 s back-off: far below the SSH command's own limit
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(40));
    StepJournal.Entry step = stepEntry(run);
    assertThat(step.attempts()).isEqualTo(3);
    assertThat(step.state()).isEqualTo(StepJournal.State.FAILED);
    assertThat(step.lastError()).contains("time limit of PT2S");
    assertThat(String.valueOf(tasks.getVariable(decision.getId(), StepFailureDecisions.STEP_ERROR)))
        .contains("time limit");
    assertThat(lab.state().state(MGMT2, "confserv-master-pair")).isEqualTo("STOPPED");
  }

  @Test
  void shouldRefuseDoneByHandWithoutTheResultsTheRunTakesFromTheStepAndGoOnWithThemInTasklist() {
    ProcessInstance run = startUntilTheMigrationCheckFails("RESULTS-TASKLIST");
    Task decision = awaitDecisionOnTheMigrationCheck(run);
    assertThat(tasks.getVariable(decision.getId(), StepFailureDecisions.STEP_RESULTS_USED))
        .isEqualTo("migrationRequired ← ${!stdout.trim().endsWith('matches: 0')}");

    // the person read the log on the console, but gives no results: the run could not go on
    assertThatThrownBy(() -> completeAs("operator", DrGroups.OPERATORS, decision, Map.of(
        StepFailureDecisions.CHOICE, "done-by-hand", StepFailureDecisions.NOTE, "read the log by hand")))
        .isInstanceOf(StepResultsRefusedException.class)
        .hasMessageContaining("Check the GIM log for the migration state")
        .hasMessageContaining("stdout")
        .hasMessageContaining("migrationRequired ← ${!stdout");
    assertThatThrownBy(() -> completeAs("operator", DrGroups.OPERATORS, decision, Map.of(
        StepFailureDecisions.CHOICE, "done-by-hand", StepFailureDecisions.NOTE, "read the log by hand",
        StepFailureDecisions.RESULTS, "[\"matches: 0\"]")))
        .isInstanceOf(StepResultsRefusedException.class).hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> completeAs("operator", DrGroups.OPERATORS, decision, Map.of(
        StepFailureDecisions.CHOICE, "retry", StepFailureDecisions.RESULTS, "{\"stdout\": \"matches: 0\"}")))
        .isInstanceOf(StepResultsRefusedException.class).hasMessageContaining("only given with done-by-hand");
    // nothing changed: the decision still waits, the step is still failed
    assertThat(tasks.createTaskQuery().taskId(decision.getId()).count()).isEqualTo(1);
    assertThat(runtime.createIncidentQuery().processInstanceId(run.getId()).count()).isEqualTo(1);

    completeAs("operator", DrGroups.OPERATORS, decision, Map.of(
        StepFailureDecisions.CHOICE, "done-by-hand", StepFailureDecisions.NOTE, "read the log by hand",
        StepFailureDecisions.RESULTS, "{\"stdout\": \"matches: 0\"}"));

    // the run took the result as if the step had returned it: no migration
    await("no migration").atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run.getId()).taskDefinitionKey("UserTask_NoMigration").count() == 1);
    assertThat(runtime.getVariable(run.getId(), "migrationRequired")).isEqualTo(false);
    assertThat(runtime.createIncidentQuery().processInstanceId(run.getId()).count()).isZero();
    List<DecisionRecord.Decision> recorded = decisions.forProcessInstance(decision.getProcessInstanceId());
    assertThat(recorded).singleElement().satisfies(d -> assertThat(d.evidenceJson())
        .contains("\"decisionChoice\":\"done-by-hand\"").contains("matches: 0"));
  }

  @Test
  void shouldTakeTheStepsResultsThroughTheApi() {
    ProcessInstance run = startUntilTheMigrationCheckFails("RESULTS-API");
    awaitDecisionOnTheMigrationCheck(run);
    String url = "/api/runs/" + run.getId() + "/steps/Task_CheckMigrationState/decision";

    ResponseEntity<JsonNode> withRetry = post(url, "operator",
        "{\"choice\": \"retry\", \"results\": {\"stdout\": \"matches: 2\"}}");
    assertThat(withRetry.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(withRetry.getBody().path("errors").findValuesAsText("field")).containsExactly("results");
    ResponseEntity<JsonNode> without = post(url, "operator",
        "{\"choice\": \"done-by-hand\", \"note\": \"read the log by hand\"}");
    assertThat(without.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(without.getBody().path("errors").get(0).path("field").asText()).isEqualTo("results");
    assertThat(without.getBody().path("errors").get(0).path("message").asText()).contains("stdout");
    ResponseEntity<JsonNode> nested = post(url, "operator", "{\"choice\": \"done-by-hand\","
        + " \"note\": \"read the log by hand\", \"results\": {\"stdout\": {\"text\": \"matches: 2\"}}}");
    assertThat(nested.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);

    ResponseEntity<JsonNode> decided = post(url, "operator", "{\"choice\": \"done-by-hand\","
        + " \"note\": \"the log shows 55-20152\", \"results\": {\"stdout\": \"matches: 2\"}}");

    assertThat(decided.getStatusCode()).isEqualTo(HttpStatus.OK);
    JsonNode recorded = decided.getBody().path("failureDecisions").get(0);
    assertThat(recorded.path("resultsUsed").asText()).startsWith("migrationRequired ← ");
    assertThat(recorded.path("results").asText()).isEqualTo("{\"stdout\":\"matches: 2\"}");
    await("migration").atMost(Duration.ofSeconds(30)).until(() -> tasks.createTaskQuery()
        .processInstanceId(run.getId()).taskDefinitionKey("UserTask_Migrate").count() == 1);
    assertThat(runtime.getVariable(run.getId(), "migrationRequired")).isEqualTo(true);
  }

  // ------------------------------------------------------------------------------------ helpers

  /** B1's migration check alone (a test process), its log scan at Site 2 failing through the lab. */
  private ProcessInstance startUntilTheMigrationCheckFails(String name) {
    repository.createDeployment().name("test-step-results").enableDuplicateFiltering(true)
        .addClasspathResource("step-results/dr-test-step-results.bpmn").deploy();
    lab.faults().add(new FaultRequest("command-fails", "site2.gim", 2, null,
        "log volume not mounted", null, null, null, "gim-log-scan"));
    return runtime.startProcessInstanceByKey("dr-test-step-results", TICKET_PREFIX + name);
  }

  private Task awaitDecisionOnTheMigrationCheck(ProcessInstance run) {
    return await("decision task").atMost(Duration.ofSeconds(60)).until(() -> decisionTask(run),
        task -> task != null);
  }

  private String failStartOfMasterPair() {
    return lab.faults().add(new FaultRequest("command-fails", MGMT2, 3, null,
        "license server not reachable", null, null, null, START_PAIR_LINE)).id();
  }

  /** What the person does outside the runbook (the lab's state, not through the runbook's SSH). */
  private void startPairByHand() {
    lab.state().set(MGMT2, "confserv-master-pair", null, "RUNNING");
  }

  private ProcessInstance startA1UntilTheStepFails(String name) {
    ProcessInstance run = runtime.startProcessInstanceByKey(A1, TICKET_PREFIX + name + "-" + System.nanoTime());
    Task declare = await("declare the disaster").atMost(Duration.ofSeconds(60))
        .until(() -> tasks.createTaskQuery().processInstanceId(run.getId())
            .taskDefinitionKey("UserTask_DeclareDisaster").singleResult(), t -> t != null);
    completeAs("approver", DrGroups.APPROVERS, declare, Map.of("disasterDeclared", true,
        "disasterReason", "drill: Site 1 lost", "decidedBy", "DR manager on duty"));
    return run;
  }

  private Task awaitDecisionTask(ProcessInstance run) {
    Task task = await("decision task").atMost(Duration.ofSeconds(60))
        .until(() -> decisionTask(run), t -> t != null);
    assertThat(runtime.createIncidentQuery().processInstanceId(run.getId()).activityId(STEP).count())
        .isEqualTo(1);
    return task;
  }

  private Task decisionTask(ProcessInstance run) {
    return tasks.createTaskQuery().processDefinitionKey(StepFailureDecisions.PROCESS)
        .processVariableValueEquals(StepFailureDecisions.RUN_ID, run.getId()).singleResult();
  }

  private void completeConfirmation(ProcessInstance run) {
    Task confirm = await("confirm operations restored").atMost(Duration.ofSeconds(90))
        .until(() -> tasks.createTaskQuery().processInstanceId(run.getId())
            .taskDefinitionKey("UserTask_ConfirmOperationsRestored").singleResult(), t -> t != null);
    completeAs("operator", DrGroups.OPERATORS, confirm, Map.of("operationsRestored", true));
  }

  private void completeAs(String user, String group, Task task, Map<String, Object> variables) {
    identity.setAuthentication(user, List.of(group));
    try {
      assertThat(tasks.createTaskQuery().taskId(task.getId()).taskCandidateGroup(group).count())
          .as("%s may work %s", group, task.getName()).isEqualTo(1);
      tasks.complete(task.getId(), variables);
    } finally {
      identity.clearAuthentication();
    }
  }

  private void awaitEnded(ProcessInstance run) {
    await("run ended").atMost(Duration.ofSeconds(90)).until(() -> history
        .createHistoricProcessInstanceQuery().processInstanceId(run.getId()).finished().count() == 1);
  }

  private StepJournal.Entry stepEntry(ProcessInstance run) {
    return journal.forProcessInstance(run.getId()).stream()
        .filter(entry -> entry.activityId().equals(STEP)).findFirst().orElseThrow();
  }

  private String stepOutcome(ProcessInstance run) {
    var activity = history.createHistoricActivityInstanceQuery().processInstanceId(run.getId())
        .activityId(STEP).singleResult();
    return String.valueOf(history.createHistoricVariableInstanceQuery().processInstanceId(run.getId())
        .activityInstanceIdIn(activity.getId()).variableName(StepWorker.OUTCOME_VARIABLE)
        .singleResult().getValue());
  }

  private void assertRecorded(Task decision, String user, String choice, String note) {
    List<DecisionRecord.Decision> recorded = decisions.forProcessInstance(decision.getProcessInstanceId());
    assertThat(recorded).hasSize(1);
    assertThat(recorded.get(0).userId()).isEqualTo(user);
    assertThat(recorded.get(0).taskDefinitionKey()).isEqualTo(StepFailureDecisions.TASK);
    assertThat(recorded.get(0).evidenceJson())
        .contains("\"decisionChoice\":\"" + choice + "\"").contains(note);
  }

  private ResponseEntity<JsonNode> get(String path, String user) {
    return rest.withBasicAuth(user, user).getForEntity(path, JsonNode.class);
  }

  private ResponseEntity<JsonNode> post(String path, String user, String json) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return rest.withBasicAuth(user, user).postForEntity(path, new HttpEntity<>(json, headers), JsonNode.class);
  }
}
