package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import io.drrunbook.PostgresServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The application is killed (SIGKILL) in the middle of a step and started again on the same data
 * folder: the run goes on from where it was, the interrupted step is attempted again with the same
 * idempotency key, finds its work already done and does not act twice, and the run completes.
 * On the embedded default (the H2 file) and on PostgreSQL (a server of its own from Debian's
 * {@code postgresql} package, the production engine database): the engine, its job executor and the
 * product's tables resume from that database. Runs as a failsafe integration test, after the drill
 * tests have released the lab's ports.
 */
class CrashRestartIT {

  private static final String[] SLOW_STEPS = {
      // the lab's genesys-ctl takes 8 s, longer than the step's lock: only the heartbeat keeps it
      "--dr.lab.command-delays.genesys-ctl=8s",
      "--dr.steps.lock-duration=6s",
      "--dr.steps.retry-backoff=1s"};

  /** Before the crash the start takes 60 s, so the kill surely lands while it still runs. */
  private static final String[] HUNG_START = {
      "--dr.lab.command-delays.genesys-ctl=60s",
      "--dr.steps.lock-duration=6s",
      "--dr.steps.retry-backoff=1s"};

  @ParameterizedTest(name = "engine database {0}")
  @ValueSource(strings = {"h2", "postgresql"})
  void shouldCompleteTheRunWithoutActingTwiceWhenTheApplicationIsKilledMidStep(String database) throws Exception {
    try (PostgresServer postgres = database.equals("postgresql") ? PostgresServer.start() : null) {
      Path data = Files.createDirectories(Path.of("target", "crash-restart-it-" + database)).toAbsolutePath();
      deleteRecursively(data);
      Files.createDirectories(data);
      String[] engine = new String[0];
      if (postgres != null) {
        postgres.createDatabase("engine");
        engine = new String[] {"--spring.datasource.url=" + postgres.jdbcUrl("engine"),
            "--spring.datasource.username=" + PostgresServer.USER, "--spring.datasource.password="};
      }
      crashAndResume(data, engine, postgres);
    }
  }

  private void crashAndResume(Path data, String[] engine, PostgresServer postgres) throws Exception {
    Path log = data.resolve("application.log");
    int port = AppProcess.freePort();
    String runId;

    try (AppProcess first = AppProcess.start(data, log, port, with(engine, HUNG_START))) {
      runId = first.post("operator", "/engine-rest/process-definition/key/dr-genesys-cs-failover/start",
          "{\"businessKey\": \"CHG-CRASH-1\"}").path("id").asText();
      String declare = awaitTask(first, "approver", runId, "UserTask_DeclareDisaster");
      first.post("approver", "/engine-rest/task/" + declare + "/complete", """
          {"variables": {"disasterDeclared": {"value": true},
                         "disasterReason": {"value": "crash test"},
                         "decidedBy": {"value": "DR manager"}}}""");
      // the Site 2 master CS pair is starting: the lab has taken the start, the step still runs
      // (the lab's state view can answer 500 while the run's precheck probes hold a lab database:
      // a known lab defect, see the closing note; the poll tries again)
      await("start of the Site 2 master CS pair under way").atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(IllegalStateException.class)
          .until(() -> "RUNNING".equals(component(site2Mgmt(first), "confserv-master-pair").path("state").asText()));
      assertThat(first.get("admin", "/engine-rest/external-task?processInstanceId=" + runId
          + "&activityId=Task_StartMasterCsPair&locked=true")).hasSize(1);
      first.kill();
    }
    // nothing the killed application committed is lost: its journal has the attempt under way
    assertThat(journal(data, postgres)).containsEntry("Task_StartMasterCsPair", "RUNNING 1");

    try (AppProcess second = AppProcess.start(data, log, port, with(engine, SLOW_STEPS))) {
      String confirm = awaitTask(second, "operator", runId, "UserTask_ConfirmOperationsRestored");
      second.post("operator", "/engine-rest/task/" + confirm + "/complete",
          "{\"variables\": {\"operationsRestored\": {\"value\": true}}}");
      await("run completed").atMost(Duration.ofSeconds(60)).until(() ->
          "COMPLETED".equals(second.get("admin", "/engine-rest/history/process-instance/" + runId)
              .path("state").asText()));

      JsonNode lab = second.get("admin", "/lab/api/state");
      JsonNode counts = site2Mgmt(second).path("actionCounts");
      assertThat(counts.path("genesys-ctl start confserv-master-pair").asInt()).isEqualTo(1);
      assertThat(counts.path("genesys-ctl start scs-master").asInt()).isEqualTo(1);
      assertThat(counts.path("genesys-ctl start msgserver-scs-distributed").asInt()).isEqualTo(1);
      assertThat(lab.path("dns").path("records").path("cs-master.genesys.lab.").get(0).asText())
          .isEqualTo("127.0.2.10");
      lab.path("sites").forEach(site -> site.path("hosts").forEach(host -> {
        if ("cs-proxy".equals(host.path("role").asText())) {
          assertThat(host.path("actionCounts").path("cs-switchover cs-master.genesys.lab").asInt())
              .isEqualTo(1);
        }
      }));
    }

    Map<String, Integer> attempts = journalAttempts(data, postgres);
    assertThat(attempts).containsEntry("Task_StartMasterCsPair", 2);
    attempts.forEach((activity, count) -> {
      if (!activity.equals("Task_StartMasterCsPair")) {
        assertThat(count).as(activity).isEqualTo(1);
      }
    });
  }

  /** The host site2.cs-mgmt in the lab state view (sites[].hosts[] by name). */
  private static JsonNode site2Mgmt(AppProcess app) {
    for (JsonNode site : app.get("admin", "/lab/api/state").path("sites")) {
      for (JsonNode host : site.path("hosts")) {
        if ("site2.cs-mgmt".equals(host.path("name").asText())) {
          return host;
        }
      }
    }
    throw new AssertionError("no host site2.cs-mgmt in the lab state view");
  }

  private static JsonNode component(JsonNode host, String name) {
    for (JsonNode component : host.path("components")) {
      if (name.equals(component.path("name").asText())) {
        return component;
      }
    }
    throw new AssertionError("no component " + name + " on " + host.path("name").asText());
  }

  private static String awaitTask(AppProcess app, String user, String runId, String taskKey) {
    return await("task " + taskKey).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
        .until(() -> app.get(user, "/engine-rest/task?processInstanceId=" + runId
            + "&taskDefinitionKey=" + taskKey), tasks -> tasks.size() == 1)
        .get(0).path("id").asText();
  }

  /** Attempts per step activity, all done, read from the stopped engine database. */
  private static Map<String, Integer> journalAttempts(Path data, PostgresServer postgres) throws Exception {
    Map<String, Integer> attempts = new LinkedHashMap<>();
    journal(data, postgres).forEach((activity, stateAndAttempts) -> {
      String[] parts = stateAndAttempts.split(" ");
      assertThat(parts[0]).as(activity).isEqualTo("DONE");
      attempts.put(activity, Integer.parseInt(parts[1]));
    });
    return attempts;
  }

  /**
   * "STATE ATTEMPTS" per step activity, read from the stopped application's engine database. Of a
   * multi-instance step's rows (one per instance) a row not done wins, then the most attempts.
   */
  private static Map<String, String> journal(Path data, PostgresServer postgres) throws Exception {
    Map<String, String> rowsByActivity = new LinkedHashMap<>();
    try (Connection connection = postgres != null ? postgres.dataSource("engine").getConnection()
            : DriverManager.getConnection("jdbc:h2:file:" + data.resolve("engine"), "sa", "");
        Statement query = connection.createStatement();
        ResultSet rows = query.executeQuery("SELECT ACTIVITY_ID, STATE, ATTEMPTS FROM DR_STEP_JOURNAL"
            + " ORDER BY CASE WHEN STATE = 'DONE' THEN 0 ELSE 1 END, ATTEMPTS")) {
      while (rows.next()) {
        rowsByActivity.put(rows.getString("ACTIVITY_ID"),
            rows.getString("STATE") + " " + rows.getInt("ATTEMPTS"));
      }
    }
    return rowsByActivity;
  }

  private static String[] with(String[] engine, String[] settings) {
    List<String> all = new ArrayList<>(List.of(engine));
    all.addAll(List.of(settings));
    return all.toArray(String[]::new);
  }

  private static void deleteRecursively(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
