package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drrunbook.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node started before its engine database, then against a read-only one (a standby not yet
 * promoted): it waits, says why in one line per attempt, never ends in a stack trace, and starts
 * once the database accepts writes (issue 16, bad input). A real PostgreSQL server of its own.
 */
class DatabaseWaitIT {

  @Test
  void shouldWaitAndSayWhyWhileTheDatabaseIsDownThenReadOnlyAndStartWhenItAcceptsWrites() throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      postgres.createDatabase("engine");
      postgres.stopServer();
      Path data = Files.createTempDirectory(Path.of("target"), "database-wait-it-").toAbsolutePath();
      Path log = data.resolve("app.log");
      String url = postgres.jdbcUrl("engine");
      try (AppProcess app = AppProcess.launch(data, log, AppProcess.freePort(),
          "--spring.datasource.url=" + url, "--spring.datasource.username=" + PostgresServer.USER,
          "--spring.datasource.password=", "--dr.engine-database.retry-first=1s",
          "--dr.engine-database.retry-max=2s")) {

        await("the node says it cannot reach the database, twice").atMost(Duration.ofSeconds(180))
            .until(() -> waits(log, "cannot be used") >= 2);
        assertThat(app.isAlive()).isTrue();

        postgres.startServer("-c default_transaction_read_only=on");
        await("the node says the database is read-only, twice").atMost(Duration.ofSeconds(60))
            .until(() -> waits(log, "is read-only") >= 2);
        assertThat(app.isAlive()).isTrue();
        assertThat(app.healthy()).as("no web server before the database").isFalse();

        postgres.stopServer();
        postgres.startServer();
        app.awaitHealthy(Duration.ofSeconds(240), log);

        List<String> lines = Files.readAllLines(log);
        assertThat(lines).anyMatch(line -> line.contains("engine database " + url.replaceAll("\\?.*", "")
            + " answers and accepts writes"));
        // what it said while waiting is one line each: no exception trace anywhere before the start
        assertThat(lines).noneMatch(line -> line.startsWith("\tat ") || line.contains("APPLICATION FAILED"));
        assertThat(app.get("operator", "/api/runs").path("items").isArray()).isTrue();
      }
    }
  }

  private static long waits(Path log, String problem) throws Exception {
    if (!Files.exists(log)) {
      return 0;
    }
    return Files.readAllLines(log).stream()
        .filter(line -> line.contains("engine database") && line.contains(problem)
            && line.contains("waiting for it"))
        .count();
  }
}
