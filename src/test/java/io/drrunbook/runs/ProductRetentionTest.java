package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.common.TestProductSchema;
import io.drrunbook.plans.RunPlans;
import io.drrunbook.runs.callbacks.CallbackEvent;
import io.drrunbook.runs.callbacks.CallbackOutbox;
import io.drrunbook.runs.callbacks.CallbackOutbox.Attempt;
import io.drrunbook.runs.callbacks.CallbackOutbox.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The retention of callbacks and plans on an engine with a real (H2) database: rows are written as
 * the product writes them, then a round runs as if half an hour later (nothing is old enough) and as
 * if two hours later with retentions of one hour.
 */
class ProductRetentionTest {

  private static final Duration RETENTION = Duration.ofHours(1);

  private static ProcessEngine engine;
  private static CallbackOutbox outbox;
  private static RunPlans plans;
  private static ProductRetention retention;
  /** The run the callbacks of a test belong to: the tests share one database. */
  private final String run = "run-" + UUID.randomUUID();

  @BeforeAll
  static void setUp() {
    JdbcDataSource dataSource = new JdbcDataSource();
    String name = "retention-" + UUID.randomUUID();
    dataSource.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
    dataSource.setUser("sa");
    TestProductSchema.migrate(dataSource);
    engine = ProcessEngineConfiguration.createStandaloneInMemProcessEngineConfiguration()
        .setDataSource(dataSource)
        .setDatabaseSchemaUpdate(ProcessEngineConfiguration.DB_SCHEMA_UPDATE_TRUE)
        .setJobExecutorActivate(false)
        .setHistory(ProcessEngineConfiguration.HISTORY_FULL)
        .setProcessEngineName(name)
        .buildProcessEngine();
    engine.getRepositoryService().createDeployment().addModelInstance("walk.bpmn",
        Bpmn.createExecutableProcess("dr-retention-walk").camundaHistoryTimeToLive(1)
            .startEvent().userTask("UserTask_Confirm").endEvent().done()).deploy();
    outbox = new CallbackOutbox(dataSource, new DataSourceTransactionManager(dataSource));
    plans = new RunPlans(dataSource);
    retention = new ProductRetention(outbox, plans, engine.getRuntimeService(),
        engine.getHistoryService(), RETENTION, RETENTION, Duration.ofHours(1));
  }

  @AfterAll
  static void closeEngine() {
    engine.close();
  }

  @Test
  void shouldDeleteCallbacksDeliveredOrGivenUpLongerAgoThanTheirRetentionAndKeepPendingOnes() {
    // the tests share the database: only the rows of this test's run are looked at
    String delivered = finished(State.DELIVERED);
    String failed = finished(State.FAILED);
    String pending = outbox.enqueue(run, "jira", "DR-1", CallbackEvent.STEP_FAILED, Map.of());
    String retried = outbox.enqueue(run, "jira", "DR-1", CallbackEvent.RUN_COMPLETED, Map.of());
    outbox.recordAttempt(row(retried), new Attempt(1, Instant.now(), 503, "HTTP 503", 7), State.PENDING,
        Instant.now());

    retention.purge(Instant.now().plus(Duration.ofMinutes(30)));

    assertThat(ids()).containsExactlyInAnyOrder(delivered, failed, pending, retried);

    retention.purge(Instant.now().plus(Duration.ofHours(2)));

    assertThat(ids()).containsExactlyInAnyOrder(pending, retried);
    assertThat(outbox.attempts(delivered)).isEmpty();
    assertThat(outbox.attempts(failed)).isEmpty();
    assertThat(outbox.attempts(retried)).hasSize(1);
  }

  @Test
  void shouldDeleteThePlansOfRunsEndedLongerAgoThanTheirRetentionAndKeepThoseOfActiveRuns() {
    ProcessInstance ended = engine.getRuntimeService().startProcessInstanceByKey("dr-retention-walk");
    engine.getTaskService().complete(engine.getTaskService().createTaskQuery()
        .processInstanceId(ended.getId()).singleResult().getId());
    ProcessInstance active = engine.getRuntimeService().startProcessInstanceByKey("dr-retention-walk");
    String historyGone = "gone-" + UUID.randomUUID();
    for (String run : List.of(ended.getId(), active.getId(), historyGone)) {
      plans.record(new RunPlans.Entry(run, run + ":1", "UserTask_Confirm", "Confirm", "manual", null,
          List.of("manual step"), List.of(), Instant.now()));
    }

    retention.purge(Instant.now().plus(Duration.ofMinutes(30)));

    assertThat(plans.forRun(ended.getId())).hasSize(1);
    assertThat(plans.forRun(active.getId())).hasSize(1);
    assertThat(plans.forRun(historyGone)).hasSize(1);

    retention.purge(Instant.now().plus(Duration.ofHours(2)));

    assertThat(plans.forRun(ended.getId())).isEmpty();
    assertThat(plans.forRun(historyGone)).isEmpty();
    assertThat(plans.forRun(active.getId())).hasSize(1);
  }

  @Test
  void shouldKeepThePlanOfAnEndedRunWhoseLastStepIsRecent() {
    Instant later = Instant.now().plus(Duration.ofMinutes(90));
    plans.record(new RunPlans.Entry(run, run + ":1", "Task_A", "A", "step", "ssh-exec", List.of(),
        List.of(), Instant.now()));
    plans.record(new RunPlans.Entry(run, run + ":2", "Task_B", "B", "step", "ssh-exec", List.of(),
        List.of(), later));

    retention.purge(Instant.now().plus(Duration.ofHours(2)));

    assertThat(plans.forRun(run)).extracting(RunPlans.Entry::activityId).containsExactly("Task_A", "Task_B");
  }

  private String finished(State state) {
    String id = outbox.enqueue(run, "jira", "DR-1", CallbackEvent.RUN_STARTED, Map.of("k", "v"));
    outbox.recordAttempt(row(id), new Attempt(1, Instant.now(), state == State.DELIVERED ? 200 : 400,
        null, 5), state, null);
    return id;
  }

  private CallbackOutbox.Row row(String id) {
    return outbox.forProcessInstance(run).stream().filter(r -> r.id().equals(id)).findFirst()
        .orElseThrow();
  }

  private List<String> ids() {
    return outbox.forProcessInstance(run).stream().map(CallbackOutbox.Row::id).toList();
  }
}
