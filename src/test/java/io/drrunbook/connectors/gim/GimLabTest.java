package io.drrunbook.connectors.gim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.DrillContext;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.connectors.ssh.SshExecConnector;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import java.util.Date;
import org.apache.camel.CamelExecutionException;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Genesys Info Mart in the drill lab, driven as the B1/B2 procedures will drive it: SSH commands of
 * the catalog (ssh-exec connector, real SSH to the lab's GIM hosts) and the Administration Console
 * API through the gim-job route (real HTTP with the generated Authorization secret). Asserts the
 * lab's end state and what each host or endpoint received.
 */
@DrillContext
class GimLabTest {

  static final String GIM1 = "site1.gim";
  static final String GIM2 = "site2.gim";
  static final String ADMIN2 = "site2.gim-admin";

  @Autowired Lab lab;
  @Autowired SshExecConnector ssh;
  @Autowired GimJobConnector jobs;
  @Autowired ProducerTemplate producer;
  @Autowired RepositoryService repository;
  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;

  /** Before: other tests' leftovers; after: this test's changes. */
  @BeforeEach
  @AfterEach
  void resetLab() {
    lab.reset();
  }

  private LabState state() {
    return lab.state();
  }

  private Map<String, Object> ssh(String host, String command, Object... args) {
    Map<String, Object> in = new HashMap<>(Map.of("host", host, "command", command));
    for (int i = 0; i < args.length; i += 2) {
      in.put((String) args[i], args[i + 1]);
    }
    return ssh.execute(in);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> job(Map<String, Object> inputs) {
    try {
      return producer.requestBody("direct:gim-job", inputs, Map.class);
    } catch (CamelExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private Map<String, Object> startServer(String host) {
    return ssh(host, "genesys-app-start", "app", "gim-server");
  }

  // ---------------------------------------------------------------- server and log (ssh)

  @Test
  void shouldStartGimServerOnceWhenStartIsRunTwice() {
    Map<String, Object> first = startServer(GIM2);
    Map<String, Object> second = startServer(GIM2);

    assertThat(first).containsEntry("changed", true);
    assertThat(second).containsEntry("changed", false);
    assertThat(state().state(GIM2, "gim-server")).isEqualTo("RUNNING");
    assertThat(state().actionCount(GIM2, "genesys-ctl start gim-server")).isEqualTo(1);
    assertThat(state().attribute(GIM2, "log", "file")).isEqualTo("GIM_Server_001.log");

    Map<String, Object> stopped = ssh(GIM2, "genesys-app-stop", "app", "gim-server");
    assertThat(stopped).containsEntry("changed", true);
    assertThat(state().state(GIM2, "gim-server")).isEqualTo("STOPPED");
  }

  @Test
  void shouldFindNoMigrationMessageWhenGimWasNotUpgradedSinceReplication() {
    startServer(GIM2);

    Map<String, Object> scan = ssh(GIM2, "gim-log-migration-check");

    String stdout = (String) scan.get("stdout");
    assertThat(stdout.trim()).startsWith("log GIM_Server_001.log").endsWith("matches: 0");
    assertThat(stdout).doesNotContain("55-20152");
  }

  @Test
  void shouldFindMigrationMessagesWhenGimWasUpgradedSinceReplication() {
    state().set(GIM2, "gim-server", "schemaVersion", "8.5.114.08");
    startServer(GIM2);

    Map<String, Object> scan = ssh(GIM2, "gim-log-migration-check");

    String stdout = (String) scan.get("stdout");
    assertThat(stdout.trim()).endsWith("matches: 2");
    assertThat(stdout.lines().filter(l -> l.contains(" 55-20152 ") || l.contains(" 55-20034 "))).hasSize(2);
    assertThat(stdout).contains("Info Mart schema (8.5.114.08) is older than the application (8.5.116.10)");
  }

  @Test
  void shouldFailLogScanWhenServerNeverStartedOnHost() {
    assertThatThrownBy(() -> ssh(GIM2, "gim-log-migration-check"))
        .isInstanceOf(StepBusinessException.class)
        .satisfies(e -> {
          assertThat(((StepBusinessException) e).errorCode()).isEqualTo("DR_VERIFY_FAILED");
          assertThat(((StepBusinessException) e).result().get("stderr").toString())
              .contains("no Genesys Info Mart Server log");
        });
  }

  @Test
  void shouldVerifyStartupConfigurationWhenLogShowsExpectedHostAndDap() {
    // the Application object in the lab's configuration API as B1 steps 2-3 leave it
    state().set("site2.config-api", "GIM_Server", "host", "gim.site2.genesys.lab");
    state().set("site2.config-api", "GIM_Server", "commandLine", "-host cs-mgmt.site2.genesys.lab -port 2020 -app GIM_Server");
    state().set("site2.config-api", "GIM_Server", "connections",
        List.of("ICON_Site2_Voice", "DAP_IDB_Site2", "DAP_InfoMart_Site2"));
    startServer(GIM2);

    Map<String, Object> ok = ssh(GIM2, "gim-config-check", "hostName", "gim.site2.genesys.lab",
        "configServerHost", "cs-mgmt.site2.genesys.lab", "infoMartDap", "DAP_InfoMart_Site2");

    assertThat((String) ok.get("stdout")).contains("icon-connections ICON_Site2_Voice");
    assertThatThrownBy(() -> ssh(GIM2, "gim-config-check", "hostName", "gim.site2.genesys.lab",
        "configServerHost", "cs-mgmt.site2.genesys.lab", "infoMartDap", "DAP_InfoMart_Site1"))
        .isInstanceOf(StepBusinessException.class)
        .satisfies(e -> assertThat(((StepBusinessException) e).errorCode()).isEqualTo("DR_VERIFY_FAILED"));
  }

  @Test
  void shouldFailConfigCheckWhenServerStartedWithSite1Configuration() {
    startServer(GIM2);

    assertThatThrownBy(() -> ssh(GIM2, "gim-config-check", "hostName", "gim.site2.genesys.lab",
        "configServerHost", "cs-mgmt.site2.genesys.lab", "infoMartDap", "DAP_InfoMart_Site2"))
        .isInstanceOf(StepBusinessException.class)
        .hasMessageContaining("host gim.site1.genesys.lab");
  }

  @Test
  void shouldRecordWindowOnceWhenReaggregateIsRunTwice() {
    Map<String, Object> first = ssh(GIM2, "gim-reaggregate", "fromEpoch", 1763546400L, "toEpoch", 1763640000L);
    Map<String, Object> second = ssh(GIM2, "gim-reaggregate", "fromEpoch", 1763546400L, "toEpoch", 1763640000L);

    assertThat(first).containsEntry("changed", true);
    assertThat((String) first.get("commandLine"))
        .isEqualTo("/opt/dr/bin/gim-agg-reaggregate '1763546400' '1763640000'");
    assertThat(second).containsEntry("changed", false);
    assertThat(state().attribute(GIM2, "aggregation", "lastWindow")).isEqualTo("1763546400:1763640000");
    assertThat(state().attribute(GIM2, "aggregation", "runs")).isEqualTo(1);
    assertThat(state().actionCount(GIM2, "gim-agg-reaggregate")).isEqualTo(1);
  }

  @Test
  void shouldRefuseReaggregationWhenWindowIsReversed() {
    assertThatThrownBy(() -> ssh(GIM2, "gim-reaggregate", "fromEpoch", "1763640000", "toEpoch", "1763546400"))
        .hasMessageContaining("is not before its end");
    assertThat(state().attribute(GIM2, "aggregation", "lastWindow")).isNull();
  }

  // ---------------------------------------------------------------- jobs (gim-job route, HTTP)

  @Test
  void shouldCompleteMigrationJobWhenPolledUntilItEnds() {
    state().set(GIM2, "gim-server", "schemaVersion", "8.5.114.08");
    startServer(GIM2);
    Map<String, Object> start = Map.of("endpoint", ADMIN2, "operation", "start", "job", "Job_MigrateGIM",
        "idempotencyKey", "pi-1:act-1");

    Map<String, Object> started = job(start);
    assertThat(started).containsEntry("state", "RUNNING").containsEntry("runId", "1").containsEntry("changed", true);

    Map<String, Object> status = Map.of("endpoint", ADMIN2, "operation", "status", "job", "Job_MigrateGIM",
        "runId", "1");
    assertThatThrownBy(() -> job(status))
        .isInstanceOf(StepBusinessException.class)
        .satisfies(e -> assertThat(((StepBusinessException) e).errorCode()).isEqualTo("DR_JOB_RUNNING"));
    Map<String, Object> done = job(status);

    assertThat(done).containsEntry("state", "COMPLETED").containsEntry("job", "Job_MigrateGIM")
        .containsEntry("message", "Job_MigrateGIM completed successfully");
    assertThat(state().attribute(GIM2, "gim-server", "schemaVersion")).isEqualTo("8.5.116.10");
    assertThat(state().attribute(GIM2, "log", "migrationState")).isEqualTo(false);
    // the start step retried after the job ended: not started twice
    Map<String, Object> rerun = job(start);
    assertThat(rerun).containsEntry("changed", false).containsEntry("state", "COMPLETED");
    assertThat(state().actionCount(ADMIN2, "start Job_MigrateGIM")).isEqualTo(1);
  }

  @Test
  void shouldNotStartJobTwiceWhenStartIsRetriedWhileRunning() {
    startServer(GIM2);
    Map<String, Object> start = Map.of("endpoint", ADMIN2, "operation", "start", "job", "Job_MaintainGIM",
        "idempotencyKey", "pi-1:act-2");

    job(start);
    Map<String, Object> again = job(start);

    assertThat(again).containsEntry("changed", false).containsEntry("state", "RUNNING");
    assertThat(state().actionCount(ADMIN2, "start Job_MaintainGIM")).isEqualTo(1);
    assertThat(state().state(GIM2, "Job_MaintainGIM")).isEqualTo("RUNNING");
  }

  @Test
  void shouldRaiseJobFailedWithJobMessageWhenJobFails() {
    startServer(GIM2);
    state().set(GIM2, "Job_MaintainGIM", "failWith", "ORA-01031: insufficient privileges");
    state().set(GIM2, "Job_MaintainGIM", "pollsToComplete", 2);
    job(Map.of("endpoint", ADMIN2, "operation", "start", "job", "Job_MaintainGIM", "idempotencyKey", "k"));

    assertThatThrownBy(() -> job(Map.of("endpoint", ADMIN2, "operation", "status", "job", "Job_MaintainGIM")))
        .isInstanceOf(StepBusinessException.class)
        .hasMessageEndingWith("failed: ORA-01031: insufficient privileges")
        .satisfies(e -> assertThat(((StepBusinessException) e).errorCode()).isEqualTo("DR_JOB_FAILED"));
    assertThat(state().state(GIM2, "Job_MaintainGIM")).isEqualTo("FAILED");
    assertThat(state().attribute(GIM2, "partitions", "upToDate")).isEqualTo(false);
  }

  @Test
  void shouldCreatePartitionsWhenMaintenanceJobCompletes() {
    startServer(GIM2);
    job(Map.of("endpoint", ADMIN2, "operation", "start", "job", "Job_MaintainGIM", "idempotencyKey", "k"));
    Map<String, Object> status = Map.of("endpoint", ADMIN2, "operation", "status", "job", "Job_MaintainGIM");
    assertThatThrownBy(() -> job(status)).isInstanceOf(StepBusinessException.class);

    assertThat(job(status)).containsEntry("state", "COMPLETED");
    assertThat(state().attribute(GIM2, "partitions", "upToDate")).isEqualTo(true);
  }

  @Test
  void shouldRefuseJobsWhenServerIsNotRunningOrInMigrationState() {
    Map<String, Object> maintain = Map.of("endpoint", ADMIN2, "operation", "start", "job", "Job_MaintainGIM",
        "idempotencyKey", "k");
    assertThatThrownBy(() -> job(maintain))
        .isInstanceOf(StepBusinessException.class)
        .hasMessageContaining("HTTP 409")
        .hasMessageContaining("is not running");

    state().set(GIM2, "gim-server", "schemaVersion", "8.5.114.08");
    startServer(GIM2);
    assertThatThrownBy(() -> job(maintain))
        .isInstanceOf(StepBusinessException.class)
        .hasMessageContaining("only Job_MigrateGIM may run");
    assertThat(state().state(GIM2, "Job_MaintainGIM")).isEqualTo("IDLE");
  }

  @Test
  void shouldStopAggregationOnceWhenStopIsRunTwice() {
    Map<String, Object> stop = Map.of("endpoint", "site1.gim-admin", "operation", "stop-aggregation");

    Map<String, Object> first = job(stop);
    Map<String, Object> second = job(stop);

    assertThat(first).containsEntry("state", "STOPPED").containsEntry("changed", true);
    assertThat(second).containsEntry("changed", false);
    assertThat(state().state(GIM1, "aggregation")).isEqualTo("STOPPED");
    assertThat(state().actionCount("site1.gim-admin", "stop aggregation")).isEqualTo(1);
    assertThat(state().commandLog("site1.gim-admin")).extracting(LabState.CommandRecord::command)
        .containsExactly("GET /gim/api/aggregation", "POST /gim/api/aggregation/stop", "GET /gim/api/aggregation",
            "GET /gim/api/aggregation");
  }

  // ---------------------------------------------------------------- dry-run

  @Test
  void shouldRenderRequestsWithoutSendingWhenJobStepIsPlanned() {
    StepPlan plan = jobs.plan("gim-job", Map.of("endpoint", ADMIN2, "operation", "start",
        "job", "Job_MigrateGIM", "idempotencyKey", "pi-9:act-9"));

    assertThat(plan.actions()).hasSize(3);
    assertThat(plan.actions().get(1))
        .startsWith("http site2.gim-admin: POST http://127.0.0.1:")
        .contains("/gim/api/jobs/Job_MigrateGIM/start")
        .contains("Authorization: <the secret file:")
        .contains("{\"requestId\":\"pi-9:act-9\"}")
        .doesNotContain("Bearer");
    assertThat(plan.targets()).containsExactly(new StepPlan.Target(TargetKind.ENDPOINT, ADMIN2));
    assertThat(plan.result()).containsEntry("state", "RUNNING");
    assertThat(jobs.plan("gim-job", Map.of("endpoint", ADMIN2, "operation", "status", "job", "Job_MigrateGIM"))
        .result()).containsEntry("state", "COMPLETED");
    assertThat(state().commandLog(ADMIN2)).isEmpty();
  }

  @Test
  void shouldRenderCommandLinesWhenSshStepsArePlanned() {
    StepPlan reaggregate = ssh.plan("ssh-exec", Map.of("host", GIM2, "command", "gim-reaggregate",
        "fromEpoch", "1763546400", "toEpoch", "1763640000"));
    StepPlan scan = ssh.plan("ssh-exec", Map.of("host", GIM2, "command", "gim-log-migration-check"));

    assertThat(reaggregate.actions()).anySatisfy(a -> assertThat(a)
        .contains("run: /opt/dr/bin/gim-agg-reaggregate '1763546400' '1763640000'"));
    assertThat(scan.actions()).singleElement().satisfies(a -> assertThat(a)
        .contains("verify: /opt/dr/bin/gim-log-scan 55-20152 55-20034"));
    assertThat(state().commandLog(GIM2)).isEmpty();
  }

  // ---------------------------------------------------------------- epoch window in a BPMN expression

  @Test
  void shouldComputeWindowStartWhenBpmnExpressionUsesEpochWindow() {
    BpmnModelInstance model = Bpmn.createExecutableProcess("test-gim-epoch-window")
        .camundaHistoryTimeToLive(1)
        .startEvent()
        .serviceTask("Task_WindowStart")
        .camundaExpression("${epochWindow.hoursBefore(failureTime, 24)}")
        .camundaResultVariable("fromEpoch")
        .endEvent()
        .done();
    Deployment deployment = repository.createDeployment().addModelInstance("test-gim-epoch-window.bpmn", model).deploy();
    try {
      Date failure = Date.from(Instant.parse("2026-11-20T07:15:00Z"));
      String id = runtime.startProcessInstanceByKey("test-gim-epoch-window", Map.of("failureTime", failure)).getId();

      Object fromEpoch = history.createHistoricVariableInstanceQuery().processInstanceId(id)
          .variableName("fromEpoch").singleResult().getValue();
      assertThat(fromEpoch).isEqualTo(Instant.parse("2026-11-19T07:15:00Z").getEpochSecond());
    } finally {
      repository.deleteDeployment(deployment.getId(), true);
    }
  }
}
