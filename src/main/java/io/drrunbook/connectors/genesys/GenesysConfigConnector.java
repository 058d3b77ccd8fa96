package io.drrunbook.connectors.genesys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The {@code genesys-config} connector: reads or changes one Genesys Configuration Layer Application
 * object (Genesys Info Mart Server, ICON, DAP) through the Configuration Server REST API of a topology
 * endpoint (GAX style, contract in {@code connectors/genesys-config.camel.yaml}). Used by the Info
 * Mart procedures (seed 001, B1 steps 2-5, 8.3, 10.2; B2 steps 3, 13-14). Every change is check ->
 * act -> verify: read the object, skip when it is already as wanted ({@code changed=false}), send the
 * change, read it again and compare ({@code DR_VERIFY_FAILED} when it differs). A refusal of the API
 * (4xx; a 404 when reading is an answer: {@code exists=false}) is {@code DR_CONFIG_REJECTED} with the
 * server's message; 5xx, a refused connection or no answer in time are technical failures (retried).
 */
@Component("genesysConfig")
public class GenesysConfigConnector implements StepPlanner {

  static final String ROUTE = "genesys-config";
  static final String APPLICATIONS = "/api/v2/applications/";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern HOSTNAME = Pattern.compile("\\{hostname:([^}\\s]+)}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(GenesysConfigConnector.class);

  /** The operations of the route's {@code operation} input. */
  enum Operation {
    READ, SET_HOST, SET_COMMAND_LINE, ADD_CONNECTION, REMOVE_CONNECTION, SET_OPTION, ENABLE, DISABLE;

    String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Operation of(String id) {
      for (Operation operation : values()) {
        if (operation.id().equals(id.trim())) {
          return operation;
        }
      }
      throw new IllegalArgumentException("operation '" + id + "' is not one of "
          + Arrays.stream(values()).map(Operation::id).toList());
    }
  }

  /** One request the change sends. */
  record Request(String method, String path, String body) {}

  /** What one operation compares, wants and sends. */
  private interface Change {
    /** The compared value of the object, as text ("" when it has none). */
    String value(JsonNode object);

    /** Whether the object is already as wanted. */
    boolean done(JsonNode object);

    /** The requests that bring it there (object null: every request the change may send). */
    List<Request> requests(JsonNode object);

    /** The wanted value, as the plan and messages show it. */
    String wanted();
  }

  private final HttpRequestConnector http;
  private final Topology topology;

  public GenesysConfigConnector(HttpRequestConnector http, Topology topology) {
    this.http = http;
    this.topology = topology;
  }

  public Map<String, Object> call(Map<String, Object> body) throws IOException, InterruptedException {
    StepInputs in = new StepInputs(body);
    String endpoint = in.required("endpoint");
    topology.endpoint(endpoint); // an unknown endpoint fails before anything else
    String application = in.required("application");
    Operation operation = Operation.of(in.required("operation"));
    Duration timeout = in.timeout(TIMEOUT);
    String objectPath = APPLICATIONS + segment(application);

    if (operation == Operation.READ) {
      JsonNode object = read(endpoint, objectPath, timeout, true);
      return readResult(application, object);
    }
    Change change = change(operation, application, in);
    JsonNode before = read(endpoint, objectPath, timeout, false);
    String previous = change.value(before);
    if (change.done(before)) {
      log.info("{} {} on {}: already {}, nothing to change", operation.id(), application, endpoint, previous);
      return result(application, operation, previous, previous, false);
    }
    for (Request request : change.requests(before)) {
      send(endpoint, request, timeout);
    }
    JsonNode after = read(endpoint, objectPath, timeout, false);
    String current = change.value(after);
    Map<String, Object> result = result(application, operation, previous, current, true);
    if (!change.done(after)) {
      throw new StepBusinessException("DR_VERIFY_FAILED", operation.id() + " " + application + " on " + endpoint
          + ": the object reads '" + current + "' after the change, wanted " + change.wanted(), result);
    }
    log.info("{} {} on {}: '{}' -> '{}'", operation.id(), application, endpoint, previous, current);
    return result;
  }

  @Override
  public Set<String> plannedRoutes() {
    return Set.of(ROUTE);
  }

  /**
   * The requests the step would send, in order: the reading GET (the check), the changes (each sent
   * only when the object is not already as wanted) with their bodies, the verifying GET. The
   * Authorization header is shown as the name of its secret reference, never its value.
   */
  @Override
  public StepPlan plan(String route, Map<String, Object> body) {
    StepInputs in = new StepInputs(body);
    String endpointName = in.required("endpoint");
    Endpoint endpoint = topology.endpoint(endpointName);
    String application = in.required("application");
    Operation operation = Operation.of(in.required("operation"));
    String objectPath = APPLICATIONS + segment(application);
    List<String> actions = new ArrayList<>();
    List<StepPlan.Target> targets = List.of(new StepPlan.Target(TargetKind.ENDPOINT, endpointName));
    if (operation == Operation.READ) {
      actions.add(render(endpointName, endpoint, new Request("GET", objectPath, null), ""));
      Map<String, Object> result = result(application, operation, "", "", false);
      result.put("exists", true);
      return new StepPlan(actions, targets, result);
    }
    Change change = change(operation, application, in);
    actions.add(render(endpointName, endpoint, new Request("GET", objectPath, null),
        "   (check: nothing is sent when it is already " + change.wanted() + ")"));
    for (Request request : change.requests(null)) {
      actions.add(render(endpointName, endpoint, request, ""));
    }
    actions.add(render(endpointName, endpoint, new Request("GET", objectPath, null),
        "   (verify: it must be " + change.wanted() + ")"));
    return new StepPlan(actions, targets, result(application, operation, "", change.wanted(), true));
  }

  // ---------------------------------------------------------------- operations

  private Change change(Operation operation, String application, StepInputs in) {
    String objectPath = APPLICATIONS + segment(application);
    return switch (operation) {
      case SET_HOST -> scalar(objectPath + "/host", "host", hostname(in.required("host")));
      case SET_COMMAND_LINE -> scalar(objectPath + "/command-line", "commandLine",
          commandLine(in.required("commandLine")));
      case SET_OPTION -> {
        String section = in.required("section");
        String option = in.required("option");
        String value = in.required("value");
        yield new Change() {
          @Override
          public String value(JsonNode object) {
            return text(object.path("options").path(section).get(option));
          }

          @Override
          public boolean done(JsonNode object) {
            return value.equals(value(object));
          }

          @Override
          public List<Request> requests(JsonNode object) {
            return List.of(new Request("PUT", objectPath + "/options/" + segment(section) + "/" + segment(option),
                json(Map.of("value", value))));
          }

          @Override
          public String wanted() {
            return "[" + section + "] " + option + " = " + value;
          }
        };
      }
      case ENABLE, DISABLE -> {
        boolean enabled = operation == Operation.ENABLE;
        yield new Change() {
          @Override
          public String value(JsonNode object) {
            return object.path("enabled").asBoolean(false) ? "enabled" : "disabled";
          }

          @Override
          public boolean done(JsonNode object) {
            return object.path("enabled").isBoolean() && object.path("enabled").asBoolean() == enabled;
          }

          @Override
          public List<Request> requests(JsonNode object) {
            return List.of(new Request("PUT", objectPath + "/enabled", json(Map.of("enabled", enabled))));
          }

          @Override
          public String wanted() {
            return enabled ? "enabled" : "disabled";
          }
        };
      }
      case ADD_CONNECTION, REMOVE_CONNECTION -> {
        boolean add = operation == Operation.ADD_CONNECTION;
        List<String> names = names(in.required("connection"));
        yield new Change() {
          @Override
          public String value(JsonNode object) {
            return String.join(", ", connections(object));
          }

          @Override
          public boolean done(JsonNode object) {
            return pending(object).isEmpty();
          }

          @Override
          public List<Request> requests(JsonNode object) {
            return pending(object).stream()
                .map(name -> add
                    ? new Request("POST", objectPath + "/connections", json(Map.of("application", name)))
                    : new Request("DELETE", objectPath + "/connections/" + segment(name), null))
                .toList();
          }

          private List<String> pending(JsonNode object) {
            if (object == null) {
              return names;
            }
            List<String> connected = connections(object);
            return names.stream().filter(name -> connected.contains(name) != add).toList();
          }

          @Override
          public String wanted() {
            return (add ? "connected to " : "not connected to ") + String.join(", ", names);
          }
        };
      }
      case READ -> throw new IllegalStateException("read changes nothing");
    };
  }

  /** A property compared and sent as {@code field} (the GET's field and the PUT body's are the same). */
  private static Change scalar(String path, String field, String wanted) {
    return new Change() {
      @Override
      public String value(JsonNode object) {
        return text(object.get(field));
      }

      @Override
      public boolean done(JsonNode object) {
        return wanted.equals(value(object));
      }

      @Override
      public List<Request> requests(JsonNode object) {
        return List.of(new Request("PUT", path, json(Map.of(field, wanted))));
      }

      @Override
      public String wanted() {
        return field + " = " + wanted;
      }
    };
  }

  /** The host name the topology gives a logical host: what the Host property names. */
  private String hostname(String logicalHost) {
    String hostname = topology.host(logicalHost).getHostname();
    if (hostname == null || hostname.isBlank()) {
      throw new IllegalArgumentException("host " + logicalHost + " has no hostname in the topology "
          + "(the Host property names the host by its host name)");
    }
    return hostname;
  }

  /** A command line with every {@code {hostname:<logical host>}} replaced by that host's host name. */
  String commandLine(String template) {
    Matcher matcher = HOSTNAME.matcher(template);
    StringBuilder line = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(line, Matcher.quoteReplacement(hostname(matcher.group(1))));
    }
    matcher.appendTail(line);
    return line.toString().strip();
  }

  private static List<String> names(String list) {
    List<String> names = Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty())
        .distinct().toList();
    if (names.isEmpty()) {
      throw new IllegalArgumentException("the step's input 'connection' names no application");
    }
    return names;
  }

  // ---------------------------------------------------------------- HTTP

  /** GET of the object; a 404 is null when {@code missingIsAnswer}, else a refusal. */
  private JsonNode read(String endpoint, String path, Duration timeout, boolean missingIsAnswer)
      throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(endpoint, "GET", path, null,
        Map.of("Accept", "application/json"), timeout, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 404 && missingIsAnswer) {
      return null;
    }
    requireSuccess(endpoint, new Request("GET", path, null), response);
    try {
      JsonNode object = JSON.readTree(response.body() == null ? "" : response.body());
      if (object == null || !object.isObject()) {
        throw new IOException("GET " + endpoint + " " + path + ": the answer is not a JSON object: "
            + excerpt(response.body()));
      }
      return object;
    } catch (JsonProcessingException e) {
      throw new IOException("GET " + endpoint + " " + path + ": the answer is not JSON: " + excerpt(response.body()), e);
    }
  }

  private void send(String endpoint, Request request, Duration timeout) throws IOException, InterruptedException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    if (request.body() != null) {
      headers.put("Content-Type", "application/json");
    }
    HttpResponse<String> response = http.send(endpoint, request.method(), request.path(), request.body(),
        headers, timeout, HttpResponse.BodyHandlers.ofString());
    requireSuccess(endpoint, request, response);
  }

  private static void requireSuccess(String endpoint, Request request, HttpResponse<String> response) throws IOException {
    int status = response.statusCode();
    String shown = request.method() + " " + endpoint + " " + request.path();
    if (status >= 500) {
      throw new IOException(shown + ": HTTP " + status + ": " + excerpt(response.body()));
    }
    if (status >= 400) {
      throw new StepBusinessException("DR_CONFIG_REJECTED", shown + " was refused: HTTP " + status + ": "
          + message(response.body()), Map.of("status", status, "body", excerpt(response.body())));
    }
    if (status < 200 || status >= 300) {
      throw new IOException(shown + ": unexpected HTTP " + status + ": " + excerpt(response.body()));
    }
  }

  /** One request as the plan shows it: method and URL (and a note), headers, body. */
  private static String render(String endpointName, Endpoint endpoint, Request request, String note) {
    return HttpRequestConnector.planned(endpointName, endpoint, request.method(), request.path(),
        request.body() == null ? Map.of() : Map.of("Content-Type", "application/json"), request.body(), note);
  }

  // ---------------------------------------------------------------- results and text

  private static Map<String, Object> readResult(String application, JsonNode object) {
    Map<String, Object> result = result(application, Operation.READ,
        object == null ? "" : object.toString(), object == null ? "" : object.toString(), false);
    result.put("exists", object != null);
    if (object != null) {
      result.put("type", text(object.get("type")));
      result.put("enabled", object.path("enabled").asBoolean(false));
      result.put("host", text(object.get("host")));
      result.put("commandLine", text(object.get("commandLine")));
      result.put("database", text(object.get("database")));
      result.put("connections", connections(object));
    }
    return result;
  }

  private static Map<String, Object> result(String application, Operation operation, String previous,
      String current, boolean changed) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("application", application);
    result.put("operation", operation.id());
    result.put("previous", previous);
    result.put("current", current);
    result.put("changed", changed);
    return result;
  }

  private static List<String> connections(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.path("connections").forEach(node -> names.add(node.asText()));
    return names;
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? "" : node.asText();
  }

  private static String json(Map<String, Object> body) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    body.forEach((key, value) -> node.set(key, JSON.valueToTree(value)));
    return node.toString();
  }

  /** A path segment, percent-encoded (an object name may hold spaces). */
  static String segment(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The server's own message: the {@code error} of a JSON answer, else the text. */
  private static String message(String body) {
    try {
      JsonNode answer = JSON.readTree(body == null ? "" : body);
      if (answer != null && answer.hasNonNull("error")) {
        return answer.get("error").asText();
      }
    } catch (JsonProcessingException e) {
      // not JSON: the text itself
    }
    return excerpt(body);
  }

  private static String excerpt(String text) {
    String line = Objects.toString(text, "").strip().replaceAll("\\s+", " ");
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }
}
