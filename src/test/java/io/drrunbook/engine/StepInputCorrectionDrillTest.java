package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drrunbook.DrillContext;
import io.drrunbook.TestRuns;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import java.time.Duration;
import java.util.HashMap;
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

/**
 * Fix the cause, then retry, against the drill lab: B2's "Start Replicat at Site 3 after the export
 * SCN" alone (a test process), its input {@code scn} taken from the run variable {@code exportScn}.
 * Run without a usable exportScn, the step fails naming the input and its source; once the run
 * variable is corrected (through the failure decision's correction, or through the engine API),
 * Retry now starts the lab's Replicat once, after the corrected SCN.
 */
@DrillContext
class StepInputCorrectionDrillTest {

  private static final String PROCESS = "dr-test-step-input-source";
  private static final String OGG3 = "site3.gim-ogg";
  private static final String START = "ggsci START REPLICAT REPGIM AFTERCSN";
  private static final String TICKET_PREFIX = "CORRECT-";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired RepositoryService repository;
  @Autowired Lab lab;

  @BeforeEach
  void deployAndResetLab() {
    repository.createDeployment().name("test-step-input-source").enableDuplicateFiltering(true)
        .addClasspathResource("step-inputs/dr-test-step-input-source.bpmn").deploy();
    lab.reset();
  }

  @AfterEach
  void cleanUp() {
    TestRuns.deleteAll(runtime, TICKET_PREFIX);
    lab.reset();
  }

  @Test
  void shouldRetryWithTheInputCorrectedInTheDecisionAndNameTheInputAndItsSourceInTheFailure() {
    ProcessInstance run = start("EMPTY", null);
    Task decision = awaitDecision(run);

    Map<String, Object> shown = tasks.getVariables(decision.getId());
    assertThat(String.valueOf(shown.get(StepFailureDecisions.STEP_ERROR)))
        .contains("the step has no input 'scn' (scn <- exportScn)");
    assertThat(String.valueOf(shown.get(StepFailureDecisions.STEP_INPUT_SOURCES))).isEqualTo("scn ← exportScn");
    assertThatThrownBy(() -> decide(decision, "retry", "host", "4711"))
        .hasMessageContaining("'host' (correctInput) is not an input of this step that comes from a run"
            + " variable; the step's correctable inputs: scn");
    assertThatThrownBy(() -> decide(decision, "retry", "scn", " "))
        .hasMessageContaining("the corrected value of input scn (correctValue) is empty");
    assertThatThrownBy(() -> decide(decision, "skip", "scn", "4711"))
        .hasMessageContaining("an input is only corrected with retry");
    assertThat(lab.state().actionCount(OGG3, START)).isZero();

    decide(decision, "retry", "scn", "4711");
    awaitCompleted(run);

    assertThat(lab.state().state(OGG3, "REPGIM")).isEqualTo("RUNNING");
    assertThat(String.valueOf(lab.state().attribute(OGG3, "REPGIM", "startedAtScn"))).isEqualTo("4711");
    assertThat(lab.state().actionCount(OGG3, START)).isEqualTo(1);
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(run.getId())
        .variableName("exportScn").singleResult().getValue()).isEqualTo("4711");
  }

  @Test
  void shouldRetryWithTheRunVariableAsCorrectedThroughTheEngineApi() {
    ProcessInstance run = start("BAD", "after-the-export");
    Task decision = awaitDecision(run);
    assertThat(String.valueOf(tasks.getVariable(decision.getId(), StepFailureDecisions.STEP_ERROR)))
        .contains("input scn is 'after-the-export', expected digits (scn <- exportScn)");

    // what a person does in Cockpit or through the REST API: the run variable, not the step's input
    runtime.setVariable(run.getId(), "exportScn", "5000");
    decide(decision, "retry", null, null);
    awaitCompleted(run);

    assertThat(String.valueOf(lab.state().attribute(OGG3, "REPGIM", "startedAtScn"))).isEqualTo("5000");
    assertThat(lab.state().actionCount(OGG3, START)).isEqualTo(1);
  }

  private ProcessInstance start(String name, String exportScn) {
    Map<String, Object> variables = new HashMap<>();
    variables.put("exportScn", exportScn);
    return runtime.startProcessInstanceByKey(PROCESS, TICKET_PREFIX + name + "-" + System.nanoTime(), variables);
  }

  private Task awaitDecision(ProcessInstance run) {
    return await("decision task").atMost(Duration.ofSeconds(60)).until(() -> tasks.createTaskQuery()
        .processDefinitionKey(StepFailureDecisions.PROCESS)
        .processVariableValueEquals(StepFailureDecisions.RUN_ID, run.getId()).singleResult(), t -> t != null);
  }

  private void decide(Task decision, String choice, String input, String value) {
    Map<String, Object> variables = new HashMap<>();
    variables.put(StepFailureDecisions.CHOICE, choice);
    variables.put(StepFailureDecisions.NOTE, "export SCN from the expdp log");
    variables.put(StepFailureDecisions.CORRECT_INPUT, input);
    variables.put(StepFailureDecisions.CORRECT_VALUE, value);
    identity.setAuthentication("approver", List.of(DrGroups.APPROVERS, DrGroups.OPERATORS));
    try {
      tasks.complete(decision.getId(), variables);
    } finally {
      identity.clearAuthentication();
    }
  }

  private void awaitCompleted(ProcessInstance run) {
    await("run completed").atMost(Duration.ofSeconds(60)).until(() -> history
        .createHistoricProcessInstanceQuery().processInstanceId(run.getId()).finished().count() == 1);
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(run.getId()).singleResult()
        .getState()).isEqualTo(HistoricProcessInstance.STATE_COMPLETED);
  }
}
