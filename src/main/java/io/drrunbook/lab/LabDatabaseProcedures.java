package io.drrunbook.lab;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The lab's stand-ins for the site's "DBMS scripts to enable and disable database access" (seed
 * 000), installed in each simulated Configuration Database as H2 aliases DR_ENABLE_ACCESS and
 * DR_DISABLE_ACCESS, and in each Info Mart database the GoldenGate schema re-creation
 * (DR_RECREATE_GG_SCHEMA). A production Oracle database has PL/SQL procedures of the same names.
 */
public final class LabDatabaseProcedures {

  private LabDatabaseProcedures() {}

  public static void enableAccess(Connection connection, String schemaUser) throws SQLException {
    setStatus(connection, schemaUser, "OPEN");
  }

  public static void disableAccess(Connection connection, String schemaUser) throws SQLException {
    setStatus(connection, schemaUser, "LOCKED");
  }

  /**
   * B2 step 7 (seed 001), "drop and re-create the Oracle GoldenGate schema": the lab's stand-in for
   * the site's DR_RECREATE_GG_SCHEMA (in Oracle a PL/SQL procedure: DROP USER ... CASCADE, CREATE
   * USER, the grants and GoldenGate's schema scripts). Drops the user and its tables, creates them
   * again empty and records the re-creation with the run's key in DR_SCHEMA_RECREATIONS, which is how
   * a rerun of the step sees that it is done.
   */
  public static void recreateGoldenGateSchema(Connection connection, String user, String runKey)
      throws SQLException {
    if (user == null || user.isBlank() || runKey == null || runKey.isBlank()) {
      throw new SQLException("ORA-01935: missing user or role name", "42000", 1935);
    }
    dropGoldenGateSchema(connection, user);
    try (PreparedStatement create = connection.prepareStatement(
        "INSERT INTO DBA_USERS (USERNAME, ACCOUNT_STATUS, CREATED) VALUES (?, 'OPEN', LOCALTIMESTAMP)");
        PreparedStatement table = connection.prepareStatement(
            "INSERT INTO DBA_TABLES (OWNER, TABLE_NAME, NUM_ROWS) VALUES (?, ?, 0)");
        PreparedStatement record = connection.prepareStatement(
            "INSERT INTO DR_SCHEMA_RECREATIONS (USERNAME, RUN_KEY, RECREATED_AT) VALUES (?, ?, LOCALTIMESTAMP)")) {
      create.setString(1, user);
      create.executeUpdate();
      for (String name : new String[] {"GGS_CHECKPOINT", "GGS_CHECKPOINT_LOX", "GG_HEARTBEAT",
          "GG_HEARTBEAT_HISTORY"}) {
        table.setString(1, user);
        table.setString(2, name);
        table.executeUpdate();
      }
      record.setString(1, user);
      record.setString(2, runKey);
      record.executeUpdate();
    }
  }

  /** Drops the GoldenGate schema user and its tables (nothing to do when it does not exist). */
  static void dropGoldenGateSchema(Connection connection, String user) throws SQLException {
    try (PreparedStatement tables = connection.prepareStatement("DELETE FROM DBA_TABLES WHERE OWNER = ?");
        PreparedStatement users = connection.prepareStatement("DELETE FROM DBA_USERS WHERE USERNAME = ?")) {
      tables.setString(1, user);
      tables.executeUpdate();
      users.setString(1, user);
      users.executeUpdate();
    }
  }

  private static void setStatus(Connection connection, String schemaUser, String status)
      throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(
        "UPDATE DBA_USERS SET ACCOUNT_STATUS = ? WHERE USERNAME = ?")) {
      update.setString(1, status);
      update.setString(2, schemaUser);
      if (update.executeUpdate() != 1) {
        throw new SQLException("ORA-01918: user '" + schemaUser + "' does not exist", "42000", 1918);
      }
    }
  }
}
