package io.drrunbook.common;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What a test compares of two databases' product tables, from the JDBC metadata: per table its
 * columns (name, type, size, nullability, default), primary key, and indexes (the product's by
 * name, the database's own for keys and constraints by their columns).
 */
public final class SchemaDescription {

  private SchemaDescription() {}

  /** Table name (upper case) to the lines that describe it, for every product table present. */
  public static Map<String, List<String>> of(DataSource dataSource) {
    Map<String, List<String>> tables = new TreeMap<>();
    try (Connection connection = dataSource.getConnection()) {
      DatabaseMetaData meta = connection.getMetaData();
      String schema = connection.getSchema();
      for (String table : ProductSchema.TABLES) {
        String name = stored(meta, schema, table);
        if (name != null) {
          tables.put(table, describe(meta, schema, name));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return tables;
  }

  /**
   * The rows of the schema history: version, type and success of each, in order, without Flyway's
   * marker of the history table's creation (type TABLE).
   */
  public static List<String> history(DataSource dataSource) {
    return new JdbcTemplate(dataSource).query("SELECT * FROM \"" + TestProductSchema.historyTable()
        + "\" WHERE \"type\" <> 'TABLE' ORDER BY \"installed_rank\"", (rs, i) -> rs.getString("version")
        + " " + rs.getString("type") + " " + (rs.getBoolean("success") ? "success" : "failed"));
  }

  private static String stored(DatabaseMetaData meta, String schema, String table) throws SQLException {
    for (String name : List.of(table, table.toLowerCase(Locale.ROOT))) {
      try (ResultSet rs = meta.getTables(null, schema, name, new String[] {"TABLE"})) {
        if (rs.next()) {
          return name;
        }
      }
    }
    return null;
  }

  private static List<String> describe(DatabaseMetaData meta, String schema, String table)
      throws SQLException {
    List<String> lines = new ArrayList<>();
    try (ResultSet rs = meta.getColumns(null, schema, table, null)) {
      while (rs.next()) {
        String def = rs.getString("COLUMN_DEF");
        lines.add("column " + up(rs.getString("COLUMN_NAME")) + " " + up(rs.getString("TYPE_NAME"))
            + "(" + rs.getInt("COLUMN_SIZE") + ") "
            + (rs.getInt("NULLABLE") == DatabaseMetaData.columnNoNulls ? "NOT NULL" : "NULL")
            + (def == null ? "" : " DEFAULT " + def));
      }
    }
    List<String> key = new ArrayList<>();
    try (ResultSet rs = meta.getPrimaryKeys(null, schema, table)) {
      TreeMap<Integer, String> columns = new TreeMap<>();
      while (rs.next()) {
        columns.put(rs.getInt("KEY_SEQ"), up(rs.getString("COLUMN_NAME")));
      }
      key.addAll(columns.values());
    }
    lines.add("primary key " + key);
    Map<String, TreeMap<Integer, String>> indexColumns = new TreeMap<>();
    Map<String, Boolean> unique = new TreeMap<>();
    try (ResultSet rs = meta.getIndexInfo(null, schema, table, false, false)) {
      while (rs.next()) {
        String index = rs.getString("INDEX_NAME");
        if (index == null) {
          continue;
        }
        indexColumns.computeIfAbsent(index, i -> new TreeMap<>())
            .put((int) rs.getShort("ORDINAL_POSITION"), up(rs.getString("COLUMN_NAME")));
        unique.put(index, !rs.getBoolean("NON_UNIQUE"));
      }
    }
    TreeSet<String> indexes = new TreeSet<>();
    indexColumns.forEach((index, columns) -> indexes.add("index "
        + (up(index).startsWith("DR_") ? up(index) : "(of the database)")
        + (unique.get(index) ? " unique " : " ") + columns.values()));
    lines.addAll(indexes);
    return lines;
  }

  private static String up(String name) {
    return name.toUpperCase(Locale.ROOT);
  }
}
