package io.drrunbook.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.engine.StepWorker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Run, incident and manual-task metrics read from a real engine (the path tests' in-memory engine):
 * five runs of one procedure ended or held every way, then the registry read as Prometheus would.
 */
@ExtendWith(ProcessEngineExtension.class)
class RunMetricsTest {

  private static final String PROCEDURE = "dr-test-run-metrics";
  private static final String CONFIRM = "UserTask_Confirm";

  ProcessEngine processEngine;
  private SimpleMeterRegistry registry;
  private RunMetrics metrics;
  private String deploymentId;

  @BeforeEach
  void deploy() {
    deploymentId = processEngine.getRepositoryService().createDeployment()
        .addModelInstance("run-metrics.bpmn", Bpmn.createExecutableProcess(PROCEDURE).camundaHistoryTimeToLive(1)
            .startEvent().userTask(CONFIRM).serviceTask("Task_Step").camundaExternalTask(StepWorker.TOPIC)
            .endEvent().done())
        .deploy().getId();
    registry = new SimpleMeterRegistry();
    metrics = new RunMetrics(processEngine.getHistoryService(), processEngine.getRuntimeService(),
        processEngine.getTaskService(), processEngine.getRepositoryService(), registry, new OperationsProperties());
  }

  @AfterEach
  void undeploy() {
    if (deploymentId != null) {
      processEngine.getRepositoryService().deleteDeployment(deploymentId, true);
    }
  }

  @Test
  void shouldCountRunsPerOutcomeAndTimeCompletedTasksOnceWhenRunsEndEveryWay() {
    ProcessInstance completed = start();
    confirm(completed);
    for (LockedExternalTask step : fetchSteps()) {
      processEngine.getExternalTaskService().complete(step.getId(), "test-worker");
    }
    ProcessInstance incident = start();
    confirm(incident);
    for (LockedExternalTask step : fetchSteps()) {
      processEngine.getExternalTaskService().handleFailure(step.getId(), "test-worker", "host unreachable", 0, 0);
    }
    start();                                                   // waits at the manual step
    ProcessInstance paused = start();
    processEngine.getRuntimeService().suspendProcessInstanceById(paused.getId());
    ProcessInstance cancelled = start();
    // as the product API and Cockpit cancel: an external termination
    processEngine.getRuntimeService().deleteProcessInstance(cancelled.getId(), "cancelled by operator", false, true);

    metrics.refresh();
    metrics.refresh();

    assertThat(runs("active")).isEqualTo(1);
    assertThat(runs("incident")).isEqualTo(1);
    assertThat(runs("suspended")).isEqualTo(1);
    assertThat(runs("completed")).isEqualTo(1);
    assertThat(runs("cancelled")).isEqualTo(1);
    assertThat(runs("terminated")).isZero();
    assertThat(registry.get(RunMetrics.INCIDENTS).tag("procedure", PROCEDURE).gauge().value()).isEqualTo(1);
    // the waiting run's task and the paused run's task are open; the cancelled run's task is gone
    assertThat(registry.get(RunMetrics.WAITING).tags("procedure", PROCEDURE, "task", CONFIRM).gauge().value())
        .isEqualTo(2);
    // two tasks were completed (read twice, counted once); the cancelled one never was
    Timer wait = registry.get(RunMetrics.MANUAL_WAIT).tags("procedure", PROCEDURE, "task", CONFIRM).timer();
    assertThat(wait.count()).isEqualTo(2);
    assertThat(wait.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(0);
  }

  @Test
  void shouldDropTheProceduresSeriesWhenItIsNoLongerDeployed() {
    start();
    metrics.refresh();
    assertThat(runs("active")).isEqualTo(1);

    processEngine.getRepositoryService().deleteDeployment(deploymentId, true);
    deploymentId = null;
    metrics.refresh();

    List<Gauge> left = new ArrayList<>(registry.find(RunMetrics.RUNS).tag("procedure", PROCEDURE).gauges());
    assertThat(left).isEmpty();
  }

  private ProcessInstance start() {
    return processEngine.getRuntimeService().startProcessInstanceByKey(PROCEDURE);
  }

  private void confirm(ProcessInstance run) {
    String task = processEngine.getTaskService().createTaskQuery().processInstanceId(run.getId())
        .singleResult().getId();
    processEngine.getTaskService().complete(task);
  }

  private List<LockedExternalTask> fetchSteps() {
    return processEngine.getExternalTaskService().fetchAndLock(10, "test-worker")
        .topic(StepWorker.TOPIC, 60_000).execute();
  }

  private double runs(String outcome) {
    return registry.get(RunMetrics.RUNS).tags("procedure", PROCEDURE, "outcome", outcome).gauge().value();
  }
}
