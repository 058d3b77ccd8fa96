package io.drrunbook.approval;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Every manual decision (a completed user task) with who, when and the evidence entered, in table
 * {@code DR_DECISION} of the engine database, written in the transaction that completes the task.
 * No API changes or deletes a row: it is the audit record the four-eyes rule reads back.
 */
@Component
@DependsOnDatabaseInitialization
public class DecisionRecord {

  /** One decision; {@code evidenceJson} is the submitted form fields, secrets masked. */
  public record Decision(String taskId, String taskDefinitionKey, String taskName,
      String processInstanceId, String userId, Instant decidedAt, boolean approval,
      String evidenceJson) {}

  static final String TABLE = "DR_DECISION";

  private final JdbcTemplate jdbc;

  public DecisionRecord(DataSource dataSource) {
    this.jdbc = new JdbcTemplate(dataSource);
  }

  public void record(Decision decision) {
    jdbc.update("INSERT INTO " + TABLE + " (TASK_ID, TASK_KEY, TASK_NAME, PROCESS_INSTANCE_ID, USER_ID,"
        + " DECIDED_AT, APPROVAL, EVIDENCE_JSON) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        decision.taskId(), decision.taskDefinitionKey(), truncate(decision.taskName(), 255),
        decision.processInstanceId(), decision.userId(), Timestamp.from(decision.decidedAt()),
        decision.approval() ? 1 : 0, decision.evidenceJson());
  }

  public List<Decision> forProcessInstance(String processInstanceId) {
    return jdbc.query("SELECT * FROM " + TABLE + " WHERE PROCESS_INSTANCE_ID = ? ORDER BY DECIDED_AT",
        (rs, i) -> new Decision(rs.getString("TASK_ID"), rs.getString("TASK_KEY"),
            rs.getString("TASK_NAME"), rs.getString("PROCESS_INSTANCE_ID"), rs.getString("USER_ID"),
            rs.getTimestamp("DECIDED_AT").toInstant(), rs.getInt("APPROVAL") == 1,
            rs.getString("EVIDENCE_JSON")), processInstanceId);
  }

  /** Who completed the latest approval of the run, if any did. */
  public Optional<String> lastApprover(String processInstanceId) {
    return forProcessInstance(processInstanceId).stream().filter(Decision::approval)
        .reduce((first, second) -> second).map(Decision::userId);
  }

  private static String truncate(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max);
  }

}
