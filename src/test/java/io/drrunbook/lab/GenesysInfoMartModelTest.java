package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.lab.model.LabModels;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties;
import io.drrunbook.topology.TopologyProperties.Endpoint;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.Site;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Genesys Info Mart model (lab/models/genesys-info-mart.yaml) through the lab shell, next to a
 * stand-in of the Genesys configuration API: the server starts with the Application object that API
 * holds, the log scan's arguments, and a stop interrupting a running job. SSH and HTTP are covered
 * by io.drrunbook.connectors.gim.GimLabTest.
 */
class GenesysInfoMartModelTest {

  @TempDir
  Path dir;

  private LabState state;
  private LabShell shell;

  @BeforeEach
  void lab() {
    TopologyProperties topology = new TopologyProperties();
    for (int n = 1; n <= 2; n++) {
      Site site = new Site();
      Host gim = new Host();
      gim.setAddress("127.0." + n + ".40");
      site.getHosts().put("gim", gim);
      topology.getSites().put("site" + n, site);
    }
    Endpoint configApi = new Endpoint();
    configApi.setUrl("http://127.0.0.1:1/api/v2");
    topology.getSites().get("site2").getEndpoints().put("config-api", configApi);
    LabProperties lab = new LabProperties();
    lab.setDir(dir.resolve("lab"));
    lab.getRoles().put("site1.gim", "gim-server");
    lab.getRoles().put("site2.gim", "gim-server");
    lab.getRoles().put("site2.config-api", "genesys-config-api");
    LabModels models = LabModels.load(List.of("classpath:lab/models/genesys-info-mart.yaml",
        "classpath:lab-models/gim-config-api.yaml")).checkReferences();
    state = new LabState(lab, new Topology(topology), models, LabFixture.CLOCK);
    shell = new LabShell(state, lab);
  }

  @Test
  void shouldStartWithConfigurationApiObjectWhenLabHasOne() {
    LabShell.Result started = shell.execute("site2.gim", "/opt/dr/bin/genesys-ctl start gim-server");
    LabShell.Result config = shell.execute("site2.gim", "/opt/dr/bin/gim-log-check-config");

    assertThat(started.exitCode()).isZero();
    assertThat(config.stdout()).contains(
        "log GIM_Server_001.log\n",
        "host gim.site2.genesys.lab\n",
        "config-server cs-mgmt.site2.genesys.lab:2020\n",
        "infomart-dap DAP_InfoMart_Site2\n",
        "icon-connections ICON_Site2_Voice\n",
        "migration-state false\n",
        "server RUNNING\n");
  }

  @Test
  void shouldShowSite1ConfigurationWhenMainSiteLogIsRead() {
    LabShell.Result config = shell.execute("site1.gim", "gim-log-check-config");

    assertThat(config.stdout()).contains("host gim.site1.genesys.lab\n", "infomart-dap DAP_InfoMart_Site1\n",
        "icon-connections ICON_Site1_Voice, ICON_Site2_Voice\n");
  }

  @Test
  void shouldScanOnlyGivenMessageIdsWhenLogIsScanned() {
    LabShell.Result startup = shell.execute("site1.gim", "gim-log-scan 55-00001");
    LabShell.Result noIds = shell.execute("site1.gim", "gim-log-scan");
    LabShell.Result notAnId = shell.execute("site1.gim", "gim-log-scan '.*'");

    assertThat(startup.exitCode()).isZero();
    assertThat(startup.stdout()).contains("Std 55-00001 Genesys Info Mart Server 8.5.116.10 starting")
        .endsWith("matches: 1\n");
    assertThat(noIds.exitCode()).isEqualTo(2);
    assertThat(notAnId.exitCode()).isEqualTo(2);
    assertThat(notAnId.stderr()).startsWith("usage: gim-log-scan");
  }

  @Test
  void shouldFailRunningJobWhenServerStops() {
    state.set("site1.gim", "Job_MigrateGIM", null, "RUNNING");

    LabShell.Result stopped = shell.execute("site1.gim", "genesys-ctl stop gim-server");
    LabShell.Result unknown = shell.execute("site1.gim", "genesys-ctl stop confserv-master-pair");

    assertThat(stopped.stdout()).isEqualTo("stopping gim-server\ngim-server STOPPED\n");
    assertThat(state.state("site1.gim", "Job_MigrateGIM")).isEqualTo("FAILED");
    assertThat(state.attribute("site1.gim", "Job_MigrateGIM", "message"))
        .isEqualTo("interrupted: Genesys Info Mart Server stopped");
    assertThat(state.state("site1.gim", "aggregation")).isEqualTo("STOPPED");
    assertThat(state.attribute("site1.gim", "log", "lines").toString()).contains("Std 55-00002 Genesys Info Mart Server stopped");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.stderr()).contains("unknown application 'confserv-master-pair'");
  }
}
