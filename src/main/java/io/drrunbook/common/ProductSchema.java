package io.drrunbook.common;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
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
 * <p>A database of an earlier version, whose tables were created by hand-written DDL, has them all
 * and no history: it is baselined at version 1 (its tables are those of {@code V1}) and migrated
 * from there. A database without the tables is migrated from nothing.
 */
@Component
public class ProductSchema implements FlywayMigrationStrategy {

  /** Every table of {@code V1__product_tables.sql}. */
  public static final List<String> TABLES = List.of("DR_STEP_JOURNAL", "DR_DECISION", "DR_RUN_KEY",
      "DR_CALLBACK_OUTBOX", "DR_CALLBACK_ATTEMPT", "DR_RUN_MODE", "DR_RUN_PLAN", "DR_PRECHECK",
      "DR_PRECHECK_HOLD");
  /** The version whose tables earlier versions of the product created by hand. */
  static final String HAND_MADE_VERSION = "1";
  private static final Logger log = LoggerFactory.getLogger(ProductSchema.class);

  @Override
  public void migrate(Flyway flyway) {
    if (flyway.info().applied().length == 0) {
      List<String> existing = existingTables(flyway.getConfiguration().getDataSource());
      if (existing.size() == TABLES.size()) {
        log.info("product tables of an earlier version found: baselining them at version {}",
            HAND_MADE_VERSION);
        Flyway.configure(flyway.getConfiguration().getClassLoader())
            .configuration(flyway.getConfiguration())
            .baselineVersion(HAND_MADE_VERSION)
            .baselineDescription("product tables created by an earlier version")
            .load()
            .baseline();
      } else if (!existing.isEmpty()) {
        List<String> missing = new ArrayList<>(TABLES);
        missing.removeAll(existing);
        throw new IllegalStateException("the engine database has some product tables (" + existing
            + ") but not " + missing + " and no schema history: it comes from a version older than"
            + " any this one can upgrade; create the missing tables as in V1__product_tables.sql, then"
            + " start again");
      }
    }
    flyway.migrate();
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
