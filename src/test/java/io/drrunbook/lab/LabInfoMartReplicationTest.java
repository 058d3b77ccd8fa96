package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drrunbook.DrillContext;
import io.drrunbook.connectors.sql.TargetDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The lab's GoldenGate moves Info Mart rows only while the trail flows: from Site 1 (main, Extract
 * and DataPump running) to Site 2 (Replicat running) in the initial state, and not at all once any
 * of the three is stopped or the DataPump sends its trail elsewhere. Checked on the lab's H2
 * databases, through the replication's own rounds.
 */
@DrillContext
class LabInfoMartReplicationTest {

  private static final int INITIAL = LabInfoMartDatabase.INITIAL_FACTS;

  @Autowired Lab lab;
  @Autowired TargetDatabases databases;
  @Autowired LabInfoMartReplication replication;

  @BeforeEach
  @AfterEach
  void resetLab() {
    lab.reset();
  }

  @Test
  void shouldApplyNewRowsOfTheSourceSiteAtTheSiteWhoseReplicatRuns() throws SQLException {
    insert("site1.gim-db", INITIAL + 1, INITIAL + 25);

    await("rows at Site 2").atMost(Duration.ofSeconds(10)).until(() -> count("site2.gim-db") == INITIAL + 25);
    assertThat(mark("site2.gim-db")).isEqualTo(mark("site1.gim-db")).isEqualTo((INITIAL + 25) + ":" + (INITIAL + 25));
    // Site 3's Replicat is stopped: nothing reaches it
    assertThat(count("site3.gim-db")).isEqualTo(INITIAL);
  }

  @Test
  void shouldApplyNothingWhenTheReplicatIsStopped() throws Exception {
    lab.state().set("site2.gim-ogg", "REPGIM", null, "STOPPED");
    settled();
    insert("site1.gim-db", INITIAL + 1, INITIAL + 3);

    await("replication rounds").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> count("site2.gim-db") == INITIAL);

    // started again, it catches up
    lab.state().set("site2.gim-ogg", "REPGIM", null, "RUNNING");
    await("caught up").atMost(Duration.ofSeconds(10)).until(() -> count("site2.gim-db") == INITIAL + 3);
  }

  @Test
  void shouldApplyNothingWhenTheDataPumpSendsItsTrailElsewhereOrTheExtractIsStopped() throws Exception {
    lab.state().set("site1.gim-ogg", "PMPGIM", "target", "site3");
    settled();
    insert("site1.gim-db", INITIAL + 1, INITIAL + 2);
    await("replication rounds").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> count("site2.gim-db") == INITIAL);

    lab.state().set("site1.gim-ogg", "EXTGIM", null, "STOPPED");
    lab.state().set("site1.gim-ogg", "PMPGIM", "target", "site2");
    settled();
    await("replication rounds").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> count("site2.gim-db") == INITIAL);
  }

  /**
   * Returns once a round that began before the last state change is over (rounds take turns): a
   * round that saw the trail flowing may still apply what it reads after the change.
   */
  private void settled() {
    replication.replicate();
  }

  private void insert(String database, long fromId, long toId) throws SQLException {
    try (Connection connection = databases.open(database);
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO INTERACTION_FACT (INTERACTION_ID, START_DATE_TIME_KEY) VALUES (?, 0)")) {
      for (long id = fromId; id <= toId; id++) {
        insert.setLong(1, id);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private long count(String database) throws SQLException {
    return Long.parseLong(mark(database).split(":")[0]);
  }

  private String mark(String database) throws SQLException {
    try (Connection connection = databases.open(database); Statement sql = connection.createStatement();
        ResultSet rows = sql.executeQuery(
            "SELECT COUNT(*) || ':' || COALESCE(MAX(INTERACTION_ID), 0) FROM INTERACTION_FACT")) {
      rows.next();
      return rows.getString(1);
    }
  }
}
