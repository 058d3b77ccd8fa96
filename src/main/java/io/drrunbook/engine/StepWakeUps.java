package io.drrunbook.engine;

import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.spring.boot.starter.event.ExecutionEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Wakes the step worker as soon as a {@code dr-step} task exists: the Camunda Spring Boot starter
 * publishes an {@link ExecutionEvent} for every activity start (camunda.bpm.eventing.execution, on
 * by default) inside the engine's transaction; when the activity is an automated step, the worker is
 * woken once that transaction has committed (before, a fetch would not see the step). A REST start,
 * a completed user task or a timer that leads to a step is then picked up at once instead of at the
 * next poll. Only this node's transactions are seen: steps created on another node wait for the poll.
 */
@Component
public class StepWakeUps {

  private final ProcessModels models;
  private final StepWorker worker;

  public StepWakeUps(ProcessModels models, StepWorker worker) {
    this.models = models;
    this.worker = worker;
  }

  @EventListener
  public void onActivityStarted(ExecutionEvent event) {
    if (!ExecutionListener.EVENTNAME_START.equals(event.getEventName())
        || !models.isStep(event.getProcessDefinitionId(), event.getCurrentActivityId())) {
      return;
    }
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          worker.wakeUp(StepWorker.Pickup.STEP_CREATED);
        }
      });
    } else {
      worker.wakeUp(StepWorker.Pickup.STEP_CREATED);
    }
  }
}
