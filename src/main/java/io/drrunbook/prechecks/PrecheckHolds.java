package io.drrunbook.prechecks;

import io.drrunbook.prechecks.PrecheckGate.State;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The precheck hold of every execute run: its precheck walk, the state (RUNNING, PASSED, FAILED,
 * OVERRIDDEN) and the override (who, when, note). A product table, not process variables, so that a
 * person allowed to change a run's variables can neither release a held run nor rewrite its override.
 */
@Component
@DependsOnDatabaseInitialization
public class PrecheckHolds {

  static final String TABLE = "DR_PRECHECK_HOLD";

  /** One run's hold. */
  public record Hold(String runId, String walkId, State state, String overriddenBy,
      Instant overriddenAt, String overrideNote) {}

  private final JdbcTemplate jdbc;

  public PrecheckHolds(DataSource dataSource) {
    this.jdbc = new JdbcTemplate(dataSource);
  }

  /** Holds a run being started until its walk {@code walkId} has passed. */
  public void hold(String runId, String walkId) {
    jdbc.update("INSERT INTO " + TABLE + " (RUN_ID, WALK_ID, STATE, UPDATED_AT) VALUES (?, ?, ?, ?)",
        runId, walkId, State.RUNNING.name(), now());
  }

  public Optional<Hold> find(String runId) {
    return jdbc.query("SELECT * FROM " + TABLE + " WHERE RUN_ID = ?", PrecheckHolds::hold, runId)
        .stream().findFirst();
  }

  /** Holds of runs not seen ended, in one of these states. */
  public List<Hold> open(State... states) {
    String marks = String.join(", ", Collections.nCopies(states.length, "?"));
    return jdbc.query("SELECT * FROM " + TABLE + " WHERE RUN_ENDED = 0 AND STATE IN (" + marks + ")",
        PrecheckHolds::hold, (Object[]) Arrays.stream(states).map(State::name).toArray(String[]::new));
  }

  /** Moves a hold from {@code from} to {@code to}; false when it was not in {@code from} any more. */
  public boolean move(String runId, State from, State to) {
    return jdbc.update("UPDATE " + TABLE + " SET STATE = ?, UPDATED_AT = ? WHERE RUN_ID = ? AND STATE = ?",
        to.name(), now(), runId, from.name()) == 1;
  }

  /** Records an override of a failed precheck; false when the hold was not FAILED. */
  public boolean override(String runId, String userId, String note) {
    Timestamp now = now();
    return jdbc.update("UPDATE " + TABLE + " SET STATE = ?, OVERRIDDEN_BY = ?, OVERRIDDEN_AT = ?,"
        + " OVERRIDE_NOTE = ?, UPDATED_AT = ? WHERE RUN_ID = ? AND STATE = ?", State.OVERRIDDEN.name(),
        userId, now, note, now, runId, State.FAILED.name()) == 1;
  }

  /** The run has ended (deleted while held): the gate stops looking at it; its record stays. */
  public void runEnded(String runId) {
    jdbc.update("UPDATE " + TABLE + " SET RUN_ENDED = 1, UPDATED_AT = ? WHERE RUN_ID = ?", now(), runId);
  }

  private static Hold hold(ResultSet rs, int row) throws SQLException {
    Timestamp at = rs.getTimestamp("OVERRIDDEN_AT");
    return new Hold(rs.getString("RUN_ID"), rs.getString("WALK_ID"), State.valueOf(rs.getString("STATE")),
        rs.getString("OVERRIDDEN_BY"), at == null ? null : at.toInstant(), rs.getString("OVERRIDE_NOTE"));
  }

  private static Timestamp now() {
    return Timestamp.from(Instant.now());
  }
}
