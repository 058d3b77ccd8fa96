package io.drrunbook.operations;

import io.drrunbook.engine.StepWorker;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.externaltask.ExternalTaskQuery;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * Health component {@code externalTasks}: the automated steps on topic {@value StepWorker#TOPIC}.
 * {@code backlog}: steps waiting for a worker (not locked, not suspended, retries left);
 * {@code locked}: steps a worker holds (running, or waiting out a retry back-off); {@code failed}:
 * steps out of retries (incidents, waiting for a person's decision); {@code suspended}: steps of
 * paused runs. UP unless the backlog exceeds {@code dr.operations.external-task-backlog-limit}
 * (then DOWN: steps are not being picked up) or the engine does not answer.
 */
@Component("externalTasksHealthIndicator")
public class ExternalTaskHealth extends AbstractHealthIndicator {

  private final ExternalTaskService externalTasks;
  private final OperationsProperties properties;

  public ExternalTaskHealth(ExternalTaskService externalTasks, OperationsProperties properties) {
    super("external task query failed");
    this.externalTasks = externalTasks;
    this.properties = properties;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    long backlog = steps().notLocked().active().withRetriesLeft().count();
    long locked = steps().locked().count();
    long failed = steps().noRetriesLeft().count();
    long suspended = steps().suspended().count();
    int limit = properties.getExternalTaskBacklogLimit();
    builder.status(backlog > limit ? Status.DOWN : Status.UP)
        .withDetail("topic", StepWorker.TOPIC)
        .withDetail("backlog", backlog)
        .withDetail("backlogLimit", limit)
        .withDetail("locked", locked)
        .withDetail("failed", failed)
        .withDetail("suspended", suspended);
    if (backlog > limit) {
      builder.withDetail("reason", backlog + " steps wait for a worker, more than " + limit);
    }
  }

  private ExternalTaskQuery steps() {
    return externalTasks.createExternalTaskQuery().topicName(StepWorker.TOPIC);
  }
}
