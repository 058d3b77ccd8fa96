package io.drrunbook.common;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Creates the product's own tables next to the engine's (step journal, decisions, run keys,
 * callback outbox) when they do not exist yet, in the column types of the engine database's
 * product (H2, PostgreSQL or Oracle).
 */
public final class ProductTables {

  /** Column types that differ between the supported databases. */
  public record Types(String varchar, String text, String bigint) {}

  private ProductTables() {}

  /**
   * Runs {@code statements} (a CREATE TABLE and its indexes) unless {@code table} exists.
   *
   * @throws IllegalStateException naming the table when the database refuses
   */
  public static void createIfMissing(DataSource dataSource, String table,
      Function<Types, List<String>> statements) {
    try (Connection connection = dataSource.getConnection()) {
      DatabaseMetaData meta = connection.getMetaData();
      if (exists(meta, table)) {
        return;
      }
      String product = meta.getDatabaseProductName().toLowerCase(Locale.ROOT);
      boolean oracle = product.contains("oracle");
      Types types = new Types(oracle ? "VARCHAR2" : "VARCHAR",
          product.contains("postgres") ? "TEXT" : "CLOB", oracle ? "NUMBER(19)" : "BIGINT");
      try (Statement sql = connection.createStatement()) {
        for (String statement : statements.apply(types)) {
          sql.execute(statement);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot prepare the table " + table + ": " + e.getMessage(), e);
    }
  }

  private static boolean exists(DatabaseMetaData meta, String table) throws SQLException {
    for (String name : List.of(table, table.toLowerCase(Locale.ROOT))) {
      try (ResultSet tables = meta.getTables(null, null, name, null)) {
        if (tables.next()) {
          return true;
        }
      }
    }
    return false;
  }
}
