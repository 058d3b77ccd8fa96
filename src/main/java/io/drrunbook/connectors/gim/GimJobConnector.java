package io.drrunbook.connectors.gim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepInputs;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.StepPlanner;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.connectors.http.HttpRequestConnector;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Endpoint;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * The {@code gim-job} connector: jobs and aggregation of a site's Genesys Info Mart through its
 * Administration Console API (seed 001 steps 5.2, 7.2-7.3, 8.1-8.2; B2 step 15). Used by the
 * service tasks of {@code dr-gim-site-failover} and {@code dr-gim-return-to-normal} that start
 * Job_MigrateGIM / Job_MaintainGIM, poll them, and stop the aggregation job.
 *
 * <p>Operations (input {@code operation}):
 * <ul>
 *   <li>{@code start} + {@code job}: check (GET the job: RUNNING, or COMPLETED by this very step's
 *       earlier attempt, i.e. the same {@code idempotencyKey} -> not started twice, changed=false),
 *       start (POST .../start with the idempotency key as requestId), verify (GET: the run just started
 *       is RUNNING, COMPLETED or already FAILED, else DR_VERIFY_FAILED; a failure is reported by
 *       {@code status}).</li>
 *   <li>{@code status} + {@code job}: one read, no waiting: RUNNING -> BPMN error DR_JOB_RUNNING (the
 *       model catches it and loops through a timer), FAILED -> DR_JOB_FAILED with the job's own
 *       message, COMPLETED -> the result; a job never started (IDLE) is a technical failure.</li>
 *   <li>{@code stop-aggregation}: check (STOPPED -> changed=false), stop, verify STOPPED.</li>
 * </ul>
 * HTTP goes through {@link HttpRequestConnector#send} (the endpoint's Authorization secret); 4xx is
 * DR_HTTP_REJECTED with the console's error, 5xx / refused / time limit are technical (retried).
 */
@Component("gimJob")
public class GimJobConnector implements StepPlanner {

  public static final String ROUTE = "gim-job";
  public static final Set<String> OPERATIONS = Set.of("start", "status", "stop-aggregation");
  /** States of a run that has started (whether it then failed is the status step's business). */
  private static final Set<String> STARTED = Set.of("RUNNING", "COMPLETED", "FAILED");
  private static final Pattern JOB = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpRequestConnector http;
  private final Topology topology;

  public GimJobConnector(HttpRequestConnector http, Topology topology) {
    this.http = http;
    this.topology = topology;
  }

  /** The route's entry point: the step's inputs in, the result map out. */
  public Map<String, Object> call(Map<String, Object> body) throws IOException, InterruptedException {
    StepInputs in = new StepInputs(body);
    String endpoint = in.required("endpoint");
    topology.endpoint(endpoint);
    String operation = operation(in);
    Duration timeout = in.timeout(Duration.ofSeconds(30));
    return switch (operation) {
      case "start" -> start(endpoint, job(in), in.idempotencyKey(), timeout);
      case "status" -> status(endpoint, job(in), in.optional("runId", null), timeout);
      default -> stopAggregation(endpoint, timeout);
    };
  }

  private Map<String, Object> start(String endpoint, String job, String key, Duration timeout)
      throws IOException, InterruptedException {
    JsonNode before = request(endpoint, "GET", jobPath(job), null, timeout);
    String state = before.path("state").asText();
    boolean ownRun = !key.isEmpty() && key.equals(before.path("requestId").asText());
    if ("RUNNING".equals(state) || ("COMPLETED".equals(state) && ownRun)) {
      return jobResult(job, before, false);
    }
    String requestBody = JSON.createObjectNode().put("requestId", key).toString();
    JsonNode started = request(endpoint, "POST", jobPath(job) + "/start", requestBody, timeout);
    long runId = started.path("runId").asLong();
    JsonNode after = request(endpoint, "GET", jobPath(job), null, timeout);
    String now = after.path("state").asText();
    if (after.path("runId").asLong() != runId || !STARTED.contains(now)) {
      throw new StepBusinessException("DR_VERIFY_FAILED", job + " at " + endpoint + " was started as run "
          + runId + " but the console shows run " + after.path("runId").asText() + " " + now
          + ": " + after.path("message").asText(), jobResult(job, after, true));
    }
    return jobResult(job, after, true);
  }

  private Map<String, Object> status(String endpoint, String job, String runId, Duration timeout)
      throws IOException, InterruptedException {
    JsonNode current = request(endpoint, "GET", jobPath(job), null, timeout);
    String state = current.path("state").asText();
    Map<String, Object> result = jobResult(job, current, false);
    if (runId != null && !runId.equals(current.path("runId").asText())) {
      throw new IllegalStateException(job + " at " + endpoint + ": the console shows run "
          + current.path("runId").asText() + ", not the run " + runId + " this procedure started");
    }
    return switch (state) {
      case "COMPLETED" -> result;
      case "RUNNING" -> throw new StepBusinessException("DR_JOB_RUNNING",
          job + " at " + endpoint + " is still running (run " + current.path("runId").asText() + ")", result);
      case "FAILED" -> throw new StepBusinessException("DR_JOB_FAILED",
          job + " at " + endpoint + " failed: " + current.path("message").asText(), result);
      default -> throw new IllegalStateException(job + " at " + endpoint + " has not been started (state "
          + state + ")");
    };
  }

  private Map<String, Object> stopAggregation(String endpoint, Duration timeout)
      throws IOException, InterruptedException {
    JsonNode before = request(endpoint, "GET", "/gim/api/aggregation", null, timeout);
    if ("STOPPED".equals(before.path("state").asText())) {
      return aggregationResult(before, false);
    }
    request(endpoint, "POST", "/gim/api/aggregation/stop", "{}", timeout);
    JsonNode after = request(endpoint, "GET", "/gim/api/aggregation", null, timeout);
    if (!"STOPPED".equals(after.path("state").asText())) {
      throw new StepBusinessException("DR_VERIFY_FAILED", "the aggregation job at " + endpoint
          + " is " + after.path("state").asText() + " after the stop", aggregationResult(after, true));
    }
    return aggregationResult(after, true);
  }

  @Override
  public Set<String> plannedRoutes() {
    return Set.of(ROUTE);
  }

  /** The requests the step would send, in order (check, act, verify); nothing is sent. */
  @Override
  public StepPlan plan(String route, Map<String, Object> body) {
    StepInputs in = new StepInputs(body);
    String endpoint = in.required("endpoint");
    Endpoint spec = topology.endpoint(endpoint);
    String operation = operation(in);
    Map<String, String> json = Map.of("Content-Type", "application/json");
    List<String> actions = new ArrayList<>();
    Map<String, Object> result = new LinkedHashMap<>();
    switch (operation) {
      case "start" -> {
        String job = job(in);
        String path = jobPath(job);
        actions.add(HttpRequestConnector.planned(endpoint, spec, "GET", path, Map.of(), null,
            "   (not started again when RUNNING, or COMPLETED for requestId " + in.idempotencyKey() + ")"));
        actions.add(HttpRequestConnector.planned(endpoint, spec, "POST", path + "/start", json,
            JSON.createObjectNode().put("requestId", in.idempotencyKey()).toString(), ""));
        actions.add(HttpRequestConnector.planned(endpoint, spec, "GET", path, Map.of(), null,
            "   (must show the started run: RUNNING, COMPLETED or FAILED)"));
        result.putAll(Map.of("job", job, "runId", "", "state", "RUNNING", "message", "", "changed", true));
      }
      case "status" -> {
        String job = job(in);
        actions.add(HttpRequestConnector.planned(endpoint, spec, "GET", jobPath(job), Map.of(), null,
            "   (RUNNING -> DR_JOB_RUNNING, FAILED -> DR_JOB_FAILED, COMPLETED -> done)"));
        result.putAll(Map.of("job", job, "runId", "", "state", "COMPLETED", "message", "", "changed", false));
      }
      default -> {
        actions.add(HttpRequestConnector.planned(endpoint, spec, "GET", "/gim/api/aggregation", Map.of(), null,
            "   (stop skipped when STOPPED)"));
        actions.add(HttpRequestConnector.planned(endpoint, spec, "POST", "/gim/api/aggregation/stop", json, "{}", ""));
        actions.add(HttpRequestConnector.planned(endpoint, spec, "GET", "/gim/api/aggregation", Map.of(), null,
            "   (must show STOPPED)"));
        result.putAll(Map.of("state", "STOPPED", "lastWindow", "", "changed", true));
      }
    }
    return new StepPlan(actions, List.of(new StepPlan.Target(TargetKind.ENDPOINT, endpoint)), result);
  }

  // ---------------------------------------------------------------- helpers

  private JsonNode request(String endpoint, String method, String path, String body, Duration timeout)
      throws IOException, InterruptedException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    if (body != null) {
      headers.put("Content-Type", "application/json");
    }
    HttpResponse<String> response = http.send(endpoint, method, path, body, headers, timeout,
        HttpResponse.BodyHandlers.ofString());
    int status = response.statusCode();
    String text = response.body() == null ? "" : response.body();
    String shown = method + " " + endpoint + " " + path;
    if (status >= 500) {
      throw new IOException(shown + ": HTTP " + status + ": " + excerpt(text));
    }
    JsonNode json = parse(text);
    if (status >= 400) {
      String error = json != null && json.hasNonNull("error") ? json.get("error").asText() : excerpt(text);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("status", status);
      result.put("body", excerpt(text));
      throw new StepBusinessException("DR_HTTP_REJECTED", shown + " was refused: HTTP " + status + ": " + error, result);
    }
    if (json == null || !json.isObject()) {
      throw new IOException(shown + ": the answer is not a JSON object: " + excerpt(text));
    }
    return json;
  }

  private static JsonNode parse(String text) {
    try {
      return text.isBlank() ? null : JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  private static Map<String, Object> jobResult(String job, JsonNode node, boolean changed) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("job", job);
    result.put("runId", node.path("runId").asText());
    result.put("state", node.path("state").asText());
    result.put("message", node.path("message").asText());
    result.put("changed", changed);
    return result;
  }

  private static Map<String, Object> aggregationResult(JsonNode node, boolean changed) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("state", node.path("state").asText());
    result.put("lastWindow", node.path("lastWindow").asText());
    result.put("changed", changed);
    return result;
  }

  private static String operation(StepInputs in) {
    String operation = in.required("operation");
    if (!OPERATIONS.contains(operation)) {
      throw new IllegalArgumentException("input operation '" + operation + "' is not one of " + OPERATIONS);
    }
    return operation;
  }

  private static String job(StepInputs in) {
    String job = in.required("job");
    if (!JOB.matcher(job).matches()) {
      throw new IllegalArgumentException("input job '" + job + "' is not a job name (e.g. Job_MigrateGIM)");
    }
    return job;
  }

  private static String jobPath(String job) {
    return "/gim/api/jobs/" + URLEncoder.encode(job, StandardCharsets.UTF_8);
  }

  private static String excerpt(String text) {
    String line = text.strip().replaceAll("\\s+", " ");
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }
}
