package io.drrunbook.runs.callbacks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The callbacks to send, in the engine database ({@code DR_CALLBACK_OUTBOX}, one row per event and
 * subscribed ticket system) with every attempt at sending each ({@code DR_CALLBACK_ATTEMPT}). Rows
 * are written inside the engine's transaction (the same Spring-managed connection), so a rolled
 * back transaction leaves none and a committed one never loses one. Rows hold the event's values,
 * never a secret: the Authorization header is resolved when a row is sent.
 */
@Component
@DependsOnDatabaseInitialization
public class CallbackOutbox {

  public enum State { PENDING, DELIVERED, FAILED }

  /** One row: a callback of one event to one ticket system. */
  public record Row(String id, long seq, String processInstanceId, String ticketSystem,
      String ticketId, String event, Map<String, String> values, State state, int attempts,
      Instant nextAttemptAt, Instant lockedUntil, Integer lastStatus, String lastError,
      Instant createdAt, Instant lastAttemptAt, Instant finishedAt) {}

  /** One attempt at sending a row. */
  public record Attempt(int number, Instant at, Integer httpStatus, String error, long durationMillis) {}

  static final String TABLE = "DR_CALLBACK_OUTBOX";
  static final String ATTEMPTS = "DR_CALLBACK_ATTEMPT";
  private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {};
  /** Orders the rows: monotonic on this node, close to the clock in microseconds across restarts. */
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final int SCAN_LIMIT = 500;

  private final JdbcTemplate jdbc;
  /** For the worker's scan of pending rows only: bounded. */
  private final JdbcTemplate scan;
  private final TransactionTemplate transaction;
  private final ObjectMapper json = new ObjectMapper();

  public CallbackOutbox(DataSource dataSource, PlatformTransactionManager transactionManager) {
    this.jdbc = new JdbcTemplate(dataSource);
    this.scan = new JdbcTemplate(dataSource);
    this.scan.setMaxRows(SCAN_LIMIT);
    this.transaction = new TransactionTemplate(transactionManager);
  }

  /** Adds a callback; joins the caller's transaction (the engine's) when there is one. */
  public String enqueue(String processInstanceId, String ticketSystem, String ticketId,
      CallbackEvent event, Map<String, String> values) {
    String id = UUID.randomUUID().toString();
    Timestamp now = Timestamp.from(Instant.now());
    jdbc.update("INSERT INTO " + TABLE + " (ID, SEQ, PROCESS_INSTANCE_ID, TICKET_SYSTEM, TICKET_ID,"
        + " EVENT, VALUES_JSON, STATE, ATTEMPTS, NEXT_ATTEMPT_AT, CREATED_AT)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
        id, nextSeq(), processInstanceId, ticketSystem, truncate(ticketId, 255), event.id(),
        toJson(values), State.PENDING.name(), now, now);
    return id;
  }

  /** The first pending rows in order (due or not, being sent or not). */
  public List<Row> pending() {
    return scan.query("SELECT * FROM " + TABLE + " WHERE STATE = ? ORDER BY SEQ",
        (rs, i) -> row(rs), State.PENDING.name());
  }

  /**
   * Takes a pending row, as {@code row} read it, for sending until {@code until}; false when another
   * sender has it, when it changed since it was read (an attempt was recorded meanwhile: sending
   * from the stale row would repeat that attempt) or when its next attempt is not due yet.
   */
  public boolean claim(Row row, Instant now, Instant until) {
    Timestamp at = Timestamp.from(now);
    return jdbc.update("UPDATE " + TABLE + " SET LOCKED_UNTIL = ? WHERE ID = ? AND STATE = ?"
        + " AND ATTEMPTS = ? AND (LOCKED_UNTIL IS NULL OR LOCKED_UNTIL < ?)"
        + " AND (NEXT_ATTEMPT_AT IS NULL OR NEXT_ATTEMPT_AT <= ?)", Timestamp.from(until), row.id(),
        State.PENDING.name(), row.attempts(), at, at) == 1;
  }

  /**
   * Records an attempt and the row's new state: DELIVERED, FAILED, or PENDING again with the time
   * of the next attempt.
   */
  public void recordAttempt(Row row, Attempt attempt, State state, Instant nextAttemptAt) {
    transaction.executeWithoutResult(tx -> {
      jdbc.update("INSERT INTO " + ATTEMPTS + " (OUTBOX_ID, ATTEMPT, ATTEMPTED_AT, HTTP_STATUS,"
          + " ERROR, DURATION_MS) VALUES (?, ?, ?, ?, ?, ?)", row.id(), attempt.number(),
          Timestamp.from(attempt.at()), attempt.httpStatus(), truncate(attempt.error(), 2000),
          attempt.durationMillis());
      jdbc.update("UPDATE " + TABLE + " SET STATE = ?, ATTEMPTS = ?, LAST_STATUS = ?,"
          + " LAST_ERROR = ?, LAST_ATTEMPT_AT = ?, NEXT_ATTEMPT_AT = ?, LOCKED_UNTIL = NULL,"
          + " FINISHED_AT = ? WHERE ID = ?", state.name(), attempt.number(), attempt.httpStatus(),
          truncate(attempt.error(), 2000), Timestamp.from(attempt.at()),
          nextAttemptAt == null ? null : Timestamp.from(nextAttemptAt),
          state == State.PENDING ? null : Timestamp.from(Instant.now()), row.id());
    });
  }

  public List<Row> forProcessInstance(String processInstanceId) {
    return jdbc.query("SELECT * FROM " + TABLE + " WHERE PROCESS_INSTANCE_ID = ? ORDER BY SEQ",
        (rs, i) -> row(rs), processInstanceId);
  }

  public List<Attempt> attempts(String outboxId) {
    return jdbc.query("SELECT * FROM " + ATTEMPTS + " WHERE OUTBOX_ID = ? ORDER BY ATTEMPT",
        (rs, i) -> new Attempt(rs.getInt("ATTEMPT"), rs.getTimestamp("ATTEMPTED_AT").toInstant(),
            (Integer) rs.getObject("HTTP_STATUS", Integer.class), rs.getString("ERROR"),
            rs.getLong("DURATION_MS")), outboxId);
  }

  /**
   * Deletes the rows delivered or given up (FAILED) before {@code finishedBefore}, with their
   * attempts; pending rows stay however old they are.
   *
   * @return the number of rows deleted
   */
  public int purgeFinished(Instant finishedBefore) {
    Timestamp before = Timestamp.from(finishedBefore);
    String finished = " WHERE STATE IN (?, ?) AND FINISHED_AT < ?";
    return transaction.execute(tx -> {
      jdbc.update("DELETE FROM " + ATTEMPTS + " WHERE OUTBOX_ID IN (SELECT ID FROM " + TABLE + finished
          + ")", State.DELIVERED.name(), State.FAILED.name(), before);
      return jdbc.update("DELETE FROM " + TABLE + finished, State.DELIVERED.name(), State.FAILED.name(),
          before);
    });
  }

  private static long nextSeq() {
    long now = System.currentTimeMillis() * 1000;
    return SEQUENCE.updateAndGet(prev -> Math.max(prev + 1, now));
  }

  private Row row(ResultSet rs) throws SQLException {
    return new Row(rs.getString("ID"), rs.getLong("SEQ"), rs.getString("PROCESS_INSTANCE_ID"),
        rs.getString("TICKET_SYSTEM"), rs.getString("TICKET_ID"), rs.getString("EVENT"),
        fromJson(rs.getString("VALUES_JSON")), State.valueOf(rs.getString("STATE")),
        rs.getInt("ATTEMPTS"), instant(rs, "NEXT_ATTEMPT_AT"), instant(rs, "LOCKED_UNTIL"),
        rs.getObject("LAST_STATUS", Integer.class), rs.getString("LAST_ERROR"),
        instant(rs, "CREATED_AT"), instant(rs, "LAST_ATTEMPT_AT"), instant(rs, "FINISHED_AT"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private String toJson(Map<String, String> values) {
    try {
      return json.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("callback values are not serialisable", e);
    }
  }

  private Map<String, String> fromJson(String text) {
    try {
      return text == null ? Map.of() : json.readValue(text, MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the callback outbox holds unreadable values", e);
    }
  }

  private static String truncate(String text, int limit) {
    return text == null || text.length() <= limit ? text : text.substring(0, limit);
  }
}
