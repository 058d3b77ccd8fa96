package io.drrunbook.runs.callbacks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Write-back to the ticket a run was started for ({@code dr.callbacks.*}): one entry per ticket
 * system under {@code systems}, keyed by the value of the run's {@code ticketSystem} variable.
 * Example configurations for ServiceNow and Jira: {@code config/callbacks-examples.yaml}.
 */
@ConfigurationProperties(prefix = "dr.callbacks")
public class CallbackProperties {

  /** Whether this node sends callbacks (events are recorded in the outbox either way). */
  private boolean workerEnabled = true;
  /** How often the delivery worker looks for due callbacks when nothing wakes it. */
  private Duration pollInterval = Duration.ofSeconds(2);
  /** Callbacks sent at once on this node. */
  private int threads = 2;
  /** Time limit to open a connection to a ticket system. */
  private Duration connectTimeout = Duration.ofSeconds(5);
  /** The link to a run that {runUrl} gives a ticket ({runId} is filled in). */
  private String runUrlTemplate = "http://localhost:8080/api/runs/{runId}";
  /** The link to a run's printable report that {reportUrl} gives a ticket when the run ends. */
  private String reportUrlTemplate = "http://localhost:8080/api/runs/{runId}/report.html";
  private Map<String, TicketSystem> systems = new LinkedHashMap<>();

  public boolean isWorkerEnabled() { return workerEnabled; }
  public void setWorkerEnabled(boolean workerEnabled) { this.workerEnabled = workerEnabled; }
  public Duration getPollInterval() { return pollInterval; }
  public void setPollInterval(Duration pollInterval) { this.pollInterval = pollInterval; }
  public int getThreads() { return threads; }
  public void setThreads(int threads) { this.threads = threads; }
  public Duration getConnectTimeout() { return connectTimeout; }
  public void setConnectTimeout(Duration connectTimeout) { this.connectTimeout = connectTimeout; }
  public String getRunUrlTemplate() { return runUrlTemplate; }
  public void setRunUrlTemplate(String runUrlTemplate) { this.runUrlTemplate = runUrlTemplate; }
  public String getReportUrlTemplate() { return reportUrlTemplate; }
  public void setReportUrlTemplate(String reportUrlTemplate) { this.reportUrlTemplate = reportUrlTemplate; }
  public Map<String, TicketSystem> getSystems() { return systems; }
  public void setSystems(Map<String, TicketSystem> systems) { this.systems = systems; }

  /** How to write to one ticket system. */
  public static class TicketSystem {
    /** Target URL; placeholders such as {ticketId} are URL-encoded when filled. */
    private String urlTemplate;
    /** POST, PUT or PATCH. */
    private String method = "POST";
    /** Secret reference (env:NAME or file:/path) of the Authorization header value; optional. */
    private String authorization;
    private String contentType = "application/json";
    /** JSON body; placeholders such as {message} are JSON-string-escaped when filled. */
    private String bodyTemplate;
    /** Which events the system wants (run-started, waiting-for-manual-step, step-failed, run-completed, run-cancelled). */
    private Set<String> events = new LinkedHashSet<>(CallbackEvent.names());
    /** Attempts of one callback before it is given up as FAILED. */
    private int maxAttempts = 5;
    /** Time limit of one attempt (connection, request and answer). */
    private Duration timeout = Duration.ofSeconds(10);
    private Backoff backoff = new Backoff();

    public String getUrlTemplate() { return urlTemplate; }
    public void setUrlTemplate(String urlTemplate) { this.urlTemplate = urlTemplate; }
    public String getMethod() { return method; }
    public void setMethod(String method) { this.method = method; }
    public String getAuthorization() { return authorization; }
    public void setAuthorization(String authorization) { this.authorization = authorization; }
    public String getContentType() { return contentType; }
    public void setContentType(String contentType) { this.contentType = contentType; }
    public String getBodyTemplate() { return bodyTemplate; }
    public void setBodyTemplate(String bodyTemplate) { this.bodyTemplate = bodyTemplate; }
    public Set<String> getEvents() { return events; }
    public void setEvents(Set<String> events) { this.events = events; }
    public int getMaxAttempts() { return maxAttempts; }
    public void setMaxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
    public Backoff getBackoff() { return backoff; }
    public void setBackoff(Backoff backoff) { this.backoff = backoff; }
  }

  /** Wait before attempt n+1: initial * multiplier^(n-1), at most max. */
  public static class Backoff {
    private Duration initial = Duration.ofSeconds(10);
    private double multiplier = 2.0;
    private Duration max = Duration.ofMinutes(10);

    public Duration getInitial() { return initial; }
    public void setInitial(Duration initial) { this.initial = initial; }
    public double getMultiplier() { return multiplier; }
    public void setMultiplier(double multiplier) { this.multiplier = multiplier; }
    public Duration getMax() { return max; }
    public void setMax(Duration max) { this.max = max; }

    /** The wait after the given failed attempt (1 = the first). */
    public Duration after(int attempt) {
      double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
      return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }
  }
}
