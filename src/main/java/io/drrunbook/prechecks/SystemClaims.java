package io.drrunbook.prechecks;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The systems every active execute or drill run holds (table {@code DR_SYSTEM_CLAIM}, in the engine
 * database). Why a table with a primary key and not a lock: a run claims each of its systems by
 * inserting (system, {@code ACTIVE}) in the transaction that starts it, so either the run and its
 * claims are committed or neither; two runs starting at once, on one node or on two, cannot both
 * insert the same key (the database lets one through, the other fails at once or when the first
 * commits), and a crashed node leaves no claim behind, its transaction being rolled back. A run a
 * dr-approvers member started over an active one holds its systems in a slot of its own (its id).
 */
@Component
@DependsOnDatabaseInitialization
public class SystemClaims {

  static final String TABLE = "DR_SYSTEM_CLAIM";
  static final String ACTIVE = "ACTIVE";

  /** One system a run holds. */
  public record Claim(String system, String runId, String procedureId, String ticketId) {}

  private final JdbcTemplate jdbc;

  public SystemClaims(DataSource dataSource) {
    this.jdbc = new JdbcTemplate(dataSource);
  }

  /**
   * Claims {@code systems} for a run being started; must run in the transaction that starts it.
   *
   * @param overlapping false: the normal claim, refused by the database when another run holds one;
   *     true: the claim of a run started over active ones, beside theirs
   * @throws org.springframework.dao.DataAccessException when another run holds or is claiming one
   */
  public void claim(Collection<String> systems, String runId, String procedureId, String ticketId,
      boolean overlapping) {
    Timestamp now = Timestamp.from(Instant.now());
    for (String system : systems) {
      jdbc.update("INSERT INTO " + TABLE + " (SYSTEM_NAME, CLAIM_SLOT, RUN_ID, PROCEDURE_ID, TICKET_ID,"
          + " CLAIMED_AT) VALUES (?, ?, ?, ?, ?, ?)", system, overlapping ? runId : ACTIVE, runId,
          procedureId, ticketId, now);
    }
  }

  /** The claims of other runs on any of {@code systems}, oldest first. */
  public List<Claim> held(Collection<String> systems) {
    if (systems.isEmpty()) {
      return List.of();
    }
    String marks = String.join(", ", Collections.nCopies(systems.size(), "?"));
    return jdbc.query("SELECT SYSTEM_NAME, RUN_ID, PROCEDURE_ID, TICKET_ID FROM " + TABLE
        + " WHERE SYSTEM_NAME IN (" + marks + ") ORDER BY CLAIMED_AT, SYSTEM_NAME",
        (rs, n) -> new Claim(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
        systems.toArray());
  }

  /** The systems a run holds. */
  public List<String> of(String runId) {
    return jdbc.queryForList("SELECT SYSTEM_NAME FROM " + TABLE + " WHERE RUN_ID = ? ORDER BY SYSTEM_NAME",
        String.class, runId);
  }

  /** Every run that holds a system. */
  public List<String> runs() {
    return jdbc.queryForList("SELECT DISTINCT RUN_ID FROM " + TABLE, String.class);
  }

  /** Frees every system a run holds (no-op if it holds none); the number of systems freed. */
  public int release(String runId) {
    return jdbc.update("DELETE FROM " + TABLE + " WHERE RUN_ID = ?", runId);
  }
}
