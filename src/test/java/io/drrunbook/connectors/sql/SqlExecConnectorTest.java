package io.drrunbook.connectors.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.sql.StatementCatalog.StatementSpec;
import io.drrunbook.lab.LabDatabases;
import io.drrunbook.lab.LabProperties.LabDatabase;
import io.drrunbook.lab.LabProperties;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Database;
import io.drrunbook.topology.TopologyProperties.Site;
import io.drrunbook.topology.TopologyProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/** sql-exec against real H2 databases prepared exactly as the drill lab prepares them. */
class SqlExecConnectorTest {

  @TempDir Path dir;

  private LabDatabases lab;
  private SqlExecConnector connector;
  private TopologyProperties topologyProperties;
  private SecretMasker masker;

  @BeforeEach
  void setUp() throws Exception {
    topologyProperties = new TopologyProperties();
    Site site = new Site();
    Database database = new Database();
    database.setUrl("jdbc:h2:file:" + dir.resolve("db/site2-config-db") + ";MODE=Oracle");
    database.setUsername("dr_ops");
    database.setPassword("file:" + dir.resolve("secrets/site2-config-db.password"));
    site.getDatabases().put("config-db", database);
    topologyProperties.getSites().put("site2", site);
    Topology topology = new Topology(topologyProperties);
    masker = new SecretMasker();
    SecretResolver secrets = new SecretResolver(masker);
    TargetDatabases databases = new TargetDatabases(topology, secrets);

    LabProperties labProperties = new LabProperties();
    labProperties.setDir(dir);
    LabDatabase standby = new LabDatabase();
    standby.setAccess("LOCKED");
    labProperties.getDatabases().put("site2.config-db", standby);
    lab = new LabDatabases(labProperties, topology, secrets, databases);

    connector = new SqlExecConnector(productCatalog(), databases);
  }

  @Test
  void shouldOpenAccessWhenTheStandbyAccountIsLocked() {
    Map<String, Object> result = connector.execute(enableAccess("GENESYS_CFG"));

    assertThat(result).containsEntry("changed", true).containsEntry("valueBefore", "LOCKED")
        .containsEntry("valueAfter", "OPEN");
    assertThat(lab.accountStatus("site2.config-db", "GENESYS_CFG")).isEqualTo("OPEN");
  }

  @Test
  void shouldChangeNothingWhenAccessIsAlreadyOpen() {
    connector.execute(enableAccess("GENESYS_CFG"));

    Map<String, Object> rerun = connector.execute(enableAccess("GENESYS_CFG"));

    assertThat(rerun).containsEntry("changed", false).containsEntry("valueBefore", "OPEN")
        .doesNotContainKey("rowsAffected");
  }

  @Test
  void shouldBindParametersWhenAValueLooksLikeSql() {
    assertThatThrownBy(() -> connector.execute(enableAccess("X' OR '1'='1")))
        .hasMessageContaining("does not exist");

    assertThat(lab.accountStatus("site2.config-db", "GENESYS_CFG")).isEqualTo("LOCKED");
  }

  @Test
  void shouldRaiseVerifyFailedWhenTheStateDoesNotChange() {
    StatementCatalog catalog = productCatalog();
    StatementSpec noOp = catalog.statement("config-db-access-enable");
    noOp.setRun("SELECT 1 FROM DUAL WHERE :schemaUser IS NOT NULL");
    SqlExecConnector broken = new SqlExecConnector(catalog, new TargetDatabases(
        new Topology(topologyProperties), new SecretResolver(masker)));

    assertThatThrownBy(() -> broken.execute(enableAccess("GENESYS_CFG")))
        .isInstanceOfSatisfying(StepBusinessException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("DR_VERIFY_FAILED");
          assertThat(e.result()).containsEntry("valueAfter", "LOCKED");
        });
  }

  @Test
  void shouldFailClearlyWhenThePasswordIsWrong() throws Exception {
    Files.writeString(dir.resolve("secrets/site2-config-db.password"), "not-the-password");

    assertThatThrownBy(() -> connector.execute(enableAccess("GENESYS_CFG")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot connect to database site2.config-db")
        .hasMessageNotContaining("not-the-password");
  }

  @Test
  void shouldRefuseWhenTheStatementIsNotInTheCatalog() {
    Map<String, Object> inputs = enableAccess("GENESYS_CFG");
    inputs.put("statement", "drop-everything");

    assertThatThrownBy(() -> connector.execute(inputs))
        .hasMessageContaining("unknown SQL statement 'drop-everything'");
  }

  @Test
  void shouldLockAccessAgainWhenDisableRuns() {
    connector.execute(enableAccess("GENESYS_CFG"));
    Map<String, Object> inputs = enableAccess("GENESYS_CFG");
    inputs.put("statement", "config-db-access-disable");

    assertThat(connector.execute(inputs)).containsEntry("changed", true);
    assertThat(lab.accountStatus("site2.config-db", "GENESYS_CFG")).isEqualTo("LOCKED");
  }

  private static Map<String, Object> enableAccess(String schemaUser) {
    Map<String, Object> inputs = new HashMap<>();
    inputs.put("route", "sql-exec");
    inputs.put("database", "site2.config-db");
    inputs.put("statement", "config-db-access-enable");
    inputs.put("schemaUser", schemaUser);
    inputs.put("idempotencyKey", "pi:ai");
    return inputs;
  }

  /** The statements exactly as the product ships them in config/sql-statements.yaml. */
  static StatementCatalog productCatalog() {
    try {
      StandardEnvironment environment = new StandardEnvironment();
      new YamlPropertySourceLoader().load("sql", new ClassPathResource("config/sql-statements.yaml"))
          .forEach(environment.getPropertySources()::addLast);
      return new Binder(ConfigurationPropertySources.get(environment))
          .bind("dr.sql", StatementCatalog.class).get();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
