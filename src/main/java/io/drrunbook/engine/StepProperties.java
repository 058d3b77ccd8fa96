package io.drrunbook.engine;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** How the step worker runs automated steps ({@code dr.steps.*}). */
@ConfigurationProperties(prefix = "dr.steps")
public class StepProperties {

  /**
   * This node's name, the start of its worker id (so that a locked step shows which node works it)
   * and named by health; empty: the host name. Give each node of one engine database its own.
   */
  private String nodeName = "";
  /** Whether this node runs automated steps at all (off for engine-only tests). */
  private boolean workerEnabled = true;
  /** Attempts of a failing step before it raises an incident. */
  private int retries = 3;
  /** Wait before each retry; the last value repeats. */
  private List<Duration> retryBackoff = List.of(
      Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(5));
  /** Lock taken on a step; renewed every third of it while the step runs. */
  private Duration lockDuration = Duration.ofSeconds(60);
  /** How often to look for new steps when idle. */
  private Duration pollInterval = Duration.ofMillis(500);
  /** Steps that may run at once on this node. */
  private int threads = 32;
  /** Characters of stdout/stderr or other text kept per field in the run's history. */
  private int outputLimit = 2000;
  /** Time limit of one attempt at a step, unless its route or the task says otherwise. */
  private Duration timeLimit = Duration.ofMinutes(15);
  /** Time limit of one attempt per connector route ({@code dr.steps.time-limits.<route>}). */
  private Map<String, Duration> timeLimits = new HashMap<>();

  public String getNodeName() { return nodeName; }
  public void setNodeName(String nodeName) { this.nodeName = nodeName; }
  public boolean isWorkerEnabled() { return workerEnabled; }
  public void setWorkerEnabled(boolean workerEnabled) { this.workerEnabled = workerEnabled; }
  public int getRetries() { return retries; }
  public void setRetries(int retries) { this.retries = retries; }
  public List<Duration> getRetryBackoff() { return retryBackoff; }
  public void setRetryBackoff(List<Duration> retryBackoff) { this.retryBackoff = retryBackoff; }
  public Duration getLockDuration() { return lockDuration; }
  public void setLockDuration(Duration lockDuration) { this.lockDuration = lockDuration; }
  public Duration getPollInterval() { return pollInterval; }
  public void setPollInterval(Duration pollInterval) { this.pollInterval = pollInterval; }
  public int getThreads() { return threads; }
  public void setThreads(int threads) { this.threads = threads; }
  public Duration getTimeLimit() { return timeLimit; }
  public void setTimeLimit(Duration timeLimit) { this.timeLimit = timeLimit; }
  public Map<String, Duration> getTimeLimits() { return timeLimits; }
  public void setTimeLimits(Map<String, Duration> timeLimits) { this.timeLimits = timeLimits; }
  public int getOutputLimit() { return outputLimit; }
  public void setOutputLimit(int outputLimit) { this.outputLimit = outputLimit; }

  /** The time limit of an attempt at a step of {@code route}, without a task-level override. */
  public Duration timeLimitFor(String route) {
    return timeLimits.getOrDefault(route, timeLimit);
  }

  /** The wait before the retry that follows when {@code retriesLeft} attempts remain. */
  public Duration backoffFor(int retriesLeft) {
    int attempt = Math.max(0, retries - retriesLeft - 1);
    if (retryBackoff.isEmpty()) {
      return Duration.ZERO;
    }
    return retryBackoff.get(Math.min(attempt, retryBackoff.size() - 1));
  }
}
