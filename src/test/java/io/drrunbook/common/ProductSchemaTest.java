package io.drrunbook.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The product tables' migration on H2, against the hand-written DDL of earlier versions: a new
 * database gets the same tables, a database of an earlier version is baselined with its rows kept,
 * also one of a version that had only some of the tables, one with the engine's tables only is
 * migrated.
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
    assertThat(SchemaDescription.history(migrated)).containsExactly("1 SQL success", "2 SQL success", "3 SQL success");
    // V2: the systems active runs hold (prechecks/SystemClaims), one claim per system and slot
    JdbcTemplate jdbc = new JdbcTemplate(migrated);
    jdbc.update("INSERT INTO DR_SYSTEM_CLAIM (SYSTEM_NAME, CLAIM_SLOT, RUN_ID, PROCEDURE_ID, CLAIMED_AT)"
        + " VALUES ('record:cs-master', 'ACTIVE', 'run-1', 'dr-genesys-cs-failover', CURRENT_TIMESTAMP)");
    assertThat(org.junit.jupiter.api.Assertions.assertThrows(
        org.springframework.dao.DataIntegrityViolationException.class, () -> jdbc.update(
            "INSERT INTO DR_SYSTEM_CLAIM (SYSTEM_NAME, CLAIM_SLOT, RUN_ID, PROCEDURE_ID, CLAIMED_AT) VALUES"
            + " ('record:cs-master', 'ACTIVE', 'run-2', 'dr-genesys-cs-failback', CURRENT_TIMESTAMP)")))
        .hasMessageContaining("DR_SYSTEM_CLAIM");
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

    assertThat(SchemaDescription.history(earlier)).containsExactly("1 BASELINE success", "2 SQL success", "3 SQL success");
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
    assertThat(SchemaDescription.history(engineOnly)).containsExactly("0 BASELINE success", "1 SQL success", "2 SQL success", "3 SQL success");
  }

  @Test
  void shouldLeaveAMigratedDatabaseAsItIsWhenStartedAgain() {
    DataSource migrated = database();
    TestProductSchema.migrate(migrated);
    var first = SchemaDescription.of(migrated);

    TestProductSchema.migrate(migrated);

    assertThat(SchemaDescription.of(migrated)).isEqualTo(first);
    assertThat(SchemaDescription.history(migrated)).containsExactly("1 SQL success", "2 SQL success", "3 SQL success");
  }

  @Test
  void shouldCreateTheMissingTablesAndBaselineWhenAnEarlierVersionHadOnlySomeOfThem() {
    DataSource earlier = database();
    // the tables of the versions of 2026-11-22 (run modes, plans and prechecks came later)
    HandMadeProductTables.create(earlier, HandMadeProductTables.H2, "DR_STEP_JOURNAL", "DR_DECISION",
        "DR_RUN_KEY", "DR_CALLBACK_OUTBOX", "DR_CALLBACK_ATTEMPT");
    JdbcTemplate jdbc = new JdbcTemplate(earlier);
    jdbc.update("INSERT INTO DR_DECISION (TASK_ID, TASK_KEY, DECIDED_AT, APPROVAL)"
        + " VALUES ('task-1', 'UserTask_DeclareDisaster', CURRENT_TIMESTAMP, 1)");
    DataSource handMade = database();
    HandMadeProductTables.create(handMade, HandMadeProductTables.H2);

    TestProductSchema.migrate(earlier);

    assertThat(SchemaDescription.of(earlier)).isEqualTo(SchemaDescription.of(handMade));
    assertThat(SchemaDescription.history(earlier)).containsExactly("1 BASELINE success", "2 SQL success", "3 SQL success");
    assertThat(jdbc.queryForObject("SELECT TASK_KEY FROM DR_DECISION WHERE TASK_ID = 'task-1'",
        String.class)).isEqualTo("UserTask_DeclareDisaster");
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql", "oracle"})
  void shouldFindForEveryStatementOfV1TheTableItCreatesOrIndexes(String vendor) throws Exception {
    String script;
    try (var in = getClass().getResourceAsStream("/db/migration/" + vendor + "/" + ProductSchema.V1_SCRIPT)) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> statements = ProductSchema.statements(script);

    assertThat(statements).hasSize(16).allSatisfy(statement -> assertThat(statement)
        .matches("(?s)CREATE (TABLE|INDEX \\w+ ON) (" + String.join("|", ProductSchema.TABLES) + ") \\(.*"));
    assertThat(statements).filteredOn(statement -> statement.startsWith("CREATE TABLE"))
        .extracting(statement -> statement.split(" ")[2])
        .containsExactlyInAnyOrderElementsOf(ProductSchema.TABLES);
  }

  private static DataSource database() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:schema-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    dataSource.setUser("sa");
    return dataSource;
  }
}
