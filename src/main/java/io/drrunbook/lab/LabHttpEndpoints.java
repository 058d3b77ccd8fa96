package io.drrunbook.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.drrunbook.lab.model.LabModel;
import io.drrunbook.lab.model.LabModelException;
import io.drrunbook.lab.model.LabScope;
import io.drrunbook.lab.model.LabSteps;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The lab's simulated HTTP endpoints (REST/JSON and SOAP vendor APIs): one HTTP server per topology
 * endpoint that has a role in {@code dr.lab.roles}, on the port of its {@code url} (127.0.0.1), answering
 * the {@code apis} of its role's model. Where the topology gives the endpoint an {@code authorization}
 * secret, the lab generates it at first start and answers 401 to a request without exactly that
 * Authorization header. Every call is recorded in the endpoint's command log as
 * {@code METHOD /path} (SOAP: {@code POST /path SOAPAction}) with the HTTP status as its code.
 *
 * <p>Faults: per request ({@link Faults}) an error status, a SOAP fault or a delay;
 * {@link #setReachable} closes or reopens the port.
 */
@Component
@Profile("lab")
public class LabHttpEndpoints implements SmartLifecycle {

  /** What a fault asks of one request, if anything. */
  public record HttpFault(int status, String soapFault, Duration delay) {}

  /** The faults the endpoints consult per request (the lab's fault registry; none by default). */
  public interface Faults {
    Optional<HttpFault> forRequest(String endpoint, String method, String path, String soapAction);
  }

  static final int MAX_BODY = 1 << 20;
  private static final Logger log = LoggerFactory.getLogger(LabHttpEndpoints.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LabProperties properties;
  private final Topology topology;
  private final LabState state;
  private final SecretResolver secrets;
  private final LabSteps steps;
  private final Map<String, HttpServer> servers = new LinkedHashMap<>();
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private volatile Faults faults = (endpoint, method, path, soapAction) -> Optional.empty();
  private ExecutorService executor;
  private volatile boolean running;

  public LabHttpEndpoints(LabProperties properties, Topology topology, LabState state, SecretResolver secrets) {
    this.properties = properties;
    this.topology = topology;
    this.state = state;
    this.secrets = secrets;
    this.steps = new LabSteps(state.models().expressions(), state);
  }

  public void setFaults(Faults faults) {
    this.faults = faults;
  }

  /** The logical names of the simulated endpoints. */
  public List<String> endpoints() {
    return properties.getRoles().keySet().stream().filter(state::isEndpoint).toList();
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "lab-http");
      t.setDaemon(true);
      return t;
    });
    for (String endpoint : endpoints()) {
      try {
        prepareAuthorization(endpoint);
        open(endpoint);
      } catch (IOException e) {
        stop();
        throw new IllegalStateException("cannot start the lab HTTP endpoint " + endpoint + ": " + e.getMessage(), e);
      }
    }
    running = true;
  }

  @Override
  public synchronized void stop() {
    servers.values().forEach(s -> s.stop(0));
    servers.clear();
    if (executor != null) {
      executor.shutdownNow();
      try {
        // a request still being answered writes the state: let it end before the lab goes
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return LabSshHosts.PHASE;
  }

  /** Closes (unreachable) or reopens an endpoint on its port. */
  public synchronized void setReachable(String endpoint, boolean reachable) throws IOException {
    HttpServer server = servers.get(endpoint);
    if (!reachable && server != null) {
      server.stop(0);
      servers.remove(endpoint);
    } else if (reachable && server == null && running) {
      open(endpoint);
    }
  }

  private void open(String endpoint) throws IOException {
    Endpoint spec = topology.endpoint(endpoint);
    URI url = URI.create(spec.getUrl());
    int port = ports.getOrDefault(endpoint, url.getPort());
    if (properties.isEphemeralPorts() && !ports.containsKey(endpoint)) {
      port = 0;
    }
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
    server.createContext("/", exchange -> handle(endpoint, exchange));
    server.setExecutor(executor);
    server.start();
    int bound = server.getAddress().getPort();
    ports.put(endpoint, bound);
    if (bound != url.getPort()) {
      spec.setUrl(url.getScheme() + "://127.0.0.1:" + bound + (url.getRawPath() == null ? "" : url.getRawPath()));
    }
    servers.put(endpoint, server);
    log.info("Lab HTTP endpoint {} ({}) at {}", endpoint, state.role(endpoint), spec.getUrl());
  }

  private void prepareAuthorization(String endpoint) throws IOException {
    String reference = topology.endpoint(endpoint).getAuthorization();
    if (reference == null || reference.isBlank()) {
      return;
    }
    Path file = secrets.path(reference);
    if (file == null || (Files.exists(file) && !properties.isResetOnStart())) {
      return;
    }
    byte[] token = new byte[24];
    new SecureRandom().nextBytes(token);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, "Bearer " + Base64.getUrlEncoder().withoutPadding().encodeToString(token));
    LabFiles.ownerOnly(file);
  }

  private void handle(String endpoint, HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String basePath = URI.create(topology.endpoint(endpoint).getUrl()).getPath();
      String path = relative(exchange.getRequestURI().getPath(), basePath);
      String soapAction = unquote(exchange.getRequestHeaders().getFirst("SOAPAction"));
      String shown = method + " " + path + (soapAction != null ? " " + soapAction : "");
      byte[] request = readBounded(exchange.getRequestBody());
      if (request == null) {
        respond(exchange, endpoint, shown, 413, "text/plain", "request body over " + MAX_BODY + " bytes\n", null);
        return;
      }
      if (!authorized(endpoint, exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
        respond(exchange, endpoint, shown, 401, "text/plain", "unauthorized\n", null);
        return;
      }
      Optional<HttpFault> fault = faults.forRequest(endpoint, method, path, soapAction);
      if (fault.isPresent() && fault.get().delay() != null && !sleep(fault.get().delay())) {
        return; // the lab is stopping
      }
      if (fault.isPresent() && fault.get().soapFault() != null) {
        respond(exchange, endpoint, shown, 500, "text/xml; charset=utf-8", soapFault(fault.get().soapFault()), null);
        return;
      }
      if (fault.isPresent() && fault.get().status() >= 500) {
        respond(exchange, endpoint, shown, fault.get().status(), "text/plain",
            "lab fault: HTTP " + fault.get().status() + "\n", null);
        return;
      }
      answer(endpoint, exchange, method, path, soapAction, new String(request, StandardCharsets.UTF_8), shown);
    } catch (RuntimeException e) {
      log.warn("lab HTTP endpoint {} failed: {}", endpoint, e.getMessage());
    }
  }

  private void answer(String endpoint, HttpExchange exchange, String method, String path, String soapAction,
      String body, String shown) throws IOException {
    for (LabModel.Api api : state.models().apis(state.role(endpoint))) {
      if (!api.method().equalsIgnoreCase(method)) {
        continue;
      }
      Optional<Map<String, Object>> variables = api.soapAction() != null
          ? (api.soapAction().equals(soapAction) && (api.path() == null || api.path().equals(path))
              ? Optional.of(new LinkedHashMap<>()) : Optional.empty())
          : matchPath(api.path(), path);
      if (variables.isEmpty()) {
        continue;
      }
      Map<String, Object> vars = new LinkedHashMap<>(variables.get());
      vars.put("body", body);
      vars.put("json", parseJson(body));
      vars.put("query", exchange.getRequestURI().getRawQuery());
      LabSteps.Outcome outcome;
      try {
        outcome = steps.run(endpoint, api.steps(), new LabScope(state, endpoint, vars));
      } catch (LabModelException e) {
        respond(exchange, endpoint, shown, 500, "text/plain", "lab model error: " + e.getMessage() + "\n", null);
        return;
      }
      int status = outcome.status() != null ? outcome.status() : outcome.exitCode() == 0 ? 200 : 500;
      String contentType = api.contentType() != null ? api.contentType()
          : api.soapAction() != null ? "text/xml; charset=utf-8" : "application/json";
      String text = outcome.exitCode() == 0 ? outcome.stdout() : outcome.stdout() + outcome.stderr();
      respond(exchange, endpoint, shown, status, contentType, text, outcome);
      return;
    }
    respond(exchange, endpoint, shown, 404, "text/plain", "no such resource: " + shown + "\n", null);
  }

  private void respond(HttpExchange exchange, String endpoint, String shown, int status, String contentType,
      String body, LabSteps.Outcome outcome) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    state.recordCommand(endpoint, shown, status, outcome == null ? null : outcome.counted());
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private boolean authorized(String endpoint, String header) {
    String reference = topology.endpoint(endpoint).getAuthorization();
    if (reference == null || reference.isBlank()) {
      return true;
    }
    String expected = secrets.resolve(reference).trim();
    return header != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
        header.trim().getBytes(StandardCharsets.UTF_8));
  }

  static Optional<Map<String, Object>> matchPath(String pattern, String path) {
    List<String> expected = List.of(pattern.replaceAll("^/+|/+$", "").split("/", -1));
    List<String> actual = List.of(path.replaceAll("^/+|/+$", "").split("/", -1));
    if (expected.size() != actual.size()) {
      return Optional.empty();
    }
    Map<String, Object> variables = new LinkedHashMap<>();
    for (int i = 0; i < expected.size(); i++) {
      String e = expected.get(i);
      if (e.startsWith("{") && e.endsWith("}")) {
        variables.put(e.substring(1, e.length() - 1), java.net.URLDecoder.decode(actual.get(i), StandardCharsets.UTF_8));
      } else if (!e.equals(actual.get(i))) {
        return Optional.empty();
      }
    }
    return Optional.of(variables);
  }

  private static String relative(String path, String basePath) {
    String base = basePath == null ? "" : basePath.replaceAll("/+$", "");
    return !base.isEmpty() && path.startsWith(base) ? path.substring(base.length()) : path;
  }

  private static Object parseJson(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return JSON.readValue(body, Object.class);
    } catch (IOException e) {
      return null;
    }
  }

  private static String unquote(String value) {
    if (value == null) {
      return null;
    }
    String v = value.trim();
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
  }

  private static byte[] readBounded(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_BODY + 1);
    return bytes.length > MAX_BODY ? null : bytes;
  }

  static String soapFault(String message) {
    String text = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\n"
        + "  <soapenv:Body>\n    <soapenv:Fault>\n      <faultcode>soapenv:Server</faultcode>\n"
        + "      <faultstring>" + text + "</faultstring>\n    </soapenv:Fault>\n  </soapenv:Body>\n"
        + "</soapenv:Envelope>\n";
  }

  /** Waits; false if interrupted (the endpoints are stopping). */
  private static boolean sleep(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
