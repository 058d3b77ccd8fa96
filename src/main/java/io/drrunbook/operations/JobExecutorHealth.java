package io.drrunbook.operations;

import java.time.Instant;
import java.util.Date;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.runtime.Job;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * Health component {@code jobExecutor}: judged by its effect, through the engine's public API.
 * Jobs (timers, asynchronous continuations) that have been due for longer than
 * {@code dr.operations.job-overdue-limit} and are still not run mean no job executor is working:
 * DOWN. Details: whether this node runs jobs ({@code camunda.bpm.job-execution.enabled}), jobs due
 * now, jobs acquired by an executor, jobs out of retries (incidents), jobs overdue.
 *
 * <p>Replaces Camunda's own {@code jobExecutor} indicator (turned off with
 * {@code management.health.camunda.enabled=false}), which needs the engine's internal job executor
 * class and only says whether its thread was started.
 */
@Component("jobExecutorHealthIndicator")
public class JobExecutorHealth extends AbstractHealthIndicator {

  /** Overdue jobs listed to tell async continuations (no due date) from late timers. */
  private static final int OVERDUE_SAMPLE = 100;

  private final ManagementService management;
  private final OperationsProperties properties;
  private final boolean enabled;

  public JobExecutorHealth(ManagementService management, OperationsProperties properties,
      @Value("${camunda.bpm.job-execution.enabled:true}") boolean enabled) {
    super("job query failed");
    this.management = management;
    this.properties = properties;
    this.enabled = enabled;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    Date cutoff = Date.from(Instant.now().minus(properties.getJobOverdueLimit()));
    long due = management.createJobQuery().executable().active().count();
    long acquired = management.createJobQuery().acquired().count();
    long failed = management.createJobQuery().noRetriesLeft().count();
    // due since before the cutoff: a due date before it, or created before it without a due date
    long overdue = management.createJobQuery().executable().active().createdBefore(cutoff)
        .listPage(0, OVERDUE_SAMPLE).stream()
        .filter(job -> overdue(job, cutoff)).count();
    builder.status(overdue > 0 ? Status.DOWN : Status.UP)
        .withDetail("enabled", enabled)
        .withDetail("dueJobs", due)
        .withDetail("acquiredJobs", acquired)
        .withDetail("failedJobs", failed)
        .withDetail("overdueJobs", overdue)
        .withDetail("overdueLimit", properties.getJobOverdueLimit().toString());
    if (overdue > 0) {
      builder.withDetail("reason", "jobs due for more than " + properties.getJobOverdueLimit()
          + " have not run: no job executor is acquiring jobs");
    }
  }

  private static boolean overdue(Job job, Date cutoff) {
    return job.getDuedate() == null || job.getDuedate().before(cutoff);
  }
}
