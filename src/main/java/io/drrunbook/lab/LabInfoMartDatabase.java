package io.drrunbook.lab;

import io.drrunbook.lab.LabProperties.LabDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the lab installs in a database of kind {@code info-mart} (a Genesys Info Mart database that
 * Oracle GoldenGate replicates, procedures B1/B2 of seed 001), on top of {@link LabDatabases}'
 * schema account:
 * <ul>
 *   <li>{@code V$DATABASE} with {@code CURRENT_SCN}: a view whose SCN grows with the clock (the
 *       database's SCN base from {@code DR_LAB_DATABASE} plus the milliseconds since 2026-01-01),
 *       so that every lab database answers a distinct, growing value;</li>
 *   <li>the GoldenGate schema user ({@code GGADMIN}) in {@code DBA_USERS} (with {@code CREATED}) and
 *       its tables in {@code DBA_TABLES} (checkpoint and heartbeat tables, with rows), and the
 *       product procedure {@code DR_RECREATE_GG_SCHEMA(user, runKey)}
 *       ({@link LabDatabaseProcedures#recreateGoldenGateSchema}) which records each re-creation in
 *       {@code DR_SCHEMA_RECREATIONS};</li>
 *   <li>{@code INTERACTION_FACT}: the rows that replication keeps equal between the sites, 1000 of
 *       them at every site in the initial state (Site 3's as if B2 step 2's copy had been made);
 *       "in sync" compares row count and highest {@code INTERACTION_ID}.</li>
 * </ul>
 */
public final class LabInfoMartDatabase {

  /** Rows of INTERACTION_FACT in the initial state, at every site. */
  public static final int INITIAL_FACTS = 1000;

  private LabInfoMartDatabase() {}

  private static boolean isEmpty(Statement sql, String table) throws SQLException {
    try (ResultSet rows = sql.executeQuery("SELECT COUNT(*) FROM " + table)) {
      return rows.next() && rows.getLong(1) == 0;
    }
  }

  static void install(Connection connection, LabDatabase spec, long scnBase, boolean initialState)
      throws SQLException {
    try (Statement sql = connection.createStatement()) {
      sql.execute("ALTER TABLE DBA_USERS ADD COLUMN IF NOT EXISTS CREATED TIMESTAMP");
      sql.execute("CREATE TABLE IF NOT EXISTS DBA_TABLES (OWNER VARCHAR(128) NOT NULL,"
          + " TABLE_NAME VARCHAR(128) NOT NULL, NUM_ROWS BIGINT, PRIMARY KEY (OWNER, TABLE_NAME))");
      sql.execute("CREATE TABLE IF NOT EXISTS DR_SCHEMA_RECREATIONS (USERNAME VARCHAR(128) NOT NULL,"
          + " RUN_KEY VARCHAR(200) NOT NULL, RECREATED_AT TIMESTAMP NOT NULL)");
      sql.execute("CREATE TABLE IF NOT EXISTS DR_LAB_DATABASE (NAME VARCHAR(30) NOT NULL,"
          + " SCN_BASE BIGINT NOT NULL)");
      sql.execute("CREATE TABLE IF NOT EXISTS INTERACTION_FACT (INTERACTION_ID BIGINT PRIMARY KEY,"
          + " START_DATE_TIME_KEY BIGINT NOT NULL)");
      sql.execute("CREATE OR REPLACE VIEW V$DATABASE AS SELECT NAME, SCN_BASE"
          + " + DATEDIFF('MILLISECOND', TIMESTAMP '2026-01-01 00:00:00', LOCALTIMESTAMP) AS CURRENT_SCN"
          + " FROM DR_LAB_DATABASE");
      sql.execute("CREATE ALIAS IF NOT EXISTS DR_RECREATE_GG_SCHEMA FOR '"
          + LabDatabaseProcedures.class.getName() + ".recreateGoldenGateSchema'");
      // a database kept from a run before it was an info-mart one gets its initial content once
      if (!initialState && !isEmpty(sql, "DR_LAB_DATABASE")) {
        return;
      }
      sql.execute("DELETE FROM DR_LAB_DATABASE");
      sql.execute("DELETE FROM DR_SCHEMA_RECREATIONS");
      sql.execute("DELETE FROM INTERACTION_FACT");
      sql.execute("INSERT INTO INTERACTION_FACT (INTERACTION_ID, START_DATE_TIME_KEY)"
          + " SELECT X, 1763600000 + X * 60 FROM SYSTEM_RANGE(1, " + INITIAL_FACTS + ")");
    }
    try (PreparedStatement base = connection.prepareStatement(
        "INSERT INTO DR_LAB_DATABASE (NAME, SCN_BASE) VALUES ('GIM', ?)")) {
      base.setLong(1, scnBase);
      base.executeUpdate();
    }
    // the GoldenGate schema as replication left it: checkpoint and heartbeat rows of earlier runs
    LabDatabaseProcedures.dropGoldenGateSchema(connection, spec.getGoldengateUser());
    try (PreparedStatement user = connection.prepareStatement(
        "INSERT INTO DBA_USERS (USERNAME, ACCOUNT_STATUS, CREATED) VALUES (?, 'OPEN', TIMESTAMP '2025-03-01 09:00:00')");
        PreparedStatement table = connection.prepareStatement(
            "INSERT INTO DBA_TABLES (OWNER, TABLE_NAME, NUM_ROWS) VALUES (?, ?, ?)")) {
      user.setString(1, spec.getGoldengateUser());
      user.executeUpdate();
      for (String[] t : new String[][] {{"GGS_CHECKPOINT", "2"}, {"GGS_CHECKPOINT_LOX", "2"},
          {"GG_HEARTBEAT", "3"}, {"GG_HEARTBEAT_HISTORY", "4320"}}) {
        table.setString(1, spec.getGoldengateUser());
        table.setString(2, t[0]);
        table.setLong(3, Long.parseLong(t[1]));
        table.executeUpdate();
      }
    }
  }
}
