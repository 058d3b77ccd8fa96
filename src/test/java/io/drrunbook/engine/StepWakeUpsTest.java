package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drrunbook.DrillContext;
import io.drrunbook.DrillTasks;
import io.drrunbook.TestRuns;
import io.drrunbook.common.DrGroups;
import io.drrunbook.engine.StepWorker.Pickup;
import io.drrunbook.lab.Lab;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricExternalTaskLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A step is picked up because it was created, not because the poll interval passed: after a REST
 * or engine start and after a completed user task, the worker records what made it fetch each step.
 */
@DrillContext
class StepWakeUpsTest {

  private static final String A1 = "dr-genesys-cs-failover";
  private static final String TICKET = "WAKE-";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired StepWorker worker;
  @Autowired Lab lab;

  @BeforeEach
  void resetLab() {
    lab.reset();
  }

  @AfterEach
  void deleteRuns() {
    TestRuns.deleteAll(runtime, TICKET);
  }

  @Test
  void shouldPickUpTheStepAfterAUserTaskBecauseItWasCreatedNotBecauseThePollIntervalPassed() {
    long createdBefore = worker.pickupCounts().get(Pickup.STEP_CREATED);
    identity.setAuthentication("operator", List.of(DrGroups.OPERATORS));
    String runId;
    try {
      runId = runtime.startProcessInstanceByKey(A1, TICKET + "1", Map.of("runMode", "drill")).getId();
    } finally {
      identity.clearAuthentication();
    }
    // the first step follows the start event at once
    String firstStep = history.createHistoricActivityInstanceQuery().processInstanceId(runId)
        .activityType("serviceTask").orderByHistoricActivityInstanceStartTime().asc().list().get(0)
        .getActivityId();
    assertThat(pickup(runId, firstStep)).isNotEqualTo(Pickup.POLL);

    DrillTasks.complete(tasks, identity, runId, "UserTask_DeclareDisaster", "approver", DrGroups.APPROVERS,
        Map.of("disasterDeclared", true, "disasterReason", "wake-up test", "decidedBy", "DR manager"));

    // the step after the approval: fetched because its creation woke the worker
    assertThat(pickup(runId, "Task_StopReplication")).isEqualTo(Pickup.STEP_CREATED);
    assertThat(worker.pickupCounts().get(Pickup.STEP_CREATED)).isGreaterThanOrEqualTo(createdBefore + 2);
  }

  /** What made the worker fetch the run's step at {@code activityId}, once it fetched it. */
  private Pickup pickup(String runId, String activityId) {
    HistoricExternalTaskLog created = await(activityId + " created").atMost(Duration.ofSeconds(60))
        .until(() -> history.createHistoricExternalTaskLogQuery().processInstanceId(runId)
            .activityIdIn(activityId).creationLog().list(), list -> !list.isEmpty()).get(0);
    return await(activityId + " fetched").atMost(Duration.ofSeconds(60))
        .until(() -> worker.pickupOf(created.getExternalTaskId()).orElse(null), cause -> cause != null);
  }
}
