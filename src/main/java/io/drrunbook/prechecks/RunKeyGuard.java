package io.drrunbook.prechecks;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The idempotency guard of {@code POST /api/runs}: at most one ACTIVE run per procedure and ticket
 * (system + id), across every application node that shares the engine database.
 *
 * <p>Why a table with a unique constraint and not a lock: the table {@code DR_RUN_KEY} (in the engine
 * database, next to the engine's tables) holds one row per run started through the API, with a unique
 * constraint on (procedure, ticket system, ticket id, active slot). The slot is {@code ACTIVE} while
 * the run may be active; the row is inserted in the SAME transaction that starts the process, so
 * either both are committed or neither. Two identical requests, on one node or on two, both try to
 * insert the same key: the database lets exactly one through (the second waits for the first
 * transaction and then fails on the constraint, or fails at once), and the loser reads the winner's
 * run and answers with it. No lock is held across nodes, nothing in memory needs to agree, and a
 * crashed node leaves no stale lock: its transaction is simply rolled back. When the run has ended
 * (completed, cancelled anywhere, e.g. in Cockpit) the next request for that key finds the row's run
 * no longer active and releases the slot (it becomes the run's own id, unique for ever), so a finished
 * run never blocks a new one; a cancel through the API releases it at once.
 */
@Component
@DependsOnDatabaseInitialization
public class RunKeyGuard {

  /** What makes two start requests the same. */
  public record RunKey(String procedure, String ticketSystem, String ticketId) {}

  static final String TABLE = "DR_RUN_KEY";
  static final String ACTIVE = "ACTIVE";

  private final JdbcTemplate jdbc;

  public RunKeyGuard(DataSource dataSource) {
    this.jdbc = new JdbcTemplate(dataSource);
  }

  /**
   * Claims the active slot of {@code key}; must run in the transaction that starts the run.
   *
   * @throws org.springframework.dao.DataIntegrityViolationException when another run holds it (or
   *     a concurrency failure when the database gives up waiting for the other transaction)
   */
  public void claim(RunKey key, String processInstanceId) {
    jdbc.update("INSERT INTO " + TABLE + " (PROCEDURE_ID, TICKET_SYSTEM, TICKET_ID, ACTIVE_SLOT,"
        + " PROCESS_INSTANCE_ID, CREATED_AT) VALUES (?, ?, ?, ?, ?, ?)", key.procedure(),
        key.ticketSystem(), key.ticketId(), ACTIVE, processInstanceId, Timestamp.from(Instant.now()));
  }

  /** The run holding the active slot of {@code key}, if any (it may have ended meanwhile). */
  public Optional<String> holder(RunKey key) {
    List<String> ids = jdbc.queryForList("SELECT PROCESS_INSTANCE_ID FROM " + TABLE
        + " WHERE PROCEDURE_ID = ? AND TICKET_SYSTEM = ? AND TICKET_ID = ? AND ACTIVE_SLOT = ?",
        String.class, key.procedure(), key.ticketSystem(), key.ticketId(), ACTIVE);
    return ids.stream().findFirst();
  }

  /** Frees the active slot held by a run that has ended (no-op if it holds none). */
  public void release(String processInstanceId) {
    jdbc.update("UPDATE " + TABLE + " SET ACTIVE_SLOT = PROCESS_INSTANCE_ID"
        + " WHERE PROCESS_INSTANCE_ID = ? AND ACTIVE_SLOT = ?", processInstanceId, ACTIVE);
  }

}
