package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Path tests of {@code processes/dr-oceana-ocp-db-switchover.bpmn} (PROCEDURES C4, seed 002
 * L1141-1325) on the engine alone: the seed's six procedures (DC1 topology single or ha, times both
 * up, DC1 offline, active server(s) failed), asserting the guided steps in their order, the server
 * and the mirror scenario each names, the seed line it cites, and the 30-second wait before Server A
 * is demoted.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-oceana-ocp-db-switchover.bpmn",
    "callers/c4-caller.bpmn",
    "forms/form-start-oceana-ocp-db-switchover.form",
    "forms/form-guided-step.form"})
class OceanaOcpDbSwitchoverProcessTest {

  static final String PROCESS_ID = "dr-oceana-ocp-db-switchover";
  static final String BOTH_UP = "Switchover Cache up on both servers";

  ProcessEngine processEngine;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
  }

  @Test
  void shouldPromoteServerBWaitAndDemoteServerAWhenSingleAndBothUp() {
    ProcessInstance run = start("single", "both-up");

    assertGuide(run, "UserTask_PromoteBothUp", "L1166", "Server B", BOTH_UP);
    complete(task(run), GuidedEvidence.of("scenario executed", null));
    waitThirtySeconds(run);
    assertGuide(run, "UserTask_DemoteActive", "L1177", "Server A", "Demote to Async");
    assertThat(guide(run, "guideClickPath")).contains("Start Cache")
        .contains("OCEANA_INSTALL_DIR\\Avaya\\Oceana\\Oceana\\BackupAndRestore");
    complete(task(run), GuidedEvidence.of("Cache started, demoted to async", null));
    checkMirrorMonitor(run, "DC2 server primary, Server A async");

    assertThat(path(run)).containsExactly("UserTask_PromoteBothUp", "Event_WaitPromotion",
        "UserTask_DemoteActive", "UserTask_CheckMirrorMonitor", "Task_VerifyMirrorRoles");
    assertThat(run).isEnded().hasPassed("EndEvent_SwitchedOver").hasNotPassed("UserTask_RemoveStandbyMirroring");
  }

  @Test
  void shouldRemoveMirroringFromServerBPromoteServerCWaitAndDemoteServerAWhenHaAndAllUp() {
    ProcessInstance run = start("ha", "both-up");

    assertThat(run).isWaitingAt("UserTask_RemoveStandbyMirroring");
    assertThat(task(run)).hasCandidateGroup("dr-database");
    assertThat(guide(run, "guideSeed")).contains("seed 002 L1253");
    assertThat(guide(run, "guideSystem")).contains("Server B");
    assertThat(guide(run, "guideClickPath")).contains("Remove Mirror Configuration").contains("Do not restart the cluster");
    complete(task(run), GuidedEvidence.of("mirror configuration removed", null));
    assertGuide(run, "UserTask_PromoteBothUp", "L1257", "Server C", BOTH_UP);
    complete(task(run), GuidedEvidence.of("scenario executed", null));
    waitThirtySeconds(run);
    assertGuide(run, "UserTask_DemoteActive", "L1269", "Server A", "Demote to Async");
    complete(task(run), GuidedEvidence.of("Cache started, demoted to async", null));
    checkMirrorMonitor(run, "DC2 server primary, Server A async");

    assertThat(path(run)).containsExactly("UserTask_RemoveStandbyMirroring", "UserTask_PromoteBothUp",
        "Event_WaitPromotion", "UserTask_DemoteActive", "UserTask_CheckMirrorMonitor", "Task_VerifyMirrorRoles");
    assertThat(run).isEnded().hasPassed("UserTask_RemoveStandbyMirroring", "EndEvent_SwitchedOver");
  }

  /** The four one-step procedures: DC1 offline (L1186, L1278) and active server(s) failed (L1209, L1302). */
  @ParameterizedTest(name = "{0} {1}: {2} on {4}")
  @CsvSource({
      "single, dc1-offline,   UserTask_PromoteDc1Offline,   L1201, Server B, Switchover primary server down",
      "single, active-failed, UserTask_PromoteActiveFailed, L1224, Server B, Switchover Primary server down",
      "ha,     dc1-offline,   UserTask_PromoteDc1Offline,   L1294, Server C, Switchover primary server down",
      "ha,     active-failed, UserTask_PromoteActiveFailed, L1318, Server C, Switchover Primary server down"})
  void shouldOnlyPromoteTheDc2AsyncServerWithPrimaryServerDownWhenDc1IsOfflineOrItsActiveServerFailed(
      String ocdbTopology, String situation, String promote, String seedLine, String server, String scenario) {
    ProcessInstance run = start(ocdbTopology, situation);

    assertGuide(run, promote, seedLine, server, scenario);
    complete(task(run), GuidedEvidence.of("scenario executed", null));
    checkMirrorMonitor(run, "DC2 server primary, DC1 servers not connected");

    assertThat(path(run)).containsExactly(promote, "UserTask_CheckMirrorMonitor", "Task_VerifyMirrorRoles");
    assertThat(run).isEnded().hasPassed("EndEvent_SwitchedOver")
        .hasNotPassed("UserTask_RemoveStandbyMirroring", "Event_WaitPromotion", "UserTask_DemoteActive");
  }

  @Test
  void shouldSwitchOverAndReturnToTheCallerWhenACallActivityCallsIt() {
    ProcessInstance caller = processEngine.getRuntimeService().startProcessInstanceByKey("test-c4-caller",
        "CHG-C2-1", Map.of("ocdbTopology", "ha", "ticketSystem", "servicenow", "ticketId", "CHG-C2-1"));
    ProcessInstance run = processEngine.getRuntimeService().createProcessInstanceQuery()
        .superProcessInstanceId(caller.getId()).singleResult();
    assertThat(run.getBusinessKey()).isEqualTo("CHG-C2-1");

    assertGuide(run, "UserTask_PromoteDc1Offline", "L1294", "Server C", "Switchover primary server down");
    complete(task(run), GuidedEvidence.of("scenario executed", null));
    checkMirrorMonitor(run, "DC2 server primary, DC1 servers not connected");

    assertThat(caller).isEnded().hasPassed("CallActivity_OcpDbSwitchover");
  }

  @Test
  void shouldReopenTheMirrorMonitorStepWithWhatThePageShowedWhenTheRolesDiffer() {
    ProcessInstance run = start("single", "dc1-offline");
    complete(task(run), GuidedEvidence.of("scenario executed", null));
    Task first = task(run);
    assertThat(guide(run, "guideFinding")).isEqualTo("null");
    complete(first, GuidedEvidence.of("DC2 server primary, DC1 servers not connected", null));
    String finding = "GET /csp/sys/op/mirror-monitor: the answer does not match This member: site2.ocdb-async PRIMARY:"
        + " This member: site2.ocdb-async ASYNC";
    new ScriptedSteps(processEngine).failingOnce("Task_VerifyMirrorRoles", "DR_VERIFY_FAILED", finding).drive();

    assertThat(run).isWaitingAt("UserTask_CheckMirrorMonitor");
    assertThat(task(run).getId()).as("a new task: the step is reopened").isNotEqualTo(first.getId());
    assertThat(guide(run, "guideFinding")).isEqualTo(finding);
    checkMirrorMonitor(run, "DC2 server primary, DC1 servers not connected");
    assertThat(run).isEnded().hasPassed("BoundaryEvent_MirrorRolesDiffer", "EndEvent_SwitchedOver");
  }

  private ProcessInstance start(String ocdbTopology, String situation) {
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID,
        "CHG-C4-" + ocdbTopology + "-" + situation, Map.of("ocdbTopology", ocdbTopology, "situation", situation));
  }

  /** The run waits at the guided step for the database team, which names the seed line, server and scenario. */
  private void assertGuide(ProcessInstance run, String activityId, String seedLine, String server, String scenario) {
    assertThat(run).isWaitingAt(activityId);
    assertThat(task(run)).hasCandidateGroup("dr-database");
    assertThat(guide(run, "guideSeed")).startsWith("seed 002 " + seedLine);
    assertThat(guide(run, "guideSystem")).startsWith(server);
    assertThat(guide(run, "guideEnter")).isEqualTo("Select mirror scenario: " + scenario);
    assertThat(guide(run, "guideClickPath")).contains("Mirror Configuration").contains("Do not restart the cluster");
  }

  /** The promotion's 30 seconds (seed L1175, L1267) pass before Server A's step is offered. */
  private void waitThirtySeconds(ProcessInstance run) {
    assertThat(run).isWaitingAt("Event_WaitPromotion");
    assertThat(processEngine.getTaskService().createTaskQuery().processInstanceId(run.getId()).count()).isZero();
    Job timer = processEngine.getManagementService().createJobQuery().processInstanceId(run.getId()).timers()
        .singleResult();
    assertThat(timer.getDuedate().toInstant()).isBetween(Instant.now().plusSeconds(25), Instant.now().plusSeconds(31));
    execute(timer);
  }

  private void checkMirrorMonitor(ProcessInstance run, String screenValue) {
    assertThat(run).isWaitingAt("UserTask_CheckMirrorMonitor");
    assertThat(task(run)).hasCandidateGroup("dr-database");
    assertThat(guide(run, "guideSeed")).contains("L1147");
    assertThat(guide(run, "guideClickPath")).contains("System Operation > Mirror Monitor");
    String situation = String.valueOf(processEngine.getRuntimeService().getVariable(run.getId(), "situation"));
    complete(task(run), GuidedEvidence.of(screenValue, null));
    // the verified step's check: the DC2 server's Mirror Monitor over HTTP
    ScriptedSteps steps = new ScriptedSteps(processEngine).returning("Task_VerifyMirrorRoles",
        Map.of("status", 200, "body", "This member: site2.ocdb-async PRIMARY"));
    steps.drive();
    assertThat(steps.calls("Task_VerifyMirrorRoles")).singleElement().satisfies(call -> {
      assertThat(call.inputs()).containsEntry("route", "http-request").containsEntry("endpoint", "site2.ocdb-async")
          .containsEntry("method", "GET").containsEntry("path", "/csp/sys/op/mirror-monitor");
      assertThat(String.valueOf(call.input("expectBody"))).contains("This member: site2.ocdb-async PRIMARY");
      assertThat(String.valueOf(call.input("expectBody")).contains("Server A.: ASYNC, connected"))
          .as("Server A async is checked after a switchover with both up only").isEqualTo("both-up".equals(situation));
    });
  }

  private String guide(ProcessInstance run, String name) {
    Task task = task(run);
    return String.valueOf(processEngine.getTaskService().getVariable(task.getId(), name));
  }

  /** The activities the run passed, in order (events and tasks only). */
  private List<String> path(ProcessInstance run) {
    List<String> ids = new ArrayList<>();
    for (HistoricActivityInstance activity : processEngine.getHistoryService().createHistoricActivityInstanceQuery()
        .processInstanceId(run.getId()).orderByHistoricActivityInstanceStartTime().asc()
        .orderPartiallyByOccurrence().asc().list()) {
      if (activity.getActivityType().endsWith("Task") || "intermediateTimer".equals(activity.getActivityType())) {
        ids.add(activity.getActivityId());
      }
    }
    return ids;
  }
}
