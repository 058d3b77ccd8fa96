package io.drrunbook.operations;

import io.drrunbook.engine.StepProperties;
import io.drrunbook.engine.StepWorker;
import org.camunda.bpm.engine.ExternalTaskService;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/**
 * Health component {@code node}: which node of the engine database this is and what it holds, for
 * an operator looking at several nodes. {@code name} ({@code dr.steps.node-name}, or the host name),
 * {@code workerId} (what a step this node works shows as its lock's worker, in Cockpit and the
 * engine's REST API), {@code stepWorker} (running, or off on this node), {@code stepsHeld}: steps
 * this node's worker has locked now (a node that dies with steps held leaves them to the other
 * nodes once their locks expire). Always UP: the other components say whether anything is wrong.
 */
@Component("nodeHealthIndicator")
public class NodeHealth extends AbstractHealthIndicator {

  private final StepWorker worker;
  private final StepProperties properties;
  private final ExternalTaskService externalTasks;

  public NodeHealth(StepWorker worker, StepProperties properties, ExternalTaskService externalTasks) {
    super("node query failed");
    this.worker = worker;
    this.properties = properties;
    this.externalTasks = externalTasks;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.up()
        .withDetail("name", StepWorker.nodeName(properties))
        .withDetail("workerId", worker.workerId())
        .withDetail("stepWorker", worker.isRunning() ? "running" : "off")
        .withDetail("stepsHeld", externalTasks.createExternalTaskQuery().topicName(StepWorker.TOPIC)
            .workerId(worker.workerId()).locked().count());
  }
}
