package io.drrunbook.common;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Fixture: the product tables as versions before the Flyway schema created them, by the DDL strings
 * those versions held (copied from StepJournal, DecisionRecord, RunKeyGuard, CallbackOutbox,
 * RunModes, RunPlans, PrecheckResults and PrecheckHolds, with the column types of ProductTables).
 */
public final class HandMadeProductTables {

  /** Column types that differ between the supported databases. */
  public record Types(String varchar, String text, String bigint) {}

  public static final Types H2 = new Types("VARCHAR", "CLOB", "BIGINT");
  public static final Types POSTGRESQL = new Types("VARCHAR", "TEXT", "BIGINT");

  private HandMadeProductTables() {}

  /** Creates every table (or only {@code tables}, when given) as an earlier version did. */
  public static void create(DataSource dataSource, Types types, String... tables) {
    List<String> only = List.of(tables);
    try (Connection connection = dataSource.getConnection(); Statement sql = connection.createStatement()) {
      for (List<String> table : statements(types)) {
        if (only.isEmpty() || only.stream().anyMatch(name -> table.get(0).startsWith("CREATE TABLE " + name + " "))) {
          for (String statement : table) {
            sql.execute(statement);
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<List<String>> statements(Types types) {
    List<List<String>> all = new ArrayList<>();
    all.add(List.of(
        "CREATE TABLE DR_STEP_JOURNAL ("
            + "IDEMPOTENCY_KEY " + types.varchar() + "(200) PRIMARY KEY, "
            + "PROCESS_INSTANCE_ID " + types.varchar() + "(64) NOT NULL, "
            + "ACTIVITY_ID " + types.varchar() + "(255) NOT NULL, "
            + "ROUTE " + types.varchar() + "(100) NOT NULL, "
            + "STATE " + types.varchar() + "(20) NOT NULL, "
            + "ATTEMPTS INTEGER NOT NULL, "
            + "RESULT_JSON " + types.text() + ", "
            + "LAST_ERROR " + types.varchar() + "(2000), "
            + "STARTED_AT TIMESTAMP NOT NULL, "
            + "ENDED_AT TIMESTAMP)",
        "CREATE INDEX DR_STEP_JOURNAL_PI ON DR_STEP_JOURNAL (PROCESS_INSTANCE_ID)"));
    all.add(List.of(
        "CREATE TABLE DR_DECISION ("
            + "TASK_ID " + types.varchar() + "(64) PRIMARY KEY, "
            + "TASK_KEY " + types.varchar() + "(255) NOT NULL, "
            + "TASK_NAME " + types.varchar() + "(255), "
            + "PROCESS_INSTANCE_ID " + types.varchar() + "(64), "
            + "USER_ID " + types.varchar() + "(255), "
            + "DECIDED_AT TIMESTAMP NOT NULL, "
            + "APPROVAL INTEGER NOT NULL, "
            + "EVIDENCE_JSON " + types.text() + ")",
        "CREATE INDEX DR_DECISION_PI ON DR_DECISION (PROCESS_INSTANCE_ID)"));
    all.add(List.of(
        "CREATE TABLE DR_RUN_KEY ("
            + "PROCEDURE_ID " + types.varchar() + "(255) NOT NULL, "
            + "TICKET_SYSTEM " + types.varchar() + "(32) NOT NULL, "
            + "TICKET_ID " + types.varchar() + "(64) NOT NULL, "
            + "ACTIVE_SLOT " + types.varchar() + "(64) NOT NULL, "
            + "PROCESS_INSTANCE_ID " + types.varchar() + "(64) NOT NULL, "
            + "CREATED_AT TIMESTAMP NOT NULL, "
            + "CONSTRAINT DR_RUN_KEY_UNIQUE UNIQUE (PROCEDURE_ID, TICKET_SYSTEM, TICKET_ID, ACTIVE_SLOT))",
        "CREATE INDEX DR_RUN_KEY_PI ON DR_RUN_KEY (PROCESS_INSTANCE_ID)"));
    all.add(List.of(
        "CREATE TABLE DR_CALLBACK_OUTBOX ("
            + "ID " + types.varchar() + "(36) PRIMARY KEY, "
            + "SEQ " + types.bigint() + " NOT NULL, "
            + "PROCESS_INSTANCE_ID " + types.varchar() + "(64) NOT NULL, "
            + "TICKET_SYSTEM " + types.varchar() + "(100) NOT NULL, "
            + "TICKET_ID " + types.varchar() + "(255), "
            + "EVENT " + types.varchar() + "(40) NOT NULL, "
            + "VALUES_JSON " + types.text() + ", "
            + "STATE " + types.varchar() + "(20) NOT NULL, "
            + "ATTEMPTS INTEGER NOT NULL, "
            + "NEXT_ATTEMPT_AT TIMESTAMP, "
            + "LOCKED_UNTIL TIMESTAMP, "
            + "LAST_STATUS INTEGER, "
            + "LAST_ERROR " + types.varchar() + "(2000), "
            + "CREATED_AT TIMESTAMP NOT NULL, "
            + "LAST_ATTEMPT_AT TIMESTAMP, "
            + "FINISHED_AT TIMESTAMP)",
        "CREATE INDEX DR_CALLBACK_OUTBOX_PI ON DR_CALLBACK_OUTBOX (PROCESS_INSTANCE_ID)",
        "CREATE INDEX DR_CALLBACK_OUTBOX_ST ON DR_CALLBACK_OUTBOX (STATE, SEQ)"));
    all.add(List.of(
        "CREATE TABLE DR_CALLBACK_ATTEMPT ("
            + "OUTBOX_ID " + types.varchar() + "(36) NOT NULL, "
            + "ATTEMPT INTEGER NOT NULL, "
            + "ATTEMPTED_AT TIMESTAMP NOT NULL, "
            + "HTTP_STATUS INTEGER, "
            + "ERROR " + types.varchar() + "(2000), "
            + "DURATION_MS " + types.bigint() + " NOT NULL, "
            + "PRIMARY KEY (OUTBOX_ID, ATTEMPT))"));
    all.add(List.of(
        "CREATE TABLE DR_RUN_MODE ("
            + "PROCESS_INSTANCE_ID " + types.varchar() + "(64) PRIMARY KEY, "
            + "PROCESS_KEY " + types.varchar() + "(255) NOT NULL, "
            + "RUN_MODE " + types.varchar() + "(20) NOT NULL, "
            + "STARTED_AT TIMESTAMP NOT NULL)"));
    all.add(List.of(
        "CREATE TABLE DR_RUN_PLAN ("
            + "ENTRY_KEY " + types.varchar() + "(200) PRIMARY KEY, "
            + "RUN_ID " + types.varchar() + "(64) NOT NULL, "
            + "ACTIVITY_ID " + types.varchar() + "(255) NOT NULL, "
            + "STEP_NAME " + types.varchar() + "(500), "
            + "KIND " + types.varchar() + "(20) NOT NULL, "
            + "ROUTE " + types.varchar() + "(100), "
            + "ACTIONS_JSON " + types.text() + ", "
            + "TARGETS_JSON " + types.text() + ", "
            + "RECORDED_AT TIMESTAMP NOT NULL)",
        "CREATE INDEX DR_RUN_PLAN_RUN ON DR_RUN_PLAN (RUN_ID)"));
    all.add(List.of(
        "CREATE TABLE DR_PRECHECK ("
            + "RUN_ID " + types.varchar() + "(64) NOT NULL, "
            + "TARGET_KIND " + types.varchar() + "(20) NOT NULL, "
            + "TARGET_NAME " + types.varchar() + "(255) NOT NULL, "
            + "OK INTEGER NOT NULL, "
            + "CHECK_NAME " + types.varchar() + "(100), "
            + "DETAIL " + types.varchar() + "(2000), "
            + "FIRST_STEP " + types.varchar() + "(255), "
            + "CHECKED_AT TIMESTAMP NOT NULL, "
            + "DURATION_MS " + types.bigint() + ", "
            + "PRIMARY KEY (RUN_ID, TARGET_KIND, TARGET_NAME))"));
    all.add(List.of(
        "CREATE TABLE DR_PRECHECK_HOLD ("
            + "RUN_ID " + types.varchar() + "(64) PRIMARY KEY, "
            + "WALK_ID " + types.varchar() + "(64) NOT NULL, "
            + "STATE " + types.varchar() + "(20) NOT NULL, "
            + "RUN_ENDED INTEGER DEFAULT 0 NOT NULL, "
            + "OVERRIDDEN_BY " + types.varchar() + "(255), "
            + "OVERRIDDEN_AT TIMESTAMP, "
            + "OVERRIDE_NOTE " + types.varchar() + "(2000), "
            + "UPDATED_AT TIMESTAMP NOT NULL)",
        "CREATE INDEX DR_PRECHECK_HOLD_STATE ON DR_PRECHECK_HOLD (STATE, RUN_ENDED)"));
    return all;
  }
}
