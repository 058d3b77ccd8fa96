package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.engine.AppProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No secret leaks into the engine database or the log: the application (lab profile, own JVM) runs
 * the A1 failover drill to the end, using the lab's SSH key, database passwords and TSIG secret;
 * then every text and binary column of every table of the engine database, and the whole log output,
 * are searched for each secret (and each line of the private key). Hits are reported by secret name
 * and place, never by value.
 */
class SecretsHygieneIT {

  private static final Set<Integer> SEARCHED_TYPES = Set.of(Types.CHAR, Types.VARCHAR,
      Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR, Types.CLOB, Types.NCLOB,
      Types.BLOB, Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY);

  @Test
  void shouldFindNoSecretInTheEngineDatabaseOrTheLogWhenTheFailoverDrillHasRun() throws Exception {
    Path data = Path.of("target", "secrets-hygiene-it").toAbsolutePath();
    deleteRecursively(data);
    Files.createDirectories(data);
    Path log = data.resolve("application.log");
    Map<String, String> secrets;
    String runId;

    try (AppProcess app = AppProcess.start(data, log, AppProcess.freePort(), "--dr.lab.reset-on-start=true",
        "--logging.level.io.drrunbook=DEBUG", "--dr.steps.retry-backoff=1s")) {
      secrets = labSecrets(data.resolve("lab"));
      runId = app.post("operator", "/engine-rest/process-definition/key/dr-genesys-cs-failover/start",
          "{\"businessKey\": \"CHG-SECRETS-1\"}").path("id").asText();
      app.post("approver", "/engine-rest/task/" + awaitTask(app, "approver", runId, "UserTask_DeclareDisaster")
          + "/complete", """
          {"variables": {"disasterDeclared": {"value": "true"},
                         "disasterReason": {"value": "secrets hygiene drill"},
                         "decidedBy": {"value": "DR manager"}}}""");
      app.post("operator", "/engine-rest/task/"
          + awaitTask(app, "operator", runId, "UserTask_ConfirmOperationsRestored") + "/complete",
          "{\"variables\": {\"operationsRestored\": {\"value\": true}}}");
      await("run completed").atMost(Duration.ofSeconds(60)).until(() ->
          "COMPLETED".equals(app.get("admin", "/engine-rest/history/process-instance/" + runId)
              .path("state").asText()));
      // the drill used every kind of secret: the DNS name moved (TSIG), Site 2 started (SSH key),
      // the Site 2 database opened (database password)
      JsonNode lab = app.get("admin", "/lab/api/state");
      assertThat(lab.path("dns").path("records").path("cs-master.genesys.lab.").get(0).asText())
          .isEqualTo("127.0.2.10");
    }

    assertThat(secrets).hasSizeGreaterThanOrEqualTo(4);
    List<String> hits = new ArrayList<>();
    int values = searchEngineDatabase(data.resolve("engine"), secrets, hits);
    assertThat(values).as("text values searched in the engine database").isGreaterThan(100);
    String logText = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(logText).contains("Started DrRunbookApplication").contains(runId);
    secrets.forEach((name, secret) -> {
      if (logText.contains(secret)) {
        hits.add(name + " in the log");
      }
    });
    assertThat(hits).isEmpty();
  }

  /** Secret files of the lab and each line of its private key (lines of 16 characters or more). */
  private static Map<String, String> labSecrets(Path lab) throws IOException {
    Map<String, String> secrets = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(lab.resolve("secrets"))) {
      for (Path file : files.sorted().toList()) {
        String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
        assertThat(secret).as(file.getFileName().toString()).hasSizeGreaterThanOrEqualTo(16);
        secrets.put(file.getFileName().toString(), secret);
      }
    }
    List<String> keyLines = Files.readAllLines(lab.resolve("keys").resolve("id_ecdsa"));
    for (int i = 0; i < keyLines.size(); i++) {
      String line = keyLines.get(i).strip();
      if (line.length() >= 16 && !line.startsWith("-----")) {
        secrets.put("id_ecdsa line " + (i + 1), line);
      }
    }
    return secrets;
  }

  /** Searches every searchable column of every table; returns how many non-empty values it read. */
  private static int searchEngineDatabase(Path engine, Map<String, String> secrets, List<String> hits)
      throws Exception {
    int values = 0;
    try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + engine, "sa", "")) {
      DatabaseMetaData meta = connection.getMetaData();
      Map<String, List<String>> columns = new LinkedHashMap<>();
      try (ResultSet rows = meta.getColumns(null, "PUBLIC", "%", "%")) {
        while (rows.next()) {
          if (SEARCHED_TYPES.contains(rows.getInt("DATA_TYPE"))) {
            columns.computeIfAbsent(rows.getString("TABLE_NAME"), t -> new ArrayList<>())
                .add(rows.getString("COLUMN_NAME"));
          }
        }
      }
      assertThat(columns).containsKeys("ACT_HI_VARINST", "ACT_HI_DETAIL", "ACT_GE_BYTEARRAY",
          "DR_STEP_JOURNAL", "DR_DECISION");
      for (var table : columns.entrySet()) {
        for (String column : table.getValue()) {
          try (Statement query = connection.createStatement();
              ResultSet rows = query.executeQuery("SELECT \"" + column + "\" FROM \"" + table.getKey() + "\"")) {
            while (rows.next()) {
              String text = text(rows.getObject(1));
              if (text == null || text.isEmpty()) {
                continue;
              }
              values++;
              for (var secret : secrets.entrySet()) {
                if (text.contains(secret.getValue())) {
                  hits.add(secret.getKey() + " in " + table.getKey() + "." + column);
                }
              }
            }
          }
        }
      }
    }
    return values;
  }

  private static String text(Object value) throws Exception {
    if (value == null) {
      return null;
    }
    if (value instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
    if (value instanceof Blob blob) {
      try (InputStream in = blob.getBinaryStream()) {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      }
    }
    if (value instanceof Clob clob) {
      try (Reader reader = clob.getCharacterStream()) {
        StringBuilder text = new StringBuilder();
        char[] buffer = new char[8192];
        for (int n; (n = reader.read(buffer)) > 0; ) {
          text.append(buffer, 0, n);
        }
        return text.toString();
      }
    }
    return value.toString();
  }

  private static String awaitTask(AppProcess app, String user, String runId, String taskKey) {
    return await("task " + taskKey).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
        .until(() -> app.get(user, "/engine-rest/task?processInstanceId=" + runId
            + "&taskDefinitionKey=" + taskKey), tasks -> tasks.size() == 1)
        .get(0).path("id").asText();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
