package io.drrunbook.runs;

import io.drrunbook.engine.PeriodicTask;
import io.drrunbook.plans.RunPlans;
import io.drrunbook.runs.callbacks.CallbackOutbox;
import java.time.Duration;
import java.time.Instant;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Deletes product rows that nobody needs any more, every {@code dr.retention.interval}: callbacks
 * delivered or given up longer than {@code dr.retention.callbacks-after} ago (with their attempts),
 * and the plans of dry-run and precheck runs that ended longer than {@code dr.retention.plans-after}
 * ago (or whose history the engine has removed). Decisions, step journal, run keys, modes and
 * prechecks are kept.
 */
@Component
public class ProductRetention {

  /** Plans looked at per round; the next round takes the rest. */
  static final int PLAN_RUNS_PER_ROUND = 500;
  private static final Logger log = LoggerFactory.getLogger(ProductRetention.class);

  private final CallbackOutbox outbox;
  private final RunPlans plans;
  private final RuntimeService runtime;
  private final HistoryService history;
  private final Duration callbacksAfter;
  private final Duration plansAfter;
  private final PeriodicTask rounds;

  public ProductRetention(CallbackOutbox outbox, RunPlans plans, RuntimeService runtime,
      HistoryService history, @Value("${dr.retention.callbacks-after:30d}") Duration callbacksAfter,
      @Value("${dr.retention.plans-after:30d}") Duration plansAfter,
      @Value("${dr.retention.interval:1h}") Duration interval) {
    this.outbox = outbox;
    this.plans = plans;
    this.runtime = runtime;
    this.history = history;
    this.callbacksAfter = callbacksAfter;
    this.plansAfter = plansAfter;
    this.rounds = new PeriodicTask("dr-retention", interval, () -> purge(Instant.now()));
  }

  @EventListener(ApplicationReadyEvent.class)
  public void start() {
    rounds.start();
  }

  @jakarta.annotation.PreDestroy
  public void stop() {
    rounds.stop();
  }

  /** One round as at {@code now}: deletes what is older than its retention. */
  public void purge(Instant now) {
    int callbacks = outbox.purgeFinished(now.minus(callbacksAfter));
    Instant plansBefore = now.minus(plansAfter);
    int planRuns = 0;
    for (String runId : plans.runsRecordedBefore(plansBefore, PLAN_RUNS_PER_ROUND)) {
      if (endedBefore(runId, plansBefore)) {
        plans.delete(runId);
        planRuns++;
      }
    }
    if (callbacks > 0 || planRuns > 0) {
      log.info("retention: deleted {} finished callbacks and the plans of {} ended runs", callbacks,
          planRuns);
    }
  }

  /** Whether the run has ended before {@code before}; a run without history has ended long ago. */
  private boolean endedBefore(String runId, Instant before) {
    if (runtime.createProcessInstanceQuery().processInstanceId(runId).count() > 0) {
      return false;
    }
    HistoricProcessInstance run = history.createHistoricProcessInstanceQuery().processInstanceId(runId)
        .singleResult();
    return run == null || (run.getEndTime() != null && run.getEndTime().toInstant().isBefore(before));
  }
}
