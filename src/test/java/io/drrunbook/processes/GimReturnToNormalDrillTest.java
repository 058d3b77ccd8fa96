package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import io.drrunbook.connectors.sql.TargetDatabases;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabInfoMartDatabase;
import io.drrunbook.lab.LabState;
import io.drrunbook.topology.Topology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * B2 (dr-gim-return-to-normal) after B1 against the drill lab, with and without the large-database
 * branch: Site 3 ends active (GIM server running and configured for Site 3, its ICON and DAP objects
 * enabled and connected), GoldenGate replicates Site 3 to Site 2 from the SCN read at the Site 3
 * database, Site 2's folders are clean and its GoldenGate schema re-created, the window re-aggregated.
 */
@DrillContext
class GimReturnToNormalDrillTest {

  private static final String CONFIG = "site2.config-api";
  private static final String FAILURE_TIME = "2025-01-31T21:40:00Z";

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired TargetDatabases databases;
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

  @ParameterizedTest(name = "largeDatabase={0}")
  @ValueSource(booleans = {false, true})
  @SuppressWarnings("unchecked")
  void shouldMakeSite3ActiveWithSite2AsItsReplicationTarget(boolean largeDatabase) throws Exception {
    failOverToSite2();
    LabState state = lab.state();
    String exportScn = query("site2.gim-db", "SELECT CURRENT_SCN FROM V$DATABASE");
    int expectedFacts = LabInfoMartDatabase.INITIAL_FACTS;
    if (largeDatabase) {
      // Site 2 stays in service while its large database is exported: interactions recorded after
      // the export SCN reach Site 3 only through the reverse replication (steps 9-12)
      expectedFacts += 12;
      try (Connection connection = databases.open("site2.gim-db");
          PreparedStatement insert = connection.prepareStatement(
              "INSERT INTO INTERACTION_FACT (INTERACTION_ID, START_DATE_TIME_KEY) VALUES (?, 0)")) {
        for (int id = LabInfoMartDatabase.INITIAL_FACTS + 1; id <= expectedFacts; id++) {
          insert.setLong(1, id);
          insert.executeUpdate();
        }
      }
    }

    ProcessInstance run = runtime.startProcessInstanceByKey("dr-gim-return-to-normal", "DRILL-B2-" + largeDatabase,
        Map.of("largeDatabase", largeDatabase, "gi2OrRaa", true, "siteFailureTime", FAILURE_TIME,
            "syncPollInterval", "PT1S"));
    drill.complete(run, "UserTask_CopyInfoMartDatabase", "operator", DrGroups.OPERATORS, Map.of(
        "infoMartDatabaseCopied", true, "exportScn", exportScn, "infoMartDatabaseCopiedEvidence", "expdp"));
    drill.complete(run, "UserTask_DeployIcons", "operator", DrGroups.OPERATORS, Map.of("iconsDeployed", true,
        "iconsDeployedEvidence", "ICON pair at Site 3"));
    drill.complete(run, "UserTask_DeployGimSite3", "operator", DrGroups.OPERATORS, Map.of("gimDeployedAtSite3", true,
        "gimDeployedAtSite3Evidence", "8.5.116.10"));
    drill.complete(run, "UserTask_InstallGoldenGateSite3", "operator", DrGroups.OPERATORS, Map.of(
        "goldenGateInstalledAtSite3", true, "goldenGateInstalledAtSite3Evidence", "EXTGIM, PMPGIM"));
    if (largeDatabase) {
      // the person's work of step 9: Site 2's DataPump now sends its trail to Site 3
      state.set("site2.gim-ogg", "PMPGIM", "target", "site3");
      drill.complete(run, "UserTask_ConfigureBidirectional", "operator", DrGroups.OPERATORS, Map.of(
          "bidirectionalConfigured", true, "bidirectionalConfiguredEvidence", "both ways"));
    }
    long before = Instant.now().getEpochSecond();
    drill.complete(run, "UserTask_ConfirmTwoSiteOperation", "operator", DrGroups.OPERATORS, Map.of(
        "twoSiteOperationRestored", true, "twoSiteOperationRestoredEvidence", "reports from Site 3"));
    long after = Instant.now().getEpochSecond();
    drill.awaitEnded(run);

    // Genesys Info Mart active at Site 3, stopped at Site 2
    assertThat(state.state("site3.gim", "gim-server")).isEqualTo("RUNNING");
    assertThat(state.state("site2.gim", "gim-server")).isEqualTo("STOPPED");
    assertThat(state.attribute(CONFIG, "GIM_Server", "host")).isEqualTo("gim.site3.genesys.lab");
    assertThat(state.attribute(CONFIG, "GIM_Server", "commandLine"))
        .isEqualTo("-host cs-mgmt.site3.genesys.lab -port 2020 -app GIM_Server");
    assertThat((List<Object>) state.attribute(CONFIG, "GIM_Server", "connections")).containsExactlyInAnyOrder(
        "ICON_Site2_Voice", "DAP_IDB_Site2", "ICON_Site3_Voice", "DAP_IDB_Site3", "DAP_InfoMart_Site3");
    List.of("ICON_Site3_Voice", "DAP_IDB_Site3", "DAP_InfoMart_Site3").forEach(object ->
        assertThat(state.state(CONFIG, object)).as(object).isEqualTo("ENABLED"));
    // replication Site 3 -> Site 2, the Site 2 Replicat started after the SCN read at Site 3
    Object currentScn = history.createHistoricVariableInstanceQuery().processInstanceId(run.getId())
        .variableName("currentScn").singleResult().getValue();
    assertThat(state.state("site3.gim-ogg", "EXTGIM")).isEqualTo("RUNNING");
    assertThat(state.state("site3.gim-ogg", "PMPGIM")).isEqualTo("RUNNING");
    assertThat(state.state("site2.gim-ogg", "REPGIM")).isEqualTo("RUNNING");
    assertThat(String.valueOf(state.attribute("site2.gim-ogg", "REPGIM", "startedAtScn"))).isEqualTo(currentScn);
    assertThat(state.attribute("site2.gim-ogg", "REPGIM", "source")).isEqualTo("site3");
    assertThat(state.state("site2.gim-ogg", "EXTGIM")).isEqualTo("STOPPED");
    assertThat(state.state("site2.gim-ogg", "PMPGIM")).isEqualTo("STOPPED");
    assertThat(state.state("site3.gim-ogg", "REPGIM")).isEqualTo("STOPPED");
    if (largeDatabase) {
      // the reverse direction ran first, from the export SCN
      assertThat(String.valueOf(state.attribute("site3.gim-ogg", "REPGIM", "startedAtScn"))).isEqualTo(exportScn);
      assertThat(state.actionCount("site2.gim-ogg", "ggsci START EXTRACT EXTGIM")).isEqualTo(1);
      assertThat(state.actionCount("site2.gim-ogg", "ggsci START EXTRACT PMPGIM")).isEqualTo(1);
    } else {
      assertThat(state.attribute("site3.gim-ogg", "REPGIM", "startedAtScn")).isNull();
      assertThat(state.actionCount("site2.gim-ogg", "ggsci START EXTRACT EXTGIM")).isZero();
    }
    // both Info Mart databases hold the same rows (the sync checks passed on real replication)
    String mark = expectedFacts + ":" + expectedFacts;
    assertThat(query("site3.gim-db", "SELECT COUNT(*) || ':' || MAX(INTERACTION_ID) FROM INTERACTION_FACT"))
        .isEqualTo(mark);
    assertThat(query("site2.gim-db", "SELECT COUNT(*) || ':' || MAX(INTERACTION_ID) FROM INTERACTION_FACT"))
        .isEqualTo(mark);
    // Site 2's GoldenGate cleaned and its schema re-created, once, by this run
    assertThat(state.actionCount("site2.gim-ogg", "ogg-clean-folders")).isEqualTo(1);
    // the old trail and traces are gone; the reports are those of the groups started since the cleaning
    assertThat(state.attribute("site2.gim-ogg", "folders", "dirdat")).isEqualTo(0);
    assertThat(state.attribute("site2.gim-ogg", "folders", "dirrpt")).isEqualTo(largeDatabase ? 3 : 1);
    assertThat(state.attribute("site2.gim-ogg", "folders", "TRACE")).isEqualTo(0);
    assertThat(state.attribute("site2.gim-ogg", "folders", "dirchk")).isEqualTo(1);
    assertThat(query("site2.gim-db", "SELECT COUNT(*) FROM DR_SCHEMA_RECREATIONS WHERE RUN_KEY = '" + run.getId() + "'"))
        .isEqualTo("1");
    // re-aggregated at Site 3: 24 hours before the failure until the step
    String[] window = String.valueOf(state.attribute("site3.gim", "aggregation", "lastWindow")).split(":");
    assertThat(Long.parseLong(window[0])).isEqualTo(Instant.parse(FAILURE_TIME).getEpochSecond() - 24 * 3600);
    assertThat(Long.parseLong(window[1])).isBetween(before - 120, after);
  }

  /** B1 first: Genesys Info Mart in service at Site 2 (GI2/RAA deployed, not partitioned). */
  private void failOverToSite2() {
    ProcessInstance b1 = runtime.startProcessInstanceByKey("dr-gim-site-failover", "DRILL-B1-B2",
        Map.of("partitioned", false, "gi2OrRaa", true, "jobPollInterval", "PT1S"));
    drill.complete(b1, "UserTask_DeclareSiteFailure", "approver", DrGroups.APPROVERS, Map.of(
        "siteFailureDeclared", true, "siteFailureTime", FAILURE_TIME, "siteFailureReason", "drill",
        "decidedBy", "DR manager"));
    drill.complete(b1, "UserTask_ConfirmReportingRestored", "operator", DrGroups.OPERATORS, Map.of(
        "reportingRestored", true, "reportingRestoredEvidence", "ok"));
    drill.awaitEnded(b1);
    assertThat(lab.state().state("site2.gim", "gim-server")).isEqualTo("RUNNING");
  }

  private String query(String database, String sql) throws Exception {
    try (Connection connection = databases.open(database);
        PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getString(1);
    }
  }
}
