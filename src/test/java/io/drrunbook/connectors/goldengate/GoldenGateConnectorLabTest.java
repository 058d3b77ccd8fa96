package io.drrunbook.connectors.goldengate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.DrillContext;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.connectors.sql.SqlExecConnector;
import io.drrunbook.connectors.sql.TargetDatabases;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabInfoMartDatabase;
import io.drrunbook.lab.LabState;
import io.drrunbook.lab.faults.FaultRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Route goldengate and the Info Mart SQL statements against the drill lab as the application wires
 * it: the lab's real SSH servers for site1-3.gim-ogg (model oracle-goldengate-infomart) and the H2
 * Info Mart databases site1-3.gim-db. Covers B1 step 1 and B2 steps 6, 7, 10, 11, 12, 17 of seed 001.
 */
@DrillContext
class GoldenGateConnectorLabTest {

  @Autowired GoldenGateConnector goldenGate;
  @Autowired SqlExecConnector sqlExec;
  @Autowired TargetDatabases databases;
  @Autowired ProducerTemplate camel;
  @Autowired Lab lab;

  @BeforeEach
  @AfterEach
  void resetLab() {
    lab.reset();
  }

  private LabState state() {
    return lab.state();
  }

  private static Map<String, Object> inputs(Object... keysAndValues) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      inputs.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return inputs;
  }

  @Test
  void shouldStopSite2ReplicatOnceWhenB1Step1RunsTwiceThroughTheRoute() {
    Map<String, Object> in = inputs("host", "site2.gim-ogg", "operation", "stop", "process", "REPGIM",
        "type", "replicat");

    @SuppressWarnings("unchecked")
    Map<String, Object> first = camel.requestBody("direct:goldengate", in, Map.class);
    Map<String, Object> second = goldenGate.execute(in);

    assertThat(first).containsEntry("status", "STOPPED").containsEntry("changed", true)
        .containsEntry("statuses", Map.of("REPGIM", "STOPPED"))
        .containsEntry("processes", List.of("REPGIM"));
    assertThat(second).containsEntry("status", "STOPPED").containsEntry("changed", false);
    assertThat(state().state("site2.gim-ogg", "REPGIM")).isEqualTo("STOPPED");
    assertThat(state().actionCount("site2.gim-ogg", "ggsci STOP REPLICAT REPGIM")).isEqualTo(1);
    assertThat(state().commandLog("site2.gim-ogg")).extracting(LabState.CommandRecord::command)
        .contains("/opt/dr/bin/ggsci-exec STOP 'REPLICAT' 'REPGIM'");
  }

  @Test
  void shouldReportStatusesAndRefuseExpectedStatusWhenGroupsDiffer() {
    Map<String, Object> site1 = goldenGate.execute(inputs("host", "site1.gim-ogg", "operation", "status",
        "process", "extgim, pmpgim", "type", "extract", "expectStatus", "running"));
    Map<String, Object> site3 = goldenGate.execute(inputs("host", "site3.gim-ogg", "operation", "status",
        "process", "EXTGIM", "type", "extract"));

    assertThat(site1).containsEntry("status", "RUNNING").containsEntry("changed", false)
        .containsEntry("statuses", Map.of("EXTGIM", "RUNNING", "PMPGIM", "RUNNING"));
    assertThat(site3).containsEntry("status", "STOPPED");
    assertThatThrownBy(() -> goldenGate.execute(inputs("host", "site3.gim-ogg", "operation", "status",
        "process", "EXTGIM", "type", "extract", "expectStatus", "RUNNING")))
        .isInstanceOf(StepBusinessException.class)
        .satisfies(e -> assertThat(((StepBusinessException) e).errorCode()).isEqualTo("DR_VERIFY_FAILED"))
        .hasMessageContaining("Extract EXTGIM on site3.gim-ogg is STOPPED, expected RUNNING");
  }

  @Test
  void shouldReadLagAndRefuseItWhenGroupIsStoppedOrLagsTooMuch() {
    Map<String, Object> lag = goldenGate.execute(inputs("host", "site2.gim-ogg", "operation", "lag",
        "process", "REPGIM", "type", "replicat", "maxLagSeconds", "0"));
    assertThat(lag).containsEntry("lagSeconds", 0L).containsEntry("status", "RUNNING");
    assertThat((String) lag.get("output")).contains("Last record lag 0 seconds.");

    state().set("site2.gim-ogg", "REPGIM", "lagSeconds", 42);
    assertThatThrownBy(() -> goldenGate.execute(inputs("host", "site2.gim-ogg", "operation", "lag",
        "process", "REPGIM", "type", "replicat", "maxLagSeconds", "30")))
        .isInstanceOf(StepBusinessException.class)
        .hasMessageContaining("lags 42 seconds, more than 30")
        .satisfies(e -> assertThat(((StepBusinessException) e).result()).containsEntry("lagSeconds", 42L));
    assertThatThrownBy(() -> goldenGate.execute(inputs("host", "site3.gim-ogg", "operation", "lag",
        "process", "REPGIM", "type", "replicat")))
        .isInstanceOf(StepBusinessException.class)
        .hasMessageContaining("Replicat REPGIM on site3.gim-ogg is STOPPED");
  }

  @Test
  void shouldStartReplicatAtTheScnReadFromTheSourceDatabaseWhenB2Steps10And11Run() {
    goldenGate.execute(inputs("host", "site2.gim-ogg", "operation", "stop", "process", "REPGIM", "type", "replicat"));

    // B2 step 10: current_scn at the source (Site 3), then Replicat at the target (Site 2)
    Map<String, Object> read = sqlExec.execute(inputs("database", "site3.gim-db", "statement", "info-mart-current-scn"));
    String currentScn = (String) read.get("valueAfter");
    Map<String, Object> started = goldenGate.execute(inputs("host", "site2.gim-ogg",
        "operation", "start-replicat-at-scn", "process", "REPGIM", "scn", currentScn));
    Map<String, Object> rerun = goldenGate.execute(inputs("host", "site2.gim-ogg",
        "operation", "start-replicat-at-scn", "process", "REPGIM", "scn", currentScn));
    // B2 step 11: Extract and DataPump at Site 3
    Map<String, Object> extract = goldenGate.execute(inputs("host", "site3.gim-ogg", "operation", "start",
        "process", "EXTGIM", "type", "extract"));
    Map<String, Object> pump = goldenGate.execute(inputs("host", "site3.gim-ogg", "operation", "start",
        "process", "PMPGIM", "type", "pump"));

    assertThat(currentScn).matches("[0-9]{13,}");
    assertThat(Long.parseLong(currentScn)).isGreaterThan(3_000_000_000_000L); // site3's SCN range
    assertThat(started).containsEntry("status", "RUNNING").containsEntry("changed", true)
        .containsEntry("startedAtScn", currentScn);
    assertThat(rerun).containsEntry("changed", false).containsEntry("startedAtScn", currentScn);
    assertThat(state().state("site2.gim-ogg", "REPGIM")).isEqualTo("RUNNING");
    assertThat(state().attribute("site2.gim-ogg", "REPGIM", "startedAtScn")).isEqualTo(currentScn);
    assertThat(state().actionCount("site2.gim-ogg", "ggsci START REPLICAT REPGIM AFTERCSN")).isEqualTo(1);
    assertThat(extract).containsEntry("status", "RUNNING").containsEntry("changed", true);
    assertThat(pump).containsEntry("status", "RUNNING").containsEntry("changed", true);
    assertThat(state().attribute("site2.gim-ogg", "REPGIM", "source")).isEqualTo("site3");

    // a Replicat running from another CSN is not "already done"
    assertThatThrownBy(() -> goldenGate.execute(inputs("host", "site2.gim-ogg",
        "operation", "start-replicat-at-scn", "process", "REPGIM", "scn", "12345")))
        .isInstanceOf(StepBusinessException.class)
        .satisfies(e -> assertThat(((StepBusinessException) e).errorCode()).isEqualTo("DR_PRECONDITION_FAILED"))
        .hasMessageContaining("started after CSN " + currentScn + ", not 12345");
  }

  @Test
  void shouldReadGrowingDistinctScnsWhenEachDatabaseIsAsked() throws InterruptedException {
    String first = (String) sqlExec.execute(inputs("database", "site3.gim-db", "statement", "info-mart-current-scn")).get("valueAfter");
    Thread.sleep(5); // SCNs grow with the clock (milliseconds)
    String second = (String) sqlExec.execute(inputs("database", "site3.gim-db", "statement", "info-mart-current-scn")).get("valueAfter");
    String site2 = (String) sqlExec.execute(inputs("database", "site2.gim-db", "statement", "info-mart-current-scn")).get("valueAfter");

    assertThat(Long.parseLong(second)).isGreaterThan(Long.parseLong(first));
    assertThat(Long.parseLong(site2)).isLessThan(Long.parseLong(first));
  }

  @Test
  void shouldRefuseToCleanFoldersWhileReplicatRunsAndCleanOnceWhenStopped() {
    assertThatThrownBy(() -> goldenGate.execute(inputs("host", "site2.gim-ogg", "operation", "clean-folders")))
        .isInstanceOf(StepBusinessException.class)
        .satisfies(e -> assertThat(((StepBusinessException) e).errorCode()).isEqualTo("DR_PRECONDITION_FAILED"))
        .hasMessageContaining("RUNNING: REPGIM");
    assertThat(state().attribute("site2.gim-ogg", "folders", "dirdat")).isEqualTo(12);

    goldenGate.execute(inputs("host", "site2.gim-ogg", "operation", "stop", "process", "REPGIM", "type", "replicat"));
    Map<String, Object> cleaned = goldenGate.execute(inputs("host", "site2.gim-ogg", "operation", "clean-folders"));
    Map<String, Object> rerun = goldenGate.execute(inputs("host", "site2.gim-ogg", "operation", "clean-folders"));

    assertThat(cleaned).containsEntry("changed", true);
    assertThat((String) cleaned.get("output")).contains("dirdat: removed 12 files");
    assertThat(rerun).containsEntry("changed", false);
    for (String folder : List.of("dirchk", "dirdat", "dirrpt", "TRACE")) {
      assertThat(state().attribute("site2.gim-ogg", "folders", folder)).as(folder).isEqualTo(0);
    }
    assertThat(state().state("site2.gim-ogg", "folders")).isEqualTo("CLEAN");
    assertThat(state().actionCount("site2.gim-ogg", "ogg-clean-folders")).isEqualTo(1);
  }

  @Test
  void shouldRecreateGoldenGateSchemaOncePerRunWhenB2Step7RunsTwice() throws SQLException {
    Map<String, Object> in = inputs("database", "site2.gim-db", "statement", "info-mart-gg-schema-recreate",
        "ggUser", "GGADMIN", "runKey", "run-1");
    assertThat(checkpointRows("site2.gim-db")).isEqualTo(2);

    Map<String, Object> first = sqlExec.execute(in);
    Map<String, Object> second = sqlExec.execute(in);
    Map<String, Object> present = sqlExec.execute(inputs("database", "site2.gim-db",
        "statement", "info-mart-gg-schema-check", "ggUser", "GGADMIN"));

    assertThat(first).containsEntry("changed", true).containsEntry("valueBefore", "0").containsEntry("valueAfter", "OPEN");
    assertThat(second).containsEntry("changed", false).containsEntry("valueBefore", "1");
    assertThat(present).containsEntry("valueAfter", "OPEN");
    assertThat(checkpointRows("site2.gim-db")).isZero();
    try (Connection connection = databases.open("site2.gim-db"); Statement sql = connection.createStatement();
        ResultSet rows = sql.executeQuery("SELECT COUNT(*), MAX(U.CREATED) > TIMESTAMP '2026-01-01 00:00:00'"
            + " FROM DR_SCHEMA_RECREATIONS R JOIN DBA_USERS U ON U.USERNAME = R.USERNAME WHERE R.USERNAME = 'GGADMIN'")) {
      rows.next();
      assertThat(rows.getInt(1)).as("re-creations recorded").isEqualTo(1);
      assertThat(rows.getBoolean(2)).as("user created anew").isTrue();
    }
    // another run re-creates it again
    assertThat(sqlExec.execute(inputs("database", "site2.gim-db", "statement", "info-mart-gg-schema-recreate",
        "ggUser", "GGADMIN", "runKey", "run-2"))).containsEntry("changed", true);
  }

  @Test
  void shouldCompareSyncMarksAndFailVerificationWhenTargetMissesRows() throws SQLException {
    String sourceMark = (String) sqlExec.execute(inputs("database", "site3.gim-db", "statement", "info-mart-sync-mark")).get("valueAfter");
    Map<String, Object> inSync = sqlExec.execute(inputs("database", "site2.gim-db", "statement",
        "info-mart-in-sync-check", "sourceMark", sourceMark));
    assertThat(sourceMark).isEqualTo(LabInfoMartDatabase.INITIAL_FACTS + ":" + LabInfoMartDatabase.INITIAL_FACTS);
    assertThat(inSync).containsEntry("valueAfter", "IN SYNC");

    try (Connection connection = databases.open("site3.gim-db");
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO INTERACTION_FACT (INTERACTION_ID, START_DATE_TIME_KEY) VALUES (?, 0)")) {
      insert.setLong(1, 5000);
      insert.executeUpdate();
    }
    String newMark = (String) sqlExec.execute(inputs("database", "site3.gim-db", "statement", "info-mart-sync-mark")).get("valueAfter");
    assertThatThrownBy(() -> sqlExec.execute(inputs("database", "site2.gim-db", "statement",
        "info-mart-in-sync-check", "sourceMark", newMark)))
        .isInstanceOf(StepBusinessException.class)
        .hasMessageContaining("OUT OF SYNC (target 1000:1000)");
    assertThat(newMark).isEqualTo("1001:5000");
  }

  @Test
  void shouldRefuseInputsThatCouldChangeTheGgsciCommandWhenValidated() {
    assertThatThrownBy(() -> goldenGate.execute(inputs("host", "site2.gim-ogg", "operation", "stop",
        "process", "REPGIM, AFTERCSN 1", "type", "replicat")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a GoldenGate group name");
    assertThatThrownBy(() -> goldenGate.execute(inputs("host", "site2.gim-ogg",
        "operation", "start-replicat-at-scn", "process", "REPGIM", "scn", "1; SHELL rm")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected digits");
    assertThatThrownBy(() -> goldenGate.execute(inputs("host", "site2.gim-ogg", "operation", "restart",
        "process", "REPGIM", "type", "replicat")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected one of");
    assertThat(state().commandLog("site2.gim-ogg")).isEmpty();
  }

  @Test
  void shouldFailTechnicallyWhenTheGroupDoesNotExistOrTheHostIsUnreachable() {
    assertThatThrownBy(() -> goldenGate.execute(inputs("host", "site2.gim-ogg", "operation", "start",
        "process", "EXTNEW", "type", "extract")))
        .isNotInstanceOf(StepBusinessException.class)
        .hasMessageContaining("exit 1");
    lab.faults().add(FaultRequest.of("unreachable", "site2.gim-ogg"));
    assertThatThrownBy(() -> goldenGate.execute(inputs("host", "site2.gim-ogg", "operation", "status",
        "process", "REPGIM", "type", "replicat")))
        .isNotInstanceOf(StepBusinessException.class);
  }

  @Test
  void shouldPlanTheExactCommandLinesWithoutContactingTheHostWhenDryRun() {
    StepPlan plan = goldenGate.plan("goldengate", inputs("host", "site2.gim-ogg",
        "operation", "start-replicat-at-scn", "process", "REPGIM", "scn", "3000000012345"));
    StepPlan clean = goldenGate.plan("goldengate", inputs("host", "site2.gim-ogg", "operation", "clean-folders"));

    assertThat(goldenGate.plannedRoutes()).containsExactly("goldengate");
    assertThat(plan.actions()).hasSize(4);
    assertThat(plan.actions().get(0)).contains("[ogg-ggsci-start-replicat-at-scn] check: /opt/dr/bin/ggsci-exec INFO REPLICAT 'REPGIM'");
    assertThat(plan.actions().get(1)).endsWith("run: /opt/dr/bin/ggsci-exec START REPLICAT 'REPGIM', AFTERCSN '3000000012345'");
    assertThat(plan.actions().get(2)).contains("verify: /opt/dr/bin/ggsci-exec INFO REPLICAT 'REPGIM'");
    assertThat(plan.actions().get(3)).contains("[ogg-ggsci-status] verify: /opt/dr/bin/ggsci-exec INFO 'REPLICAT' 'REPGIM'");
    assertThat(plan.targets()).containsExactly(new StepPlan.Target(TargetKind.HOST, "site2.gim-ogg"));
    assertThat(plan.result()).containsEntry("startedAtScn", "3000000012345").containsEntry("status", "RUNNING");
    assertThat(clean.actions()).hasSize(3);
    assertThat(clean.actions().get(1)).endsWith("run: /opt/dr/bin/ogg-clean-folders dirchk dirdat dirrpt TRACE");
    assertThat(state().commandLog("site2.gim-ogg")).isEmpty();
  }

  private int checkpointRows(String database) throws SQLException {
    try (Connection connection = databases.open(database); Statement sql = connection.createStatement();
        ResultSet rows = sql.executeQuery("SELECT NUM_ROWS FROM DBA_TABLES WHERE OWNER = 'GGADMIN'"
            + " AND TABLE_NAME = 'GGS_CHECKPOINT'")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
