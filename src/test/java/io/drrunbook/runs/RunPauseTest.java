package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.DrillTasks;
import io.drrunbook.common.DrGroups;
import io.drrunbook.engine.StepJournal;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabState;
import io.drrunbook.lab.faults.FaultRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
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

/** Pause and resume of a run through the product API, on an A1 drill against the lab. */
@DrillContext
class RunPauseTest {

  private static final String SLOW_STEP = "Task_StartMasterCsPair";
  private static final String SLOW_COMMAND = "genesys-ctl start confserv-master-pair";

  @Autowired TestRestTemplate http;
  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;
  @Autowired TaskService tasks;
  @Autowired IdentityService identity;
  @Autowired ExternalTaskService externalTasks;
  @Autowired StepJournal journal;
  @Autowired ObjectMapper json;
  @Autowired Lab lab;

  @BeforeEach
  void resetLab() {
    lab.reset();
  }

  @AfterEach
  void cleanUp() {
    ApiTestSupport.cancelTestRuns(runtime);
    lab.reset();
  }

  @Test
  void shouldRunNoStepWhilePausedAndFinishTheFailoverWhenResumed() throws Exception {
    // the step that starts the master pair answers after 4 s: the pause arrives while it runs (the
    // pattern is searched in the command line as sent: its argument single-quoted)
    lab.faults().add(new FaultRequest("slow", "site2.cs-mgmt", null, null, null, "PT4S", null, null,
        "start 'confserv-master-pair'"));
    String id = start("API-PAUSE-1");
    DrillTasks.complete(tasks, identity, id, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS, Map.of(
        "disasterDeclared", true, "disasterReason", "pause drill", "decidedBy", "DR manager"));
    await("slow step running").atMost(Duration.ofSeconds(60)).until(() -> journal
        .forProcessInstance(id).stream().anyMatch(e -> e.activityId().equals(SLOW_STEP)));

    ResponseEntity<String> paused = post(operator(), id, "pause",
        "{\"reason\": \"waiting for the firewall change at Site 2\"}");

    assertThat(paused.getStatusCode()).as(paused.getBody()).isEqualTo(HttpStatus.OK);
    JsonNode run = json.readTree(paused.getBody());
    assertThat(run.get("state").asText()).isEqualTo("SUSPENDED");
    assertThat(run.get("suspended").asBoolean()).isTrue();
    assertThat(run.get("pause").get("by").asText()).isEqualTo("operator");
    assertThat(run.get("pause").get("at").asText()).isNotBlank();
    assertThat(run.get("pause").get("reason").asText()).isEqualTo("waiting for the firewall change at Site 2");
    // Cockpit shows the instance suspended
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(id).suspended().count()).isEqualTo(1);
    assertThat(post(operator(), id, "pause", "{}").getStatusCode()).isEqualTo(HttpStatus.CONFLICT);

    // the running step finishes; the engine keeps it (suspended) until the run resumes
    await("slow step done").atMost(Duration.ofSeconds(30)).until(() -> journal.forProcessInstance(id)
        .stream().anyMatch(e -> e.activityId().equals(SLOW_STEP) && e.state() == StepJournal.State.DONE));
    Map<String, Object> commands = actions();
    await("nothing sent while paused").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> actions().equals(commands)
            && externalTasks.createExternalTaskQuery().processInstanceId(id).activityId(SLOW_STEP)
                .suspended().count() == 1);
    assertThat(lab.state().state("site2.cs-mgmt", "scs-master")).isEqualTo("STOPPED");

    ResponseEntity<String> resumed = post(operator(), id, "resume", "{\"reason\": \"firewall open\"}");

    assertThat(resumed.getStatusCode()).as(resumed.getBody()).isEqualTo(HttpStatus.OK);
    JsonNode active = json.readTree(resumed.getBody());
    assertThat(active.get("suspended").asBoolean()).isFalse();
    assertThat(active.get("pause").get("reason").asText()).isEqualTo("firewall open");
    assertThat(post(operator(), id, "resume", "{}").getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    DrillTasks.complete(tasks, identity, id, "UserTask_ConfirmOperationsRestored", "operator", DrGroups.OPERATORS,
        Map.of("operationsRestored", true));
    await("run ended").atMost(Duration.ofSeconds(90)).until(() -> history
        .createHistoricProcessInstanceQuery().processInstanceId(id).completed().count() == 1);

    LabState state = lab.state();
    List.of("confserv-master-pair", "scs-master", "msgserver-scs-distributed").forEach(app ->
        assertThat(state.state("site2.cs-mgmt", app)).as(app).isEqualTo("RUNNING"));
    // the step that finished during the pause was completed from the journal, not run again
    assertThat(state.actionCount("site2.cs-mgmt", SLOW_COMMAND)).isEqualTo(1);
    assertThat(journal.forProcessInstance(id))
        .allSatisfy(step -> assertThat(step.attempts()).as(step.activityId()).isEqualTo(1));
    assertThat(post(operator(), id, "pause", "{}").getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    assertThat(tasks.getProcessInstanceComments(id)).extracting(c -> c.getFullMessage())
        .contains("Run paused: waiting for the firewall change at Site 2", "Run resumed: firewall open");
  }

  @Test
  void shouldRefuseToPauseWhenTheCallerIsATicketingSystemOrTheRunIsUnknown() throws Exception {
    String id = start("API-PAUSE-2");

    ResponseEntity<String> refused = post(http.withBasicAuth("ticketing", "ticketing"), id, "pause", "{}");
    ResponseEntity<String> unknown = post(operator(), "no-such-run", "pause", "{}");
    ResponseEntity<String> tooLong = post(operator(), id, "pause",
        "{\"reason\": \"" + "x".repeat(2001) + "\"}");

    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(tooLong.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(json.readTree(tooLong.getBody()).get("errors").get(0).get("field").asText()).isEqualTo("reason");
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(id).active().count()).isEqualTo(1);
  }

  /** Every host's command log: what the lab received, in order. */
  /**
   * Every state-changing action each lab host has executed. (Not the whole command log: a read-only
   * check of another test's precheck in the shared context may reach a host meanwhile.)
   */
  private Map<String, Object> actions() {
    Map<String, Object> log = new LinkedHashMap<>();
    lab.state().hosts().forEach(host -> log.put(host, lab.state().actionCounts(host)));
    return log;
  }

  private String start(String ticket) throws Exception {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    ResponseEntity<String> response = operator().postForEntity("/api/runs",
        new HttpEntity<>(ApiTestSupport.startBody(ticket, "{}"), headers), String.class);
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.CREATED);
    return json.readTree(response.getBody()).get("id").asText();
  }

  private static ResponseEntity<String> post(TestRestTemplate client, String id, String action, String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return client.postForEntity("/api/runs/" + id + "/" + action, new HttpEntity<>(body, headers), String.class);
  }

  private TestRestTemplate operator() {
    return http.withBasicAuth("operator", "operator");
  }

}
