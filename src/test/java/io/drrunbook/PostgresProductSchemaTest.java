package io.drrunbook;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.approval.DecisionRecord;
import io.drrunbook.common.HandMadeProductTables;
import io.drrunbook.common.ProductSchema;
import io.drrunbook.common.SchemaDescription;
import io.drrunbook.common.SecretMasker;
import io.drrunbook.common.TestProductSchema;
import io.drrunbook.core.RunModes;
import io.drrunbook.engine.StepJournal;
import io.drrunbook.plans.RunPlans;
import io.drrunbook.prechecks.PrecheckHolds;
import io.drrunbook.prechecks.PrecheckResults;
import io.drrunbook.prechecks.RunKeyGuard;
import io.drrunbook.runs.callbacks.CallbackOutbox;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The PostgreSQL migration of the product tables on a real PostgreSQL server (started by the test,
 * see {@link PostgresServer}; fails when PostgreSQL is not installed): the tables it creates are those
 * the hand-written DDL of earlier versions created, every class that owns one writes and reads its
 * rows, and a database of an earlier version is baselined (after the tables it lacked are created).
 */
class PostgresProductSchemaTest {

  private static PostgresServer server;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void shouldCreateTablesThatEveryClassCanUseWhenTheDatabaseIsNew() {
    DataSource handMade = server.createDatabase("hand_made");
    HandMadeProductTables.create(handMade, HandMadeProductTables.POSTGRESQL);
    DataSource fresh = server.createDatabase("fresh");

    TestProductSchema.migrate(fresh, "postgresql");

    assertThat(SchemaDescription.of(fresh)).containsOnlyKeys(ProductSchema.TABLES)
        .isEqualTo(SchemaDescription.of(handMade));
    assertThat(SchemaDescription.history(fresh)).containsExactly("1 SQL success", "2 SQL success", "3 SQL success");
    roundTrip(fresh).assertEveryTableWorks();
  }

  @Test
  void shouldBaselineADatabaseWhoseTablesAnEarlierVersionCreated() {
    DataSource earlier = server.createDatabase("earlier");
    HandMadeProductTables.create(earlier, HandMadeProductTables.POSTGRESQL);
    var before = SchemaDescription.of(earlier);

    TestProductSchema.migrate(earlier, "postgresql");

    assertThat(SchemaDescription.history(earlier)).containsExactly("1 BASELINE success", "2 SQL success", "3 SQL success");
    assertThat(SchemaDescription.of(earlier)).isEqualTo(before);
    roundTrip(earlier).assertEveryTableWorks();
  }

  @Test
  void shouldCreateTheTablesThatAnEarlierVersionDidNotHaveYet() {
    DataSource handMade = server.createDatabase("all_hand_made");
    HandMadeProductTables.create(handMade, HandMadeProductTables.POSTGRESQL);
    DataSource partial = server.createDatabase("partial");
    HandMadeProductTables.create(partial, HandMadeProductTables.POSTGRESQL, "DR_STEP_JOURNAL",
        "DR_DECISION", "DR_RUN_KEY", "DR_CALLBACK_OUTBOX", "DR_CALLBACK_ATTEMPT");

    TestProductSchema.migrate(partial, "postgresql");

    assertThat(SchemaDescription.of(partial)).isEqualTo(SchemaDescription.of(handMade));
    assertThat(SchemaDescription.history(partial)).containsExactly("1 BASELINE success", "2 SQL success", "3 SQL success");
    roundTrip(partial).assertEveryTableWorks();
  }

  private static ProductTablesRoundTrip roundTrip(DataSource dataSource) {
    return new ProductTablesRoundTrip(new StepJournal(dataSource), new DecisionRecord(dataSource),
        new RunKeyGuard(dataSource), new CallbackOutbox(dataSource,
            new DataSourceTransactionManager(dataSource)), new RunModes(dataSource),
        new RunPlans(dataSource), new PrecheckResults(dataSource, null, new SecretMasker()),
        new PrecheckHolds(dataSource));
  }
}
