package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.sql.TargetDatabases;
import io.drrunbook.lab.LabProperties.LabDatabase;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Database;
import io.drrunbook.topology.TopologyProperties.Site;
import io.drrunbook.topology.TopologyProperties;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lab database of kind info-mart as LabDatabases prepares it (real H2 files, no Spring): initial
 * content, kept across a restart, put back by a reset; an unknown kind stops the lab.
 */
class LabInfoMartDatabaseTest {

  @TempDir Path dir;

  private Topology topology;
  private SecretResolver secrets;
  private TargetDatabases databases;
  private LabProperties properties;

  @BeforeEach
  void setUp() {
    TopologyProperties topologyProperties = new TopologyProperties();
    Site site = new Site();
    Database database = new Database();
    database.setUrl("jdbc:h2:file:" + dir.resolve("db/site2-gim-db") + ";MODE=Oracle");
    database.setUsername("dr_ops");
    database.setPassword("file:" + dir.resolve("secrets/site2-gim-db.password"));
    site.getDatabases().put("gim-db", database);
    topologyProperties.getSites().put("site2", site);
    topology = new Topology(topologyProperties);
    secrets = new SecretResolver(new SecretMasker());
    databases = new TargetDatabases(topology, secrets);
    properties = new LabProperties();
    properties.setDir(dir);
    LabDatabase infoMart = new LabDatabase();
    infoMart.setKind(LabDatabase.KIND_INFO_MART);
    infoMart.setSchemaUser("GIM");
    properties.getDatabases().put("site2.gim-db", infoMart);
  }

  @Test
  void shouldHoldScnGoldenGateSchemaAndFactsWhenCreated() throws SQLException {
    LabDatabases lab = new LabDatabases(properties, topology, secrets, databases);

    assertThat(lab.accessStates()).containsEntry("site2.gim-db", "OPEN");
    assertThat(value("SELECT CURRENT_SCN FROM V$DATABASE")).isGreaterThan(1_000_000_000_000L);
    assertThat(value("SELECT COUNT(*) FROM DBA_USERS WHERE USERNAME = 'GGADMIN' AND ACCOUNT_STATUS = 'OPEN'")).isEqualTo(1);
    assertThat(value("SELECT NUM_ROWS FROM DBA_TABLES WHERE OWNER = 'GGADMIN' AND TABLE_NAME = 'GGS_CHECKPOINT'")).isEqualTo(2);
    assertThat(value("SELECT COUNT(*) FROM INTERACTION_FACT")).isEqualTo(LabInfoMartDatabase.INITIAL_FACTS);
  }

  @Test
  void shouldKeepReCreationAcrossRestartAndForgetItWhenReset() throws SQLException {
    new LabDatabases(properties, topology, secrets, databases);
    try (Connection connection = databases.open("site2.gim-db");
        CallableStatement call = connection.prepareCall("CALL DR_RECREATE_GG_SCHEMA(?, ?)")) {
      call.setString(1, "GGADMIN");
      call.setString(2, "run-1");
      call.execute();
    }

    LabDatabases restarted = new LabDatabases(properties, topology, secrets, databases);
    assertThat(value("SELECT COUNT(*) FROM DR_SCHEMA_RECREATIONS WHERE RUN_KEY = 'run-1'")).isEqualTo(1);
    assertThat(value("SELECT NUM_ROWS FROM DBA_TABLES WHERE OWNER = 'GGADMIN' AND TABLE_NAME = 'GGS_CHECKPOINT'")).isZero();

    restarted.reset();
    assertThat(value("SELECT COUNT(*) FROM DR_SCHEMA_RECREATIONS")).isZero();
    assertThat(value("SELECT NUM_ROWS FROM DBA_TABLES WHERE OWNER = 'GGADMIN' AND TABLE_NAME = 'GGS_CHECKPOINT'")).isEqualTo(2);
    assertThat(value("SELECT COUNT(*) FROM DR_LAB_DATABASE")).isEqualTo(1);
  }

  @Test
  void shouldStopTheLabWhenKindIsUnknown() {
    properties.getDatabases().get("site2.gim-db").setKind("mainframe");

    assertThatThrownBy(() -> new LabDatabases(properties, topology, secrets, databases))
        .hasMessageContaining("unknown kind 'mainframe'");
  }

  private long value(String query) throws SQLException {
    try (Connection connection = databases.open("site2.gim-db"); Statement sql = connection.createStatement();
        ResultSet rows = sql.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
