package io.drrunbook;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.approval.DecisionRecord;
import io.drrunbook.common.ProductSchema;
import io.drrunbook.common.SchemaDescription;
import io.drrunbook.connectors.DatabaseActionLeases;
import io.drrunbook.core.RunModes;
import io.drrunbook.engine.StepJournal;
import io.drrunbook.plans.RunPlans;
import io.drrunbook.prechecks.PrecheckHolds;
import io.drrunbook.prechecks.PrecheckResults;
import io.drrunbook.prechecks.RunKeyGuard;
import io.drrunbook.runs.callbacks.CallbackOutbox;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The application on a new (in-memory H2) engine database: Flyway has migrated the product tables
 * before the engine created its own (so the history holds the migration, no baseline), and every
 * component that owns a product table writes and reads its rows (in a transaction rolled back at the
 * end, so that the shared database keeps none).
 */
@DrillContext
class ProductSchemaContextTest {

  @Autowired private ConfigurableListableBeanFactory beans;
  @Autowired private DataSource dataSource;
  @Autowired private PlatformTransactionManager transactionManager;
  @Autowired private StepJournal journal;
  @Autowired private DecisionRecord decisions;
  @Autowired private RunKeyGuard keys;
  @Autowired private CallbackOutbox outbox;
  @Autowired private RunModes modes;
  @Autowired private RunPlans plans;
  @Autowired private PrecheckResults prechecks;
  @Autowired private PrecheckHolds holds;

  @Test
  void shouldMigrateTheProductTablesBeforeTheEngineStartsWhenTheDatabaseIsNew() {
    assertThat(SchemaDescription.history(dataSource)).containsExactly("1 SQL success", "2 SQL success", "3 SQL success");
    assertThat(SchemaDescription.of(dataSource)).containsOnlyKeys(ProductSchema.TABLES);
    assertThat(new JdbcTemplate(dataSource).queryForObject(
        "SELECT COUNT(*) FROM ACT_GE_PROPERTY WHERE NAME_ = 'schema.version'", Integer.class)).isOne();
  }

  @Test
  void shouldStartTheEngineAndTheTableComponentsOnlyAfterTheMigration() {
    List<String> waiting = new ArrayList<>(List.of(beans.getBeanNamesForType(ProcessEngine.class)));
    assertThat(waiting).isNotEmpty();
    for (Class<?> component : List.of(StepJournal.class, DecisionRecord.class, RunKeyGuard.class,
        CallbackOutbox.class, RunModes.class, RunPlans.class, PrecheckResults.class, PrecheckHolds.class,
        DatabaseActionLeases.class)) {
      waiting.addAll(List.of(beans.getBeanNamesForType(component)));
    }
    for (String bean : waiting) {
      String[] dependsOn = beans.getBeanDefinition(bean).getDependsOn();
      assertThat(dependsOn).as("what bean %s waits for", bean).contains("flywayInitializer");
    }
  }

  @Test
  void shouldWriteAndReadEveryProductTableThroughItsComponent() {
    new TransactionTemplate(transactionManager).executeWithoutResult(tx -> {
      new ProductTablesRoundTrip(journal, decisions, keys, outbox, modes, plans, prechecks, holds)
          .assertEveryTableWorks();
      tx.setRollbackOnly();
    });
  }
}
