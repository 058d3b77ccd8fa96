package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.common.TestProductSchema;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.plans.RunPlans;
import io.drrunbook.plans.StepRehearsal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.builder.ServiceTaskBuilder;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The step worker against a real engine (H2 in memory) and real Camel routes: what a step's
 * outcome does to the run, and what a crash between a connector's work and the engine's completion
 * does.
 */
class StepWorkerTest {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private ProcessEngine engine;
  private CamelContext camel;
  private StepWorker worker;
  private StepJournal journal;
  private io.drrunbook.core.RunModes modes;
  private RunPlans plans;
  private final AtomicInteger calls = new AtomicInteger();
  private final SecretMasker masker = new SecretMasker();
  private volatile Map<String, Object> lastBody;
  private final CountDownLatch releaseSlowStep = new CountDownLatch(1);

  @BeforeEach
  void setUp() throws Exception {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:worker-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    dataSource.setUser("sa");
    engine = ProcessEngineConfiguration.createStandaloneInMemProcessEngineConfiguration()
        .setDataSource(dataSource)
        .setDatabaseSchemaUpdate(ProcessEngineConfiguration.DB_SCHEMA_UPDATE_TRUE)
        .setJobExecutorActivate(false)
        .setHistory(ProcessEngineConfiguration.HISTORY_FULL)
        .setProcessEngineName("worker-test-" + DATABASES.get())
        .buildProcessEngine();
    // after the engine's tables, as in a database of a version before the product tables
    TestProductSchema.migrate(dataSource);
    journal = new StepJournal(dataSource);
    modes = new io.drrunbook.core.RunModes(dataSource);
    plans = new RunPlans(dataSource);

    camel = new DefaultCamelContext();
    camel.addRoutes(new RouteBuilder() {
      @Override
      public void configure() {
        from("direct:test-ok").process(exchange -> {
          calls.incrementAndGet();
          lastBody = exchange.getMessage().getBody(Map.class);
          exchange.getMessage().setBody(Map.of("exitCode", 0,
              "stdout", "password is s3cr3t-value and done", "hosts", List.of("a", "b")));
        });
        from("direct:test-broken").process(exchange -> {
          calls.incrementAndGet();
          throw new IllegalStateException("connection refused by site2.cs-mgmt");
        });
        from("direct:test-http-503").process(exchange -> {
          calls.incrementAndGet();
          // as HttpRequestConnector reports a 5xx: a checked IOException naming status and body
          throw new java.io.IOException("POST site2.config-api /cfg: HTTP 503: maintenance window");
        });
        from("direct:test-says-no").process(exchange -> {
          calls.incrementAndGet();
          throw new StepBusinessException("DR_VERIFY_FAILED", "record still points to Site 1");
        });
        from("direct:test-slow").process(exchange -> {
          calls.incrementAndGet();
          releaseSlowStep.await(20, TimeUnit.SECONDS);
          exchange.getMessage().setBody(Map.of("changed", true));
        });
      }
    });
    camel.start();
    masker.register("s3cr3t-value");
  }

  @AfterEach
  void tearDown() {
    if (worker != null) {
      worker.stop();
    }
    releaseSlowStep.countDown();
    camel.stop();
    engine.close();
  }

  @Test
  void shouldCompleteTheStepWithItsResultWhenTheRouteSucceeds() {
    deploy(process("test-ok", false));
    startWorker(Duration.ofSeconds(30));

    // a variable of the run that the step did not declare must not reach the route
    ProcessInstance run = engine.getRuntimeService().startProcessInstanceByKey("worker-test", "CHG1",
        Map.of("unrelated", "not for this step"));

    awaitEnded(run);
    assertThat(calls).hasValue(1);
    assertThat(lastBody).containsEntry("route", "test-ok").containsEntry("host", "site2.cs-mgmt")
        .containsEntry("idempotencyKey", run.getId() + ":" + engine.getHistoryService()
            .createHistoricActivityInstanceQuery().activityId("Task_Step").singleResult().getId())
        .containsEntry("stepName", "Do the step")
        .doesNotContainKey("unrelated");
    var history = engine.getHistoryService().createHistoricVariableInstanceQuery()
        .processInstanceId(run.getId()).variableName("stepOutput").singleResult();
    assertThat(history.getValue()).isEqualTo("password is **** and done");
    var outcome = engine.getHistoryService().createHistoricVariableInstanceQuery()
        .processInstanceId(run.getId()).variableName(StepWorker.OUTCOME_VARIABLE).singleResult();
    assertThat((String) outcome.getValue()).startsWith("done").contains("exitCode = 0")
        .doesNotContain("s3cr3t-value");
    assertThat(journal.forProcessInstance(run.getId()))
        .singleElement().satisfies(entry -> {
          assertThat(entry.state()).isEqualTo(StepJournal.State.DONE);
          assertThat(entry.attempts()).isEqualTo(1);
        });
  }

  @Test
  void shouldRaiseAnIncidentAfterTheRetriesWhenTheRouteKeepsFailing() {
    deploy(process("test-broken", false));
    startWorker(Duration.ofSeconds(30));

    ProcessInstance run = engine.getRuntimeService().startProcessInstanceByKey("worker-test");

    Incident incident = await().atMost(Duration.ofSeconds(20)).until(() -> engine.getRuntimeService()
        .createIncidentQuery().processInstanceId(run.getId()).singleResult(), i -> i != null);
    assertThat(incident.getIncidentMessage()).contains("connection refused by site2.cs-mgmt");
    assertThat(incident.getActivityId()).isEqualTo("Task_Step");
    assertThat(calls).hasValue(3);
    assertThat(journal.forProcessInstance(run.getId())).singleElement().satisfies(entry -> {
      assertThat(entry.state()).isEqualTo(StepJournal.State.FAILED);
      assertThat(entry.attempts()).isEqualTo(3);
    });
  }

  @Test
  void shouldShowTheConnectorsMessageNotCamelsWrapperWhenTheRouteFailsWithACheckedException() {
    deploy(process("test-http-503", false));
    startWorker(Duration.ofSeconds(30));

    ProcessInstance run = engine.getRuntimeService().startProcessInstanceByKey("worker-test");

    Incident incident = await().atMost(Duration.ofSeconds(20)).until(() -> engine.getRuntimeService()
        .createIncidentQuery().processInstanceId(run.getId()).singleResult(), i -> i != null);
    assertThat(incident.getIncidentMessage())
        .isEqualTo("POST site2.config-api /cfg: HTTP 503: maintenance window")
        .doesNotContain("Exception occurred during execution on the exchange");
    assertThat(journal.forProcessInstance(run.getId())).singleElement().satisfies(entry ->
        assertThat(entry.state()).isEqualTo(StepJournal.State.FAILED));
  }

  @Test
  void shouldFollowTheErrorBoundaryWhenTheModelCatchesTheBusinessError() {
    deploy(process("test-says-no", true));
    startWorker(Duration.ofSeconds(30));

    ProcessInstance run = engine.getRuntimeService().startProcessInstanceByKey("worker-test");

    awaitEnded(run);
    assertThat(engine.getHistoryService().createHistoricActivityInstanceQuery()
        .processInstanceId(run.getId()).activityId("EndEvent_Caught").count()).isEqualTo(1);
    assertThat(calls).hasValue(1);
    var outcome = engine.getHistoryService().createHistoricVariableInstanceQuery()
        .processInstanceId(run.getId()).variableName(StepWorker.OUTCOME_VARIABLE).singleResult();
    assertThat((String) outcome.getValue()).startsWith("DR_VERIFY_FAILED: record still points to Site 1");
    assertThat(outcome.getActivityInstanceId()).as("kept in the step's scope, not the run's")
        .isNotEqualTo(run.getId());
  }

  @Test
  void shouldRaiseAnIncidentWhenNoBoundaryCatchesTheBusinessError() {
    deploy(process("test-says-no", false));
    startWorker(Duration.ofSeconds(30));

    ProcessInstance run = engine.getRuntimeService().startProcessInstanceByKey("worker-test");

    Incident incident = await().atMost(Duration.ofSeconds(20)).until(() -> engine.getRuntimeService()
        .createIncidentQuery().processInstanceId(run.getId()).singleResult(), i -> i != null);
    assertThat(incident.getIncidentMessage()).startsWith("DR_VERIFY_FAILED");
    assertThat(engine.getRuntimeService().createProcessInstanceQuery()
        .processInstanceId(run.getId()).count()).as("the run is not silently ended").isEqualTo(1);
    assertThat(calls).hasValue(1);
  }

  @Test
  void shouldCompleteFromTheJournalWithoutRunningAgainWhenTheStepFinishedBeforeACrash() {
    deploy(process("test-ok", false));
    ProcessInstance run = engine.getRuntimeService().startProcessInstanceByKey("worker-test");
    var task = engine.getExternalTaskService().createExternalTaskQuery()
        .processInstanceId(run.getId()).singleResult();
    String key = run.getId() + ":" + task.getActivityInstanceId();
    // the connector had finished and its result was journaled when the node died
    journal.started(key, run.getId(), "Task_Step", "test-ok");
    journal.done(key, Map.of("stdout", "from before the crash"));

    startWorker(Duration.ofSeconds(30));

    awaitEnded(run);
    assertThat(calls).as("the route is not called again").hasValue(0);
    assertThat(engine.getHistoryService().createHistoricVariableInstanceQuery()
        .processInstanceId(run.getId()).variableName("stepOutput").singleResult().getValue())
        .isEqualTo("from before the crash");
  }

  @Test
  void shouldKeepTheLockWhenTheStepRunsLongerThanTheLockDuration() throws Exception {
    deploy(process("test-slow", false));
    startWorker(Duration.ofSeconds(1));
    ProcessInstance run = engine.getRuntimeService().startProcessInstanceByKey("worker-test");
    await().atMost(Duration.ofSeconds(10)).untilAtomic(calls, org.hamcrest.Matchers.equalTo(1));

    // three lock durations later another worker still finds nothing to take
    await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
    var stolen = engine.getExternalTaskService().fetchAndLock(10, "another-node")
        .topic(StepWorker.TOPIC, 60_000).execute();
    releaseSlowStep.countDown();

    assertThat(stolen).isEmpty();
    awaitEnded(run);
    assertThat(calls).hasValue(1);
  }

  private void startWorker(Duration lock) {
    StepProperties properties = new StepProperties();
    properties.setLockDuration(lock);
    properties.setPollInterval(Duration.ofMillis(50));
    properties.setRetryBackoff(List.of(Duration.ZERO));
    ProducerTemplate producer = camel.createProducerTemplate();
    worker = new StepWorker(engine.getExternalTaskService(), engine.getRuntimeService(), producer, journal,
        new ProcessModels(engine.getRepositoryService()), masker, properties,
        List.of(new StepRehearsal(engine.getRuntimeService(), modes, plans, masker, null, null, List.of())));
    worker.start();
  }

  private void awaitEnded(ProcessInstance run) {
    await().atMost(Duration.ofSeconds(20)).until(() -> engine.getHistoryService()
        .createHistoricProcessInstanceQuery().processInstanceId(run.getId()).finished().count() == 1);
  }

  private void deploy(BpmnModelInstance model) {
    engine.getRepositoryService().createDeployment().addModelInstance("worker-test.bpmn", model).deploy();
  }

  private static BpmnModelInstance process(String route, boolean catchVerifyFailed) {
    ServiceTaskBuilder task = Bpmn.createExecutableProcess("worker-test")
        .camundaHistoryTimeToLive(1)
        .startEvent("StartEvent_Begin")
        .serviceTask("Task_Step").name("Do the step")
        .camundaExternalTask(StepWorker.TOPIC)
        .camundaInputParameter("route", route)
        .camundaInputParameter("host", "site2.cs-mgmt");
    if (route.equals("test-ok")) {
      task.camundaOutputParameter("stepOutput", "${stdout}");
    }
    BpmnModelInstance model = task.endEvent("EndEvent_Done").done();
    if (catchVerifyFailed) {
      model = Bpmn.createExecutableProcess("worker-test")
          .camundaHistoryTimeToLive(1)
          .startEvent("StartEvent_Begin")
          .serviceTask("Task_Step").name("Do the step")
          .camundaExternalTask(StepWorker.TOPIC)
          .camundaInputParameter("route", route)
          .boundaryEvent("BoundaryEvent_VerifyFailed").error("DR_VERIFY_FAILED")
          .endEvent("EndEvent_Caught")
          .moveToActivity("Task_Step")
          .endEvent("EndEvent_Done")
          .done();
    }
    return model;
  }
}
