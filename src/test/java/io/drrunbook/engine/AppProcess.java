package io.drrunbook.engine;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The application started as a separate JVM on the test class path, so a test can kill it the hard
 * way (SIGKILL) and start it again on the same data folder; driven over its HTTP API with the lab
 * users. Its lab binds free ports ({@code dr.lab.ephemeral-ports}), so it never collides with a lab
 * a person runs.
 */
public final class AppProcess implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Process process;
  private final int port;

  private AppProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static AppProcess start(Path dataDir, Path log, int port, String... extraArgs) throws IOException {
    AppProcess app = launch(dataDir, log, port, extraArgs);
    app.awaitHealthy(Duration.ofSeconds(240), log);
    return app;
  }

  /** Starts the application and returns at once, without waiting for it to answer. */
  public static AppProcess launch(Path dataDir, Path log, int port, String... extraArgs) throws IOException {
    return launchAs("lab", dataDir, log, port, extraArgs);
  }

  /**
   * Starts the application in {@code profiles} (e.g. {@code lab,lab-server}: the lab alone;
   * {@code lab-node}: a node of a lab in another process) and waits until health answers.
   */
  public static AppProcess startAs(String profiles, Path dataDir, Path log, int port, String... extraArgs)
      throws IOException {
    AppProcess app = launchAs(profiles, dataDir, log, port, extraArgs);
    app.awaitHealthy(Duration.ofSeconds(240), log);
    return app;
  }

  /** Starts the application in {@code profiles} and returns at once. */
  public static AppProcess launchAs(String profiles, Path dataDir, Path log, int port, String... extraArgs)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        "io.drrunbook.DrRunbookApplication",
        "--spring.profiles.active=" + profiles,
        "--server.port=" + port,
        // the simulated SSH hosts and DNS server on free ports: the test runs while a person uses
        // the lab on its fixed ports (the application finds them in its topology)
        "--dr.lab.ephemeral-ports=true",
        "--dr.data-dir=" + dataDir.toAbsolutePath()));
    command.addAll(List.of(extraArgs));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    return new AppProcess(process, port);
  }

  /** Waits until health answers 200; fails at once when the process ended. */
  public void awaitHealthy(Duration limit, Path log) {
    await("application up on port " + port).atMost(limit)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("application exited with " + process.exitValue() + ", see " + log);
          }
          return healthy();
        });
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Deletes what {@code dir} holds (a previous run's data) and leaves it there, empty. */
  public static void emptyFolder(Path dir) throws IOException {
    if (Files.exists(dir)) {
      List<Path> paths = new ArrayList<>();
      try (var walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
      }
      for (Path path : paths) {
        Files.delete(path);
      }
    }
    Files.createDirectories(dir);
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  boolean healthy() {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/actuator/health")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public JsonNode get(String user, String path) {
    return send(user, HttpRequest.newBuilder(uri(path)).GET());
  }

  public JsonNode post(String user, String path, String json) {
    return send(user, HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public JsonNode put(String user, String path, String json) {
    return send(user, HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  private JsonNode send(String user, HttpRequest.Builder request) {
    String basic = Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
    try {
      HttpResponse<String> response = http.send(request.header("Authorization", "Basic " + basic)
          .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() >= 300) {
        throw new IllegalStateException(response.statusCode() + " from " + response.uri() + ": " + response.body());
      }
      return response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("request to " + request.build().uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The host {@code name} in this process's lab state view (sites[].hosts[] by name). */
  public JsonNode labHost(String name) {
    for (JsonNode site : get("admin", "/lab/api/state").path("sites")) {
      for (JsonNode host : site.path("hosts")) {
        if (name.equals(host.path("name").asText())) {
          return host;
        }
      }
    }
    throw new AssertionError("no host " + name + " in the lab state view");
  }

  /** The component {@code name} of a host of the lab state view. */
  public static JsonNode component(JsonNode host, String name) {
    for (JsonNode component : host.path("components")) {
      if (name.equals(component.path("name").asText())) {
        return component;
      }
    }
    throw new AssertionError("no component " + name + " on " + host.path("name").asText());
  }

  /** The id of the one open task {@code taskKey} of the run, as {@code user} sees it, once there. */
  public String awaitTask(String user, String runId, String taskKey) {
    return await("task " + taskKey).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
        .until(() -> get(user, "/engine-rest/task?processInstanceId=" + runId
            + "&taskDefinitionKey=" + taskKey), tasks -> tasks.size() == 1)
        .get(0).path("id").asText();
  }

  /**
   * "STATE ATTEMPTS" per step activity of the step journal in an engine database (a multi-instance
   * step's rows: a row not done wins, then the most attempts).
   */
  public static Map<String, String> journal(Connection connection) throws SQLException {
    Map<String, String> rows = new LinkedHashMap<>();
    try (Statement query = connection.createStatement();
        ResultSet result = query.executeQuery("SELECT ACTIVITY_ID, STATE, ATTEMPTS FROM DR_STEP_JOURNAL"
            + " ORDER BY CASE WHEN STATE = 'DONE' THEN 0 ELSE 1 END, ATTEMPTS")) {
      while (result.next()) {
        rows.put(result.getString("ACTIVITY_ID"), result.getString("STATE") + " " + result.getInt("ATTEMPTS"));
      }
    }
    return rows;
  }

  /** SIGKILL: no shutdown hook, no graceful stop of the engine or the lab. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
