package io.drrunbook.plans;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The plan of a dry-run or precheck run, one row per step walked: what each automated step would
 * send (masked) and to which systems, and each manual step with its instructions. Kept in the engine
 * database (table DR_RUN_PLAN) so that the plan document can be read at any time after the walk.
 */
@Component
@DependsOnDatabaseInitialization
public class RunPlans {

  /** A step of the plan: {@code kind} is {@code step} (automated) or {@code manual}. */
  public record Entry(String runId, String entryKey, String activityId, String stepName, String kind,
      String route, List<String> actions, List<String> targets, Instant recordedAt) {}

  static final String TABLE = "DR_RUN_PLAN";
  private static final TypeReference<List<String>> LIST = new TypeReference<>() {};

  private final JdbcTemplate jdbc;
  private final ObjectMapper json = new ObjectMapper();

  public RunPlans(DataSource dataSource) {
    this.jdbc = new JdbcTemplate(dataSource);
  }

  /** Records a step once; walking the same step again (a rerun after a restart) keeps the first. */
  public void record(Entry entry) {
    try {
      jdbc.update("INSERT INTO " + TABLE + " (ENTRY_KEY, RUN_ID, ACTIVITY_ID, STEP_NAME, KIND, ROUTE,"
          + " ACTIONS_JSON, TARGETS_JSON, RECORDED_AT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          entry.entryKey(), entry.runId(), entry.activityId(), entry.stepName(), entry.kind(),
          entry.route(), toJson(entry.actions()), toJson(entry.targets()),
          Timestamp.from(entry.recordedAt()));
    } catch (DuplicateKeyException e) {
      // already recorded by an earlier attempt of the same walk
    }
  }

  /** The plan of a run in the order it was walked. */
  public List<Entry> forRun(String runId) {
    return jdbc.query("SELECT * FROM " + TABLE + " WHERE RUN_ID = ? ORDER BY RECORDED_AT, ENTRY_KEY",
        (rs, i) -> entry(rs), runId);
  }

  /** Runs (at most {@code limit}) whose plan got its last entry before {@code before}. */
  public List<String> runsRecordedBefore(Instant before, int limit) {
    JdbcTemplate bounded = new JdbcTemplate(jdbc.getDataSource());
    bounded.setMaxRows(limit);
    return bounded.queryForList("SELECT RUN_ID FROM " + TABLE + " GROUP BY RUN_ID HAVING MAX(RECORDED_AT) < ?",
        String.class, Timestamp.from(before));
  }

  /** Deletes the plan of a run; the number of entries deleted. */
  public int delete(String runId) {
    return jdbc.update("DELETE FROM " + TABLE + " WHERE RUN_ID = ?", runId);
  }

  private Entry entry(ResultSet rs) throws SQLException {
    return new Entry(rs.getString("RUN_ID"), rs.getString("ENTRY_KEY"), rs.getString("ACTIVITY_ID"),
        rs.getString("STEP_NAME"), rs.getString("KIND"), rs.getString("ROUTE"),
        fromJson(rs.getString("ACTIONS_JSON")), fromJson(rs.getString("TARGETS_JSON")),
        rs.getTimestamp("RECORDED_AT").toInstant());
  }

  private String toJson(List<String> values) {
    try {
      return json.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("plan entry is not serialisable", e);
    }
  }

  private List<String> fromJson(String text) {
    if (text == null) {
      return List.of();
    }
    try {
      return json.readValue(text, LIST);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("plan table holds an unreadable entry", e);
    }
  }
}
