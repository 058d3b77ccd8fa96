package io.drrunbook.lab;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The lab's stand-ins for the site's "DBMS scripts to enable and disable database access" (seed
 * 000), installed in each simulated Configuration Database as H2 aliases DR_ENABLE_ACCESS and
 * DR_DISABLE_ACCESS. A production Oracle database has PL/SQL procedures of the same names.
 */
public final class LabDatabaseProcedures {

  private LabDatabaseProcedures() {}

  public static void enableAccess(Connection connection, String schemaUser) throws SQLException {
    setStatus(connection, schemaUser, "OPEN");
  }

  public static void disableAccess(Connection connection, String schemaUser) throws SQLException {
    setStatus(connection, schemaUser, "LOCKED");
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
