package io.drrunbook.operations;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Operations telemetry: how often run metrics are read from the engine, health thresholds ({@code dr.operations.*}). */
@ConfigurationProperties(prefix = "dr.operations")
public class OperationsProperties {

  /** How often the run, incident and manual-task metrics are read from the engine database. */
  private Duration refreshInterval = Duration.ofSeconds(30);
  /** Steps waiting for a worker (unlocked external tasks on topic dr-step) above which health is DOWN. */
  private int externalTaskBacklogLimit = 100;
  /** A job due for longer than this and still not run means the job executor is not working: DOWN. */
  private Duration jobOverdueLimit = Duration.ofMinutes(10);

  public Duration getRefreshInterval() { return refreshInterval; }
  public void setRefreshInterval(Duration refreshInterval) { this.refreshInterval = refreshInterval; }
  public int getExternalTaskBacklogLimit() { return externalTaskBacklogLimit; }
  public void setExternalTaskBacklogLimit(int externalTaskBacklogLimit) { this.externalTaskBacklogLimit = externalTaskBacklogLimit; }
  public Duration getJobOverdueLimit() { return jobOverdueLimit; }
  public void setJobOverdueLimit(Duration jobOverdueLimit) { this.jobOverdueLimit = jobOverdueLimit; }
}
