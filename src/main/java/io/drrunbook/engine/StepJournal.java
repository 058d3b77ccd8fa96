package io.drrunbook.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The record of every attempt at an automated step, keyed by its idempotency key, kept in the engine
 * database next to the engine's own tables. It is what makes a crash safe: a step whose connector
 * finished but whose completion did not reach the engine is completed from the journal instead of
 * being run again; a step that was running when the node died is run again, and its connector sees
 * the same idempotency key (and checks before it acts).
 */
@Component
@DependsOnDatabaseInitialization
public class StepJournal {

  public enum State { RUNNING, DONE, FAILED }

  /** One row of the journal. */
  public record Entry(String idempotencyKey, String processInstanceId, String activityId,
      String route, State state, int attempts, Map<String, Object> result, String lastError,
      Instant startedAt, Instant endedAt) {}

  static final String TABLE = "DR_STEP_JOURNAL";
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final JdbcTemplate jdbc;
  private final ObjectMapper json = new ObjectMapper();

  public StepJournal(DataSource dataSource) {
    this.jdbc = new JdbcTemplate(dataSource);
  }

  public Optional<Entry> find(String idempotencyKey) {
    List<Entry> rows = jdbc.query("SELECT * FROM " + TABLE + " WHERE IDEMPOTENCY_KEY = ?",
        (rs, i) -> entry(rs), idempotencyKey);
    return rows.stream().findFirst();
  }

  public List<Entry> forProcessInstance(String processInstanceId) {
    return jdbc.query("SELECT * FROM " + TABLE + " WHERE PROCESS_INSTANCE_ID = ? ORDER BY STARTED_AT",
        (rs, i) -> entry(rs), processInstanceId);
  }

  /** Marks an attempt as started and counts it. */
  public void started(String key, String processInstanceId, String activityId, String route) {
    Timestamp now = Timestamp.from(Instant.now());
    int updated = jdbc.update("UPDATE " + TABLE + " SET STATE = ?, ATTEMPTS = ATTEMPTS + 1,"
        + " STARTED_AT = ?, ENDED_AT = NULL WHERE IDEMPOTENCY_KEY = ?", State.RUNNING.name(), now, key);
    if (updated == 0) {
      jdbc.update("INSERT INTO " + TABLE + " (IDEMPOTENCY_KEY, PROCESS_INSTANCE_ID, ACTIVITY_ID,"
          + " ROUTE, STATE, ATTEMPTS, STARTED_AT) VALUES (?, ?, ?, ?, ?, 1, ?)",
          key, processInstanceId, activityId, route, State.RUNNING.name(), now);
    }
  }

  public void done(String key, Map<String, Object> result) {
    jdbc.update("UPDATE " + TABLE + " SET STATE = ?, RESULT_JSON = ?, LAST_ERROR = NULL, ENDED_AT = ?"
        + " WHERE IDEMPOTENCY_KEY = ?", State.DONE.name(), toJson(result),
        Timestamp.from(Instant.now()), key);
  }

  public void failed(String key, String error) {
    jdbc.update("UPDATE " + TABLE + " SET STATE = ?, LAST_ERROR = ?, ENDED_AT = ?"
        + " WHERE IDEMPOTENCY_KEY = ?", State.FAILED.name(), truncate(error, 2000),
        Timestamp.from(Instant.now()), key);
  }

  private Entry entry(ResultSet rs) throws SQLException {
    Timestamp ended = rs.getTimestamp("ENDED_AT");
    return new Entry(rs.getString("IDEMPOTENCY_KEY"), rs.getString("PROCESS_INSTANCE_ID"),
        rs.getString("ACTIVITY_ID"), rs.getString("ROUTE"), State.valueOf(rs.getString("STATE")),
        rs.getInt("ATTEMPTS"), fromJson(rs.getString("RESULT_JSON")), rs.getString("LAST_ERROR"),
        rs.getTimestamp("STARTED_AT").toInstant(), ended == null ? null : ended.toInstant());
  }

  private String toJson(Map<String, Object> result) {
    try {
      return json.writeValueAsString(result);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("step result is not serialisable", e);
    }
  }

  private Map<String, Object> fromJson(String text) {
    if (text == null) {
      return Map.of();
    }
    try {
      return json.readValue(text, MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("journal holds an unreadable result", e);
    }
  }

  private static String truncate(String text, int limit) {
    return text == null || text.length() <= limit ? text : text.substring(0, limit);
  }

}
