package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.connectors.ssh.CommandCatalog;
import io.drrunbook.connectors.ssh.CommandSpec;
import io.drrunbook.connectors.ssh.CommandTemplate;
import io.drrunbook.lab.faults.LabFaults;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * The lab model oracle-brm (seed 004) through the lab shell and its console actions (no SSH, no
 * Spring): the CM's pin.conf and test request, the DMs' processing state derived from their data
 * stores, Clusterware's behaviour on a node failure, a DM crash (restarted or not) and a data store
 * failure, the RAC service on its backup instance, and the wrapper that sets a data store active.
 */
class BrmModelTest {

  static final String CM = "site1.brm-cm";
  static final String DM1 = "site1.brm-dm-1";
  static final String DM2 = "site1.brm-dm-2";
  static final String RAC1 = "site1.brm-rac-1";
  static final String SRVCTL = "/u01/app/oracle/product/db/bin/srvctl";

  @TempDir
  Path dir;

  private LabState state;
  private LabShell shell;
  private LabFileSystems files;
  private LabConsoles consoles;

  @BeforeEach
  void brmLab() {
    TopologyProperties topology = new TopologyProperties();
    LabProperties lab = new LabProperties();
    lab.setDir(dir);
    Site site = new Site();
    site.setTitle("Site 1");
    String[][] hosts = {{"brm-cm", "cm", "brm-cm"}, {"brm-dm-1", "dm-1", "brm-dm"}, {"brm-dm-2", "dm-2", "brm-dm"},
        {"brm-rac-1", "rac-1", "brm-rac"}, {"brm-rac-2", "rac-2", "brm-rac"}};
    for (int n = 0; n < hosts.length; n++) {
      Host host = new Host();
      host.setAddress("127.0.1." + (81 + n));
      host.setHostname(hosts[n][1] + ".site1.brm.lab");
      site.getHosts().put(hosts[n][0], host);
      lab.getRoles().put("site1." + hosts[n][0], hosts[n][2]);
    }
    topology.getSites().put("site1", site);
    Topology brm = new Topology(topology);
    state = new LabState(lab, brm, LabFixture.MODELS, LabFixture.CLOCK);
    shell = new LabShell(state, lab);
    consoles = new LabConsoles(state,
        new LabSites(lab, brm, state, new LabFaults(state::hosts, brm, LabFixture.CLOCK), null));
    files = new LabFileSystems(lab);
    files.prepare(true);
  }

  private LabShell.Result run(String host, String command) {
    return shell.execute(host, command);
  }

  private void act(String host, String component, String action) {
    consoles.act(host, component, action, "operator");
  }

  @Test
  void shouldServeCmRequestsThroughTheActiveDmWhenTheLabIsNew() {
    assertThat(run(CM, "cat /opt/portal/sys/cm/pin.conf").stdout())
        .containsPattern("(?m)^- cm dm_pointer 0\\.0\\.0\\.1 ip dm-1\\.site1\\.brm\\.lab 12950 ip dm-2\\.site1\\.brm\\.lab 12950$")
        .containsPattern("(?m)^- cm pcm_bad_connection_retry_delay_time_in_secs 5$");
    assertThat(run(DM1, "/opt/portal/bin/pin_ctl status dm_tt").stdout()).isEqualTo("dm_tt, (5100), Running\nprocessing state: active\n");
    assertThat(run(DM2, "pin_ctl status dm_tt").stdout()).endsWith("processing state: standby\n");
    assertThat(run(DM1, "/opt/dr/bin/brm-tt-state status").stdout()).isEqualTo("brm_tt ACTIVE\n");
    assertThat(run(DM2, "brm-tt-state status").stdout()).isEqualTo("brm_tt STANDBY\n");
    assertThat(run(DM2, "crsctl stat res -t").stdout())
        .containsPattern("(?m)^brm\\.tt_brm_tt\\.dm-1\\n +1 +ONLINE +ONLINE +dm-1 +ACTIVE$")
        .containsPattern("(?m)^brm\\.tt_brm_tt\\.dm-2\\n +1 +ONLINE +ONLINE +dm-2 +STANDBY$");
    assertThat(run(DM1, "cat /opt/oracle/network/admin/tnsnames.ora").stdout())
        .contains("(HOST = rac-1.site1.brm.lab)", "(HOST = rac-2.site1.brm.lab)", "(SERVICE_NAME = brm_schema1)");
    assertThat(run(RAC1, SRVCTL + " config service -d BRMDB -s brm_schema1").stdout())
        .contains("Preferred instances: brm1\nAvailable instances: brm2");

    assertThat(run(CM, "/opt/dr/bin/brm-cm-test robj"))
        .isEqualTo(new LabShell.Result(0, "robj: PIN_ERR_NONE (dm_tt dm-1.site1.brm.lab:12950)\n", ""));
    assertThat(run(CM, "tail -n 20 /opt/portal/var/cm/cm.pinlog").stdout()).isEmpty();
  }

  @Test
  void shouldMakeTheStandbyActiveAndServeThroughItWhenTheActiveNodeFails() {
    act(DM1, "node", "node-down");

    assertThat(state.state(DM2, "datastore")).isEqualTo("ACTIVE");
    assertThat(state.state(DM1, "datastore")).as("the formerly active store, L165").isEqualTo("STANDBY");
    assertThat(state.attribute(DM2, "dm", "processingState")).isEqualTo("active");
    assertThat(run(DM1, "pin_ctl status dm_tt").exitCode()).as("a node that is down").isEqualTo(255);
    assertThat(run(CM, "brm-cm-test robj").stdout()).isEqualTo("robj: PIN_ERR_NONE (dm_tt dm-2.site1.brm.lab:12950)\n");
    assertThat(run(CM, "tail -n 10 /opt/portal/var/cm/cm.pinlog").stdout())
        .contains("connection to dm_tt dm-1.site1.brm.lab:12950 failed: failing over").doesNotContain("PIN_ERR_NOT_PRIMARY");

    act(DM1, "node", "node-up");
    assertThat(state.attribute(DM1, "dm", "processingState")).as("its store is standby now").isEqualTo("standby");
  }

  @Test
  void shouldRejectWithNotPrimaryUntilTheStandbyStoreIsSetActiveWhenTheDmCannotBeRestarted() {
    act(DM1, "dm", "crash-restart-ok");
    assertThat(state.attribute(DM1, "dm", "restarts")).isEqualTo(1);
    assertThat(run(CM, "brm-cm-test robj").exitCode()).as("restarted by Clusterware").isZero();

    act(DM1, "dm", "crash-restart-fails");
    assertThat(state.state(DM1, "datastore")).as("remains active, L197").isEqualTo("ACTIVE");
    assertThat(run(CM, "brm-cm-test robj")).isEqualTo(new LabShell.Result(0, "robj: PIN_ERR_NOT_PRIMARY (no IMDB Cache DM of 0.0.0.1 is active)\n", ""));
    assertThat(run(CM, "tail -n 10 /opt/portal/var/cm/cm.pinlog").stdout())
        .containsPattern("(?m)connection to dm_tt dm-1\\.site1\\.brm\\.lab:12950 failed")
        .containsPattern("(?m)dm_tt dm-2\\.site1\\.brm\\.lab:12950 rejected the login \\(PCM_OPFLG_RETRY\\): PIN_ERR_NOT_PRIMARY$");

    assertThat(run(DM2, "/opt/dr/bin/brm-tt-state set-active").stdout()).isEqualTo("brm_tt ACTIVE\n");
    run(DM2, "brm-tt-state set-active");
    assertThat(state.actionCount(DM2, "brm-tt-state set-active")).isEqualTo(1);
    assertThat(state.attribute(DM2, "dm", "processingState")).isEqualTo("active");
    assertThat(state.state(DM1, "datastore")).as("the seed's open point: two active stores").isEqualTo("ACTIVE");
    assertThat(run(CM, "brm-cm-test robj").stdout()).isEqualTo("robj: PIN_ERR_NONE (dm_tt dm-2.site1.brm.lab:12950)\n");
  }

  @Test
  void shouldSwapTheStoresWhenTheActiveDataStoreFails() throws Exception {
    act(DM1, "datastore", "datastore-failure");

    assertThat(run(DM1, "brm-tt-state status").stdout()).isEqualTo("brm_tt FAILED\n");
    assertThat(verified("brm-datastore-status", DM1, Map.of())).as("K6: a failed store").isFalse();
    assertThat(run(DM1, "brm-tt-state set-active").exitCode()).isEqualTo(1);
    assertThat(state.state(DM2, "datastore")).isEqualTo("ACTIVE");
    assertThat(state.attribute(DM1, "dm", "processingState")).isEqualTo("standby");
    assertThat(run(CM, "brm-cm-test robj").stdout()).isEqualTo("robj: PIN_ERR_NONE (dm_tt dm-2.site1.brm.lab:12950)\n");
    assertThat(run(CM, "tail -n 10 /opt/portal/var/cm/cm.pinlog").stdout())
        .contains("dm_tt dm-1.site1.brm.lab:12950 rejected the login (PCM_OPFLG_RETRY): PIN_ERR_NOT_PRIMARY");
  }

  @Test
  void shouldRunTheServiceOnTheBackupInstanceAndFailWithStorageWhenNoInstanceIsOpen() {
    act(RAC1, "instance", "rac-instance-down");
    assertThat(run(RAC1, SRVCTL + " status service -d BRMDB -s brm_schema1").stdout())
        .isEqualTo("Service brm_schema1 is running on instance(s) brm2\n");
    assertThat(run(CM, "brm-cm-test robj").exitCode()).as("transparent to the CM, L302").isZero();

    act("site1.brm-rac-2", "instance", "rac-instance-down");
    assertThat(run(RAC1, SRVCTL + " status database -d BRMDB").stdout())
        .isEqualTo("Instance brm1 is not running on node rac-1\nInstance brm2 is not running on node rac-2\n");
    assertThat(run(CM, "brm-cm-test robj").stdout()).startsWith("robj: PIN_ERR_STORAGE");
  }

  /** The catalog entries of commands-brm.yaml, their verify lines run in this lab. */
  private boolean verified(String key, String host, Map<String, String> args) throws Exception {
    List<PropertySource<?>> sources = new YamlPropertySourceLoader()
        .load("commands-brm.yaml", new ClassPathResource("config/commands-brm.yaml"));
    CommandCatalog brm = new Binder(ConfigurationPropertySources.from(sources))
        .bind("dr.commands", Bindable.ofInstance(new CommandCatalog())).get();
    assertThat(brm.problems()).isEmpty();
    CommandSpec spec = brm.command(key);
    LabShell.Result result = run(host, CommandTemplate.render(spec.verify(), args));
    return result.exitCode() == 0
        && Pattern.compile(CommandTemplate.renderRegex(spec.verifyExpect(), args)).matcher(result.stdout()).find();
  }

  @Test
  void shouldPassEveryReadinessCheckOfTheCatalogWhenTheLabIsNewAndTheE1PrecheckOnceTheDmCannotRestart() throws Exception {
    Map<String, String> none = Map.of();
    assertThat(verified("brm-cm-dm-pointers-check", CM,
        Map.of("activeDmHost", "dm-1.site1.brm.lab", "standbyDmHost", "dm-2.site1.brm.lab"))).isTrue();
    assertThat(verified("brm-cm-dm-pointers-check", CM,
        Map.of("activeDmHost", "dm-2.site1.brm.lab", "standbyDmHost", "dm-1.site1.brm.lab"))).isFalse();
    assertThat(verified("brm-cm-retry-delay-check", CM, none)).isTrue();
    assertThat(verified("brm-dm-retry-delay-check", DM1, none)).isTrue();
    assertThat(verified("brm-clusterware-pair-check", DM2, none)).isTrue();
    assertThat(verified("brm-dm-tnsnames-check", DM1, Map.of("primaryRacHost", "rac-1.site1.brm.lab",
        "backupRacHost", "rac-2.site1.brm.lab", "service", "brm_schema1"))).isTrue();
    assertThat(verified("brm-rac-service-config-check", RAC1, Map.of("service", "brm_schema1"))).isTrue();
    assertThat(verified("brm-rac-service-running-check", RAC1, Map.of("service", "brm_schema1"))).isTrue();
    assertThat(verified("brm-cm-request-check", CM, none)).isTrue();
    assertThat(verified("brm-cm-request-rejected-check", CM, none)).isFalse();
    assertThat(verified("brm-dm-status", DM1, none)).isTrue();
    assertThat(verified("brm-datastore-status", DM2, none)).isTrue();
    assertThat(verified("brm-cm-request-served-by-check", CM, Map.of("dmHost", "dm-1.site1.brm.lab"))).isTrue();
    assertThat(verified("brm-cm-request-served-by-check", CM, Map.of("dmHost", "dm-2.site1.brm.lab"))).isFalse();
    assertThat(verified("brm-cm-log-failover-check", CM, Map.of("dmHost", "dm-1.site1.brm.lab"))).isFalse();

    act(DM1, "dm", "crash-restart-fails");
    assertThat(verified("brm-dm-status", DM1, none)).as("pin_ctl answers: Not Running").isTrue();
    assertThat(verified("brm-clusterware-pair-check", DM2, none)).as("the DM resource OFFLINE").isFalse();
    assertThat(verified("brm-dm-processing-state-check", DM1, Map.of("processingState", "none"))).isTrue();
    assertThat(verified("brm-datastore-state-check", DM1, Map.of("storeState", "ACTIVE"))).isTrue();
    assertThat(verified("brm-cm-request-rejected-check", CM, none)).isTrue();
    assertThat(verified("brm-cm-log-not-primary-check", CM, none)).isTrue();
    assertThat(verified("brm-cm-log-failover-check", CM, Map.of("dmHost", "dm-1.site1.brm.lab"))).isTrue();
    run(DM2, "/opt/dr/bin/brm-tt-state set-active");
    assertThat(verified("brm-cm-request-served-by-check", CM, Map.of("dmHost", "dm-2.site1.brm.lab"))).isTrue();
    assertThat(verified("brm-dm-processing-state-check", DM2, Map.of("processingState", "active"))).isTrue();
    assertThat(verified("brm-cm-request-check", CM, none)).isTrue();
  }

  @Test
  void shouldFailTheRequestWhenThePinConfHasNoDmPointer() throws Exception {
    Path conf = files.root(CM).resolve("opt/portal/sys/cm/pin.conf");
    Files.writeString(conf, Files.readString(conf).replace("- cm dm_pointer", "#- cm dm_pointer"));

    assertThat(run(CM, "brm-cm-test robj").stdout()).startsWith("robj: PIN_ERR_NAP_CONNECT_FAILED");
  }
}
