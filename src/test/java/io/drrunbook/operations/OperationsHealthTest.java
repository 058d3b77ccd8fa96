package io.drrunbook.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drrunbook.engine.StepWorker;
import java.time.Duration;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * The health components against a real engine without a job executor or step worker (the path
 * tests' in-memory engine): steps and jobs pile up there, as they would when the workers stopped.
 */
@ExtendWith(ProcessEngineExtension.class)
class OperationsHealthTest {

  ProcessEngine processEngine;
  private String deploymentId;

  @AfterEach
  void undeploy() {
    if (deploymentId != null) {
      processEngine.getRepositoryService().deleteDeployment(deploymentId, true);
    }
  }

  @Test
  void shouldReportTheBacklogAndGoDownWhenMoreStepsWaitThanTheLimit() {
    deploy(Bpmn.createExecutableProcess("dr-test-backlog").camundaHistoryTimeToLive(1)
        .startEvent().serviceTask("Task_Step").camundaExternalTask(StepWorker.TOPIC).endEvent().done());
    for (int i = 0; i < 3; i++) {
      processEngine.getRuntimeService().startProcessInstanceByKey("dr-test-backlog");
    }
    processEngine.getExternalTaskService().fetchAndLock(1, "test-worker")
        .topic(StepWorker.TOPIC, 60_000).execute();

    Health withinLimit = new ExternalTaskHealth(processEngine.getExternalTaskService(), limits(2, null)).health();
    assertThat(withinLimit.getStatus()).isEqualTo(Status.UP);
    assertThat(withinLimit.getDetails()).containsEntry("backlog", 2L).containsEntry("locked", 1L)
        .containsEntry("failed", 0L).containsEntry("topic", "dr-step").doesNotContainKey("reason");

    Health overLimit = new ExternalTaskHealth(processEngine.getExternalTaskService(), limits(1, null)).health();
    assertThat(overLimit.getStatus()).isEqualTo(Status.DOWN);
    assertThat(overLimit.getDetails()).containsEntry("backlog", 2L).containsEntry("backlogLimit", 1)
        .containsEntry("reason", "2 steps wait for a worker, more than 1");
  }

  @Test
  void shouldGoDownWhenAJobStaysDueBeyondTheLimitAndComeBackUpOnceItRan() {
    deploy(Bpmn.createExecutableProcess("dr-test-jobs").camundaHistoryTimeToLive(1)
        .startEvent().camundaAsyncAfter().userTask("UserTask_Wait").endEvent().done());
    processEngine.getRuntimeService().startProcessInstanceByKey("dr-test-jobs");

    Health recent = new JobExecutorHealth(processEngine.getManagementService(),
        limits(100, Duration.ofMinutes(10)), true).health();
    assertThat(recent.getStatus()).isEqualTo(Status.UP);
    assertThat(recent.getDetails()).containsEntry("dueJobs", 1L).containsEntry("overdueJobs", 0L)
        .containsEntry("enabled", true);

    JobExecutorHealth strict = new JobExecutorHealth(processEngine.getManagementService(),
        limits(100, Duration.ofMillis(200)), true);
    Health overdue = await("job overdue").atMost(Duration.ofSeconds(5))
        .until(strict::health, health -> health.getStatus().equals(Status.DOWN));
    assertThat(overdue.getDetails()).containsEntry("overdueJobs", 1L)
        .hasEntrySatisfying("reason", reason -> assertThat(reason.toString()).contains("no job executor"));

    String job = processEngine.getManagementService().createJobQuery().singleResult().getId();
    processEngine.getManagementService().executeJob(job);
    Health ran = strict.health();
    assertThat(ran.getStatus()).isEqualTo(Status.UP);
    assertThat(ran.getDetails()).containsEntry("dueJobs", 0L).containsEntry("overdueJobs", 0L);
  }

  @Test
  void shouldReportTheEngineUpWithItsProceduresWhenItAnswers() {
    deploy(Bpmn.createExecutableProcess("dr-test-engine").camundaHistoryTimeToLive(1)
        .startEvent().endEvent().done());

    Health health = new EngineHealth(processEngine).health();

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails()).containsEntry("name", processEngine.getName());
    assertThat((Long) health.getDetails().get("procedures")).isGreaterThanOrEqualTo(1L);
  }

  private void deploy(BpmnModelInstance model) {
    deploymentId = processEngine.getRepositoryService().createDeployment()
        .addModelInstance("telemetry-test.bpmn", model).deploy().getId();
  }

  private static OperationsProperties limits(int backlog, Duration jobOverdue) {
    OperationsProperties properties = new OperationsProperties();
    properties.setExternalTaskBacklogLimit(backlog);
    if (jobOverdue != null) {
      properties.setJobOverdueLimit(jobOverdue);
    }
    return properties;
  }
}
