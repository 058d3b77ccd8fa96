package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabState;
import io.drrunbook.topology.Topology;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * B1 (dr-gim-site-failover) against the drill lab, once per combination of its three conditions:
 * the Info Mart database partitioned, GI2/RAA deployed, Genesys Info Mart upgraded since replication
 * started (set in the lab; the run reads it from the GIM log). Asserts where the lab ends: the Site 2
 * GIM server runs and is configured with the Site 2 host, Configuration Server and Info Mart DAP,
 * GoldenGate at Site 2 is stopped, the options, which jobs ran, and the re-aggregation window.
 */
@DrillContext
class GimSiteFailoverDrillTest {

  private static final String CONFIG = "site2.config-api";
  private static final String GIM2 = "site2.gim";
  private static final String FAILURE_TIME = "2025-01-31T21:40:00Z";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;

  private DrillSupport drill;

  @BeforeEach
  void resetLab() {
    lab.reset();
    drill = new DrillSupport(runtime, tasks, history, identity, topology, lab);
  }

  @AfterEach
  void leaveNoFault() {
    lab.reset();
  }

  @ParameterizedTest(name = "partitioned={0} gi2OrRaa={1} upgraded={2}")
  @CsvSource({
      "false, false, false", "true, false, false", "false, true, false", "false, false, true",
      "true, true, false", "true, false, true", "false, true, true", "true, true, true"})
  @SuppressWarnings("unchecked")
  void shouldBringInfoMartIntoServiceAtSite2(boolean partitioned, boolean gi2OrRaa, boolean upgraded) {
    LabState state = lab.state();
    String appVersion = String.valueOf(state.attribute(GIM2, "gim-server", "appVersion"));
    if (upgraded) {
      // Genesys Info Mart was upgraded after replication started: the replicated schema is older
      state.set(GIM2, "gim-server", "schemaVersion", "8.5.114.08");
    }
    ProcessInstance run = runtime.startProcessInstanceByKey("dr-gim-site-failover",
        "DRILL-B1-" + partitioned + "-" + gi2OrRaa + "-" + upgraded,
        Map.of("partitioned", partitioned, "gi2OrRaa", gi2OrRaa, "jobPollInterval", "PT1S"));

    drill.complete(run, "UserTask_DeclareSiteFailure", "approver", DrGroups.APPROVERS, Map.of(
        "siteFailureDeclared", true, "siteFailureTime", FAILURE_TIME,
        "siteFailureReason", "drill: Site 1 lost", "decidedBy", "DR manager"));
    long before = Instant.now().getEpochSecond();
    drill.complete(run, "UserTask_ConfirmReportingRestored", "operator", DrGroups.OPERATORS, Map.of(
        "reportingRestored", true, "reportingRestoredEvidence", "ETL and reports checked"));
    long after = Instant.now().getEpochSecond();
    drill.awaitEnded(run);

    // the Site 2 server runs, started once, configured for Site 2
    assertThat(state.state(GIM2, "gim-server")).isEqualTo("RUNNING");
    assertThat(state.actionCount(GIM2, "genesys-ctl start gim-server")).isEqualTo(1);
    assertThat(state.attribute(CONFIG, "GIM_Server", "host")).isEqualTo("gim.site2.genesys.lab");
    assertThat(state.attribute(CONFIG, "GIM_Server", "commandLine"))
        .isEqualTo("-host cs-mgmt.site2.genesys.lab -port 2020 -app GIM_Server");
    assertThat((List<Object>) state.attribute(CONFIG, "GIM_Server", "connections"))
        .containsExactlyInAnyOrder("ICON_Site2_Voice", "DAP_IDB_Site2", "DAP_InfoMart_Site2");
    // GoldenGate at Site 2 no longer applies Site 1's trail
    assertThat(state.state("site2.gim-ogg", "REPGIM")).isEqualTo("STOPPED");
    // the drill lost Site 1 as it started (dr.lab.drills): the run completed without it, and it stayed lost
    assertThat(lab.sites().isDown("site1")).as("Site 1 lost").isTrue();
    assertThat(state.state("site1.gim-ogg", "EXTGIM")).as("lost with its site").isEqualTo("STOPPED");
    assertThat(state.commandLog("site1.gim")).as("nothing reached Site 1").isEmpty();
    assertThat(state.commandLog("site1.gim-ogg")).as("nothing reached Site 1").isEmpty();
    assertThat(lab.databases().accessStates()).containsEntry("site1.gim-db", "LOST");
    assertThat(io.drrunbook.lab.LabPorts.refusesConnections(topology, "site1.gim")).as("site1.gim unreachable").isTrue();
    // options: switched off and on again only where the conditions say so
    Map<?, ?> schedule = (Map<?, ?>) ((Map<?, ?>) state.attribute(CONFIG, "GIM_Server", "options")).get("schedule");
    assertThat(schedule.get("run-scheduler")).isEqualTo("true");
    assertThat(schedule.get("run-aggregates")).isEqualTo("true");
    assertThat(state.actionCount(CONFIG, "set-option GIM_Server schedule/run-scheduler false"))
        .isEqualTo(partitioned ? 1 : 0);
    assertThat(state.actionCount(CONFIG, "set-option GIM_Server schedule/run-scheduler true"))
        .isEqualTo(partitioned ? 1 : 0);
    assertThat(state.actionCount(CONFIG, "set-option GIM_Server schedule/run-aggregates false"))
        .isEqualTo(gi2OrRaa ? 1 : 0);
    // jobs: migration only when the log showed the migration state, maintenance only when partitioned
    assertThat(state.state(GIM2, "Job_MigrateGIM")).isEqualTo(upgraded ? "COMPLETED" : "IDLE");
    assertThat(state.attribute(GIM2, "gim-server", "schemaVersion")).isEqualTo(appVersion);
    assertThat(state.state(GIM2, "Job_MaintainGIM")).isEqualTo(partitioned ? "COMPLETED" : "IDLE");
    assertThat(state.attribute(GIM2, "partitions", "upToDate")).isEqualTo(partitioned);
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(run.getId()).count()).isZero();
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(run.getId())
        .variableName("migrationRequired").singleResult().getValue()).isEqualTo(upgraded);
    // re-aggregation: 24 hours before the recorded failure time until the moment of the step
    Object window = state.attribute(GIM2, "aggregation", "lastWindow");
    if (gi2OrRaa) {
      long from = Instant.parse(FAILURE_TIME).getEpochSecond() - 24 * 3600;
      String[] parts = String.valueOf(window).split(":");
      assertThat(Long.parseLong(parts[0])).isEqualTo(from);
      assertThat(Long.parseLong(parts[1])).isBetween(before - 60, after);
      assertThat(state.actionCount(GIM2, "gim-agg-reaggregate")).isEqualTo(1);
      assertThat(state.actionCount("site2.gim-admin", "stop aggregation")).isLessThanOrEqualTo(1);
    } else {
      assertThat(window).isNull();
      assertThat(state.actionCount(GIM2, "gim-agg-reaggregate")).isZero();
    }
  }
}
