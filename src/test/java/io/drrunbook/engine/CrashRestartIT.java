package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
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
      AppProcess.emptyFolder(data);
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
      String declare = first.awaitTask("approver", runId, "UserTask_DeclareDisaster");
      first.post("approver", "/engine-rest/task/" + declare + "/complete", """
          {"variables": {"disasterDeclared": {"value": true},
                         "disasterReason": {"value": "crash test"},
                         "decidedBy": {"value": "DR manager"}}}""");
      // the Site 2 master CS pair is starting: the lab has taken the start, the step still runs
      // (the lab's state view can answer 500 while the run's precheck probes hold a lab database:
      // a known lab defect, see the closing note; the poll tries again)
      await("start of the Site 2 master CS pair under way").atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(IllegalStateException.class)
          .until(() -> "RUNNING".equals(AppProcess.component(first.labHost("site2.cs-mgmt"), "confserv-master-pair").path("state").asText()));
      assertThat(first.get("admin", "/engine-rest/external-task?processInstanceId=" + runId
          + "&activityId=Task_StartMasterCsPair&locked=true")).hasSize(1);
      first.kill();
    }
    // nothing the killed application committed is lost: its journal has the attempt under way
    assertThat(journal(data, postgres)).containsEntry("Task_StartMasterCsPair", "RUNNING 1");

    try (AppProcess second = AppProcess.start(data, log, port, with(engine, SLOW_STEPS))) {
      String confirm = second.awaitTask("operator", runId, "UserTask_ConfirmOperationsRestored");
      second.post("operator", "/engine-rest/task/" + confirm + "/complete",
          "{\"variables\": {\"operationsRestored\": {\"value\": true}}}");
      await("run completed").atMost(Duration.ofSeconds(60)).until(() ->
          "COMPLETED".equals(second.get("admin", "/engine-rest/history/process-instance/" + runId)
              .path("state").asText()));

      JsonNode lab = second.get("admin", "/lab/api/state");
      JsonNode counts = second.labHost("site2.cs-mgmt").path("actionCounts");
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

  /** "STATE ATTEMPTS" per step activity, read from the stopped application's engine database. */
  private static Map<String, String> journal(Path data, PostgresServer postgres) throws Exception {
    try (Connection connection = postgres != null ? postgres.dataSource("engine").getConnection()
        : DriverManager.getConnection("jdbc:h2:file:" + data.resolve("engine"), "sa", "")) {
      return AppProcess.journal(connection);
    }
  }

  private static String[] with(String[] engine, String[] settings) {
    List<String> all = new ArrayList<>(List.of(engine));
    all.addAll(List.of(settings));
    return all.toArray(String[]::new);
  }
}
