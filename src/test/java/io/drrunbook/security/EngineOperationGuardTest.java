package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which engine calls the guard refuses to non-admins, and which it leaves to the engine. */
class EngineOperationGuardTest {

  @Test
  void shouldRefuseTheOperationsThatUndoAGuaranteeWhenTheMethodChangesSomething() {
    assertThat(EngineOperationGuard.refusal("POST", "/process-instance/r1/modification")).isPresent();
    assertThat(EngineOperationGuard.refusal("POST", "/modification/executeAsync")).isPresent();
    assertThat(EngineOperationGuard.refusal("POST", "/process-definition/key/dr-x/restart-async")).isPresent();
    assertThat(EngineOperationGuard.refusal("POST", "/migration/generate")).isPresent();
    assertThat(EngineOperationGuard.refusal("POST", "/external-task/fetchAndLock")).isPresent();
    assertThat(EngineOperationGuard.refusal("POST", "/external-task/t1/complete")).isPresent();
    assertThat(EngineOperationGuard.refusal("PUT", "/external-task/retries")).isPresent();
    assertThat(EngineOperationGuard.refusal("PUT", "/job/j1/retries")).isPresent();
    assertThat(EngineOperationGuard.refusal("POST", "/job/j1/execute")).isPresent();
    assertThat(EngineOperationGuard.refusal("PUT", "/job-definition/d1/retries")).isPresent();
    assertThat(EngineOperationGuard.refusal("DELETE", "/process-instance/r1/variables/runMode")).isPresent();
    assertThat(EngineOperationGuard.refusal("PUT", "/execution/e1/localVariables/decidedBy")).isPresent();
    assertThat(EngineOperationGuard.refusal("POST", "/task/t1/variables")).isPresent();
    assertThat(EngineOperationGuard.refusal("PUT", "/process-instance/suspended")).isPresent();
    assertThat(EngineOperationGuard.refusal("DELETE", "/process-instance/r1")).isPresent();
    assertThat(EngineOperationGuard.refusal("POST", "/process-instance/job-retries")).isPresent();
    assertThat(EngineOperationGuard.refusal("POST", "/process-instance/variables-async")).hasValue("changing runs in a batch");
  }

  @Test
  void shouldLeaveReadsQueriesAndTaskWorkToTheEngineWhenNothingIsChanged() {
    assertThat(EngineOperationGuard.refusal("GET", "/process-instance/r1/variables")).isEmpty();
    assertThat(EngineOperationGuard.refusal("GET", "/external-task/t1")).isEmpty();
    assertThat(EngineOperationGuard.refusal("POST", "/external-task")).isEmpty();
    assertThat(EngineOperationGuard.refusal("POST", "/external-task/count")).isEmpty();
    assertThat(EngineOperationGuard.refusal("POST", "/job")).isEmpty();
    assertThat(EngineOperationGuard.refusal("GET", "/process-instance/r1")).isEmpty();
    assertThat(EngineOperationGuard.refusal("POST", "/process-instance")).isEmpty();
    assertThat(EngineOperationGuard.refusal("POST", "/process-instance/count")).isEmpty();
    assertThat(EngineOperationGuard.refusal("POST", "/task/t1/complete")).isEmpty();
    assertThat(EngineOperationGuard.refusal("POST", "/task/t1/claim")).isEmpty();
    assertThat(EngineOperationGuard.refusal("POST", "/process-definition/key/dr-x/start")).isEmpty();
  }

  @Test
  void shouldRefuseAStartWhenItCarriesInstructionsOrSkipFlags() {
    assertThat(EngineOperationGuard.startRefusal(bytes(
        "{\"startInstructions\": [{\"type\": \"startBeforeActivity\", \"activityId\": \"Task_X\"}]}"))).isPresent();
    assertThat(EngineOperationGuard.startRefusal(bytes("{\"skipCustomListeners\": true}"))).isPresent();
    assertThat(EngineOperationGuard.startRefusal(bytes("{\"skipIoMappings\": true}"))).isPresent();
    assertThat(EngineOperationGuard.startRefusal(bytes("{\"businessKey\": \"CHG1\", \"startInstructions\": []}"))).isEmpty();
    assertThat(EngineOperationGuard.startRefusal(bytes(""))).isEmpty();
  }

  @Test
  void shouldRefuseATaskCompletionWhenItSetsARunVariable() {
    for (String name : EngineOperationGuard.RUN_VARIABLES) {
      assertThat(EngineOperationGuard.completionRefusal(bytes("{\"variables\": {\"" + name + "\": {\"value\": \"x\"}}}")))
          .as(name).isPresent();
    }
    assertThat(EngineOperationGuard.completionRefusal(bytes(
        "{\"variables\": {\"disasterDeclared\": {\"value\": true}}}"))).isEmpty();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
