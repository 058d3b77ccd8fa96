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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

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
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        "io.drrunbook.DrRunbookApplication",
        "--spring.profiles.active=lab",
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
