package io.drrunbook.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The product tables' migration on H2, against the hand-written DDL of earlier versions: a new
 * database gets the same tables, a database of an earlier version is baselined with its rows kept,
 * one with the engine's tables only is migrated, one with some product tables only is refused.
 */
class ProductSchemaTest {

  @Test
  void shouldCreateTheTablesOfTheHandWrittenDdlWhenTheDatabaseIsNew() {
    DataSource handMade = database();
    HandMadeProductTables.create(handMade, HandMadeProductTables.H2);
    DataSource migrated = database();

    TestProductSchema.migrate(migrated);

    assertThat(SchemaDescription.of(migrated)).containsOnlyKeys(ProductSchema.TABLES)
        .isEqualTo(SchemaDescription.of(handMade));
    assertThat(SchemaDescription.history(migrated)).containsExactly("1 SQL success");
  }

  @Test
  void shouldBaselineAndKeepTheRowsWhenAnEarlierVersionCreatedTheTables() {
    DataSource earlier = database();
    HandMadeProductTables.create(earlier, HandMadeProductTables.H2);
    JdbcTemplate jdbc = new JdbcTemplate(earlier);
    jdbc.update("CREATE TABLE ACT_GE_PROPERTY (NAME_ VARCHAR(64) PRIMARY KEY)");
    jdbc.update("INSERT INTO DR_RUN_MODE (PROCESS_INSTANCE_ID, PROCESS_KEY, RUN_MODE, STARTED_AT)"
        + " VALUES ('run-1', 'dr-gim-site-failover', 'drill', CURRENT_TIMESTAMP)");
    var before = SchemaDescription.of(earlier);

    TestProductSchema.migrate(earlier);

    assertThat(SchemaDescription.history(earlier)).containsExactly("1 BASELINE success");
    assertThat(SchemaDescription.of(earlier)).isEqualTo(before);
    assertThat(jdbc.queryForObject("SELECT RUN_MODE FROM DR_RUN_MODE WHERE PROCESS_INSTANCE_ID = 'run-1'",
        String.class)).isEqualTo("drill");
  }

  @Test
  void shouldCreateTheTablesWhenTheDatabaseHasOnlyTheEngineTables() {
    DataSource engineOnly = database();
    new JdbcTemplate(engineOnly).update("CREATE TABLE ACT_GE_PROPERTY (NAME_ VARCHAR(64) PRIMARY KEY)");
    DataSource handMade = database();
    HandMadeProductTables.create(handMade, HandMadeProductTables.H2);

    TestProductSchema.migrate(engineOnly);

    assertThat(SchemaDescription.of(engineOnly)).isEqualTo(SchemaDescription.of(handMade));
    assertThat(SchemaDescription.history(engineOnly)).containsExactly("0 BASELINE success", "1 SQL success");
  }

  @Test
  void shouldLeaveAMigratedDatabaseAsItIsWhenStartedAgain() {
    DataSource migrated = database();
    TestProductSchema.migrate(migrated);
    var first = SchemaDescription.of(migrated);

    TestProductSchema.migrate(migrated);

    assertThat(SchemaDescription.of(migrated)).isEqualTo(first);
    assertThat(SchemaDescription.history(migrated)).containsExactly("1 SQL success");
  }

  @Test
  void shouldRefuseNamingTheMissingTablesWhenOnlySomeProductTablesExist() {
    DataSource partial = database();
    HandMadeProductTables.create(partial, HandMadeProductTables.H2, "DR_STEP_JOURNAL", "DR_DECISION");

    assertThatThrownBy(() -> TestProductSchema.migrate(partial))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("[DR_STEP_JOURNAL, DR_DECISION]")
        .hasMessageContaining("DR_RUN_PLAN").hasMessageContaining("V1__product_tables.sql");
    assertThat(SchemaDescription.of(partial)).containsOnlyKeys("DR_STEP_JOURNAL", "DR_DECISION");
  }

  private static DataSource database() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:schema-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    dataSource.setUser("sa");
    return dataSource;
  }
}
