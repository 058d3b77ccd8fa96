package io.drrunbook.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.stereotype.Component;

/**
 * The product's own tables next to the engine's (step journal, decisions, run keys, modes, plans,
 * prechecks, callback outbox), created and changed by the Flyway migrations of
 * {@code db/migration/<vendor>} (configuration: {@code spring.flyway} in application.yaml), with
 * their own history table so that they never mix with the engine's {@code ACT_} tables. Spring Boot
 * runs this strategy before the engine starts and before any bean that uses the tables.
 *
 * <p>A database of an earlier version, whose tables were created by hand-written DDL, has them and
 * no history: it is baselined at version 1 (its tables are those of {@code V1}) and migrated from
 * there; tables that its version did not have yet are first created by the statements of
 * {@code V1__product_tables.sql} that create them (so V1 stays plain statements, each creating or
 * indexing one table). A database without the tables is migrated from nothing.
 */
@Component
public class ProductSchema implements FlywayMigrationStrategy {

  /** Every table of {@code V1__product_tables.sql}. */
  public static final List<String> TABLES = List.of("DR_STEP_JOURNAL", "DR_DECISION", "DR_RUN_KEY",
      "DR_CALLBACK_OUTBOX", "DR_CALLBACK_ATTEMPT", "DR_RUN_MODE", "DR_RUN_PLAN", "DR_PRECHECK",
      "DR_PRECHECK_HOLD");
  /** The version whose tables earlier versions of the product created by hand. */
  static final String HAND_MADE_VERSION = "1";
  static final String V1_SCRIPT = "V1__product_tables.sql";
  /** The table a statement of V1 creates or indexes. */
  private static final Pattern TABLE_OF_STATEMENT =
      Pattern.compile("^CREATE (?:TABLE|INDEX \\w+ ON) (\\w+)", Pattern.CASE_INSENSITIVE);
  private static final Logger log = LoggerFactory.getLogger(ProductSchema.class);

  @Override
  public void migrate(Flyway flyway) {
    if (flyway.info().applied().length == 0) {
      DataSource dataSource = flyway.getConfiguration().getDataSource();
      List<String> existing = existingTables(dataSource);
      if (!existing.isEmpty()) {
        if (existing.size() < TABLES.size()) {
          // a version that had only some of them: the rest as V1 creates them, then as above
          createMissing(flyway, dataSource, existing);
        }
        log.info("product tables of an earlier version found: baselining them at version {}",
            HAND_MADE_VERSION);
        Flyway.configure(flyway.getConfiguration().getClassLoader())
            .configuration(flyway.getConfiguration())
            .baselineVersion(HAND_MADE_VERSION)
            .baselineDescription("product tables created by an earlier version")
            .load()
            .baseline();
      }
    }
    flyway.migrate();
  }

  /**
   * Runs the statements of {@code V1__product_tables.sql} (of the configured location) that create
   * a missing table or one of its indexes.
   */
  private static void createMissing(Flyway flyway, DataSource dataSource, List<String> existing) {
    List<String> missing = new ArrayList<>(TABLES);
    missing.removeAll(existing);
    log.info("product tables {} missing: creating them as V1 does", missing);
    String script = v1Script(flyway);
    try (Connection connection = dataSource.getConnection(); Statement sql = connection.createStatement()) {
      for (String statement : statements(script)) {
        Matcher table = TABLE_OF_STATEMENT.matcher(statement);
        if (!table.find()) {
          throw new IllegalStateException("V1__product_tables.sql has a statement of no table: " + statement);
        }
        if (missing.contains(table.group(1).toUpperCase(Locale.ROOT))) {
          sql.execute(statement);
        }
      }
      if (!connection.getAutoCommit()) {
        connection.commit();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the product tables " + missing + ": "
          + e.getMessage(), e);
    }
  }

  private static String v1Script(Flyway flyway) {
    for (Location location : flyway.getConfiguration().getLocations()) {
      String path = location.getRootPath() + "/" + V1_SCRIPT;
      try (InputStream in = flyway.getConfiguration().getClassLoader().getResourceAsStream(path)) {
        if (in != null) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
      }
    }
    throw new IllegalStateException("no " + V1_SCRIPT + " in " + List.of(flyway.getConfiguration().getLocations()));
  }

  /** The statements of a script of plain statements ending with ';' and line comments. */
  static List<String> statements(String script) {
    StringBuilder text = new StringBuilder();
    script.lines().filter(line -> !line.strip().startsWith("--")).forEach(line -> text.append(line).append('\n'));
    List<String> statements = new ArrayList<>();
    for (String statement : text.toString().split(";")) {
      if (!statement.isBlank()) {
        statements.add(statement.strip());
      }
    }
    return statements;
  }

  /** The product tables that exist in the database's current schema. */
  static List<String> existingTables(DataSource dataSource) {
    List<String> found = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      DatabaseMetaData meta = connection.getMetaData();
      for (String table : TABLES) {
        if (exists(meta, connection.getSchema(), table)) {
          found.add(table);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the tables of the engine database: "
          + e.getMessage(), e);
    }
    return found;
  }

  private static boolean exists(DatabaseMetaData meta, String schema, String table)
      throws SQLException {
    // unquoted names are upper case in H2 and Oracle, lower case in PostgreSQL
    for (String name : List.of(table, table.toLowerCase(Locale.ROOT))) {
      try (ResultSet tables = meta.getTables(null, schema, name, new String[] {"TABLE"})) {
        if (tables.next()) {
          return true;
        }
      }
    }
    return false;
  }
}
