package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.lab.model.LabSteps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's OCMS nodes (model oracle-ocms, seed 003) through the lab shell. OPMN (L71-257, L659-711):
 * the status table, the cluster OPMN forms from the discover list it has read from the node's own
 * opmn.xml at a reload, startall / stopall / startproc / stopproc and what they do to TimesTen.
 * TimesTen (L495-711): ttIsql's SQL files (the seed file read as it is on the host), ttStatus,
 * ttAdmin's replication policy and agent, ttdestroy's guard, dssize.
 */
class OcmsNodeModelTest {

  private static final String OPMNCTL = "/opt/oracle/ocms/opmn/bin/opmnctl";
  private static final String OPMN_XML = "opt/oracle/ocms/opmn/conf/opmn.xml";

  @TempDir
  Path dir;

  private TestDnsResponder dns;
  private LabFixture lab;

  @BeforeEach
  void startLab() throws Exception {
    dns = new TestDnsResponder();
    lab = new LabFixture(dir, dns.port(), Map.of(), true);
  }

  @AfterEach
  void stopLab() throws Exception {
    lab.close();
    dns.close();
  }

  private LabShell.Result run(String host, String command) {
    return lab.shell.execute(host, command);
  }

  private void discover(String host, String list) throws Exception {
    Path file = lab.files.root(host).resolve(OPMN_XML);
    Files.writeString(file, Files.readString(file).replaceFirst("discover list=\"[^\"]*\"", "discover list=\"" + list + "\""));
  }

  @Test
  void shouldPrintEachManagedProcessAliveWhenTheNodeRuns() {
    LabShell.Result status = run(LabFixture.OCMS1, OPMNCTL + " status");

    assertThat(status.exitCode()).isZero();
    assertThat(status.stdout()).startsWith("Processes in Instance: ocms.ocms-1.site1.ocms.lab\n")
        .contains("ias-component                    | process-type       |     pid | status")
        .containsPattern("(?m)^TIMESTEN +\\| TimesTen +\\| +\\d+ \\| Alive$")
        .containsPattern("(?m)^OC4J +\\| ocms +\\| +\\d+ \\| Alive$")
        .containsPattern("(?m)^EdgeProxy +\\| EdgeProxy +\\| +\\d+ \\| Alive$");
  }

  @Test
  void shouldListTheNodesOfOneDiscoverListWhenEachHasReloadedItsOpmnXml() throws Exception {
    assertThat(run(LabFixture.OCMS1, "opmnctl @cluster status").stdout())
        .contains("Processes in Instance: ocms.ocms-1.site1.ocms.lab")
        .contains("Processes in Instance: ocms.ocms-2.site1.ocms.lab");

    discover(LabFixture.OCMS1, "*239.192.0.10:6201");
    assertThat(run(LabFixture.OCMS1, OPMNCTL + " status").stdout()).as("not read before the reload")
        .contains("ocms-1");
    assertThat(lab.state.attribute(LabFixture.OCMS1, "opmn", "discover")).isEqualTo("*225.0.0.20:6200");
    assertThat(run(LabFixture.OCMS1, OPMNCTL + " reload").stdout()).isEqualTo("opmnctl reload: reloading opmn...\n");
    assertThat(lab.state.attribute(LabFixture.OCMS1, "opmn", "discover")).isEqualTo("*239.192.0.10:6201");
    assertThat(run(LabFixture.OCMS1, "opmnctl @cluster status").stdout())
        .doesNotContain("ocms-2.site1.ocms.lab");

    discover(LabFixture.OCMS2, "*239.192.0.10:6201");
    run(LabFixture.OCMS2, OPMNCTL + " reload");
    run(LabFixture.OCMS2, OPMNCTL + " reload");
    assertThat(run(LabFixture.OCMS1, "opmnctl @cluster status").stdout())
        .contains("Processes in Instance: ocms.ocms-2.site1.ocms.lab");
    assertThat(lab.state.actionCount(LabFixture.OCMS2, "opmnctl reload")).as("a reload of an unchanged file")
        .isEqualTo(1);
  }

  @Test
  void shouldStopAndStartEveryProcessAndTheTimesTenDaemonWhenStopallAndStartallRun() {
    lab.state.set(LabFixture.OCMS1, "timesten", "replicationScheme", "OCMS_REP.REPSCHEME");
    lab.state.set(LabFixture.OCMS1, "timesten", "repPolicy", "always");

    assertThat(run(LabFixture.OCMS1, OPMNCTL + " stopall").stdout())
        .isEqualTo("opmnctl stopall: stopping opmn and all managed processes...\n");
    assertThat(run(LabFixture.OCMS1, OPMNCTL + " status").stdout()).isEqualTo("Unable to connect to opmn.\nOpmn may not be up.\n");
    assertThat(run(LabFixture.OCMS2, "opmnctl @cluster status").stdout()).doesNotContain("ocms-1.site1");
    assertThat(run(LabFixture.OCMS1, OPMNCTL + " reload").exitCode()).isEqualTo(2);
    assertThat(lab.state.attribute(LabFixture.OCMS1, "timesten", "daemon")).isEqualTo("STOPPED");

    run(LabFixture.OCMS1, OPMNCTL + " startall");
    assertThat(lab.state.state(LabFixture.OCMS1, "proc-ocms")).isEqualTo("Alive");
    assertThat(lab.state.attribute(LabFixture.OCMS1, "timesten", "replicationAgent"))
        .as("repPolicy always starts the agent with TimesTen").isEqualTo("RUNNING");
    assertThat(lab.state.actionCount(LabFixture.OCMS1, "opmnctl startall")).isEqualTo(1);
  }

  @Test
  void shouldStopOneProcessByTypeOrComponentWhenStopprocRuns() {
    assertThat(run(LabFixture.OCMS2, "opmnctl stopproc process-type=ocms")).isEqualTo(new LabShell.Result(0, "opmnctl stopproc: stopping opmn managed processes...\n", ""));
    assertThat(run(LabFixture.OCMS2, "opmnctl stopproc ias-component=TIMESTEN").exitCode()).isZero();

    assertThat(run(LabFixture.OCMS2, "opmnctl status").stdout())
        .containsPattern("(?m)^OC4J +\\| ocms +\\| +N/A \\| Down$")
        .containsPattern("(?m)^EdgeProxy +\\| EdgeProxy +\\| +\\d+ \\| Alive$");
    assertThat(lab.state.attribute(LabFixture.OCMS2, "timesten", "daemon")).isEqualTo("STOPPED");
    assertThat(run(LabFixture.OCMS2, "opmnctl stopproc process-type=nothing").exitCode()).isEqualTo(2);
    run(LabFixture.OCMS2, "opmnctl startproc ias-component=TIMESTEN");
    assertThat(lab.state.state(LabFixture.OCMS2, "proc-timesten")).isEqualTo("Alive");
    assertThat(lab.state.actionCount(LabFixture.OCMS2, "opmnctl stopproc process-type=ocms")).isEqualTo(1);
  }

  private static final String TT_ISQL = "/opt/oracle/timesten/bin/ttIsql -connStr DSN=ocmsdb ";
  private static final String SQL = "/opt/oracle/ocms/sdp/replication/sql/";

  @Test
  void shouldCreateAndSeedTheReplicationTablesFromTheFileAsItIsOnTheHostWhenTtIsqlRunsThem() throws Exception {
    assertThat(run(LabFixture.OCMS1, TT_ISQL + "-f " + SQL + "replication.drop.timesten.sql").exitCode()).isZero();
    assertThat(run(LabFixture.OCMS1, TT_ISQL + "-f " + SQL + "replication.timesten.sql").stdout())
        .contains("Tables clusters, instances, cluster_instance_map, replication_params, replication_tables created.");
    assertThat(run(LabFixture.OCMS1, TT_ISQL + "-f " + SQL + "replication.timesten.sql").exitCode())
        .as("the tables exist").isEqualTo(1);

    run(LabFixture.OCMS1, TT_ISQL + "-f " + SQL + "seed_clusters_test_sync.sql");
    assertThat(lab.state.attribute(LabFixture.OCMS1, "timesten", "seededHosts")).isEqualTo("example");
    Path seed = lab.files.root(LabFixture.OCMS1).resolve(SQL.substring(1) + "seed_clusters_test_sync.sql");
    Files.writeString(seed, Files.readString(seed).replace("host1.example.com", "ocms-1.site1.ocms.lab")
        .replace("host2.example.com", "ocms-2.site1.ocms.lab"));
    run(LabFixture.OCMS1, TT_ISQL + "-f " + SQL + "seed_clusters_test_sync.sql");
    assertThat(lab.state.attribute(LabFixture.OCMS1, "timesten", "seededHosts")).isEqualTo("hosts");
    assertThat(lab.state.actionCount(LabFixture.OCMS1, "ttIsql seed_clusters_test_sync.sql")).isEqualTo(2);
  }

  @Test
  void shouldReportTheReplicationAgentWithItsProcessesWhenThePolicyIsAlwaysAndASchemeExists() {
    lab.state.set(LabFixture.OCMS1, "timesten", "replicationScheme", "OCMS_REP.REPSCHEME");
    assertThat(run(LabFixture.OCMS1, "ttStatus").stdout()).contains("Replication policy  : Manual")
        .contains("Replication agent is stopped.").doesNotContainPattern("(?m)^Replication +\\d+");

    assertThat(run(LabFixture.OCMS1, "/opt/oracle/timesten/bin/ttAdmin -repPolicy always ocmsdb").stdout())
        .contains("Replication Agent Policy        : always");
    run(LabFixture.OCMS1, "ttAdmin -repPolicy always ocmsdb");

    assertThat(run(LabFixture.OCMS1, "ttStatus").stdout()).containsPattern("(?m)^Replication +\\d+ +0x0000 +TRANSMITTER$")
        .contains("Replication policy  : Always").contains("Replication agent is running.");
    assertThat(run(LabFixture.OCMS1, TT_ISQL + "-e 'repschemes; quit'").stdout())
        .contains("Replication Scheme OCMS_REP.REPSCHEME:");
    assertThat(lab.state.actionCount(LabFixture.OCMS1, "ttAdmin -repPolicy always")).as("the second set nothing")
        .isEqualTo(1);
    for (String stop : List.of("ttAdmin -repStop ocmsdb", "ttAdmin -connstr dsn=ocmsdb -repStop",
        "ttAdmin -repStop -connstr dsn=ocmsdb")) {
      assertThat(run(LabFixture.OCMS1, stop).exitCode()).as(stop).isZero();
    }
    assertThat(lab.state.attribute(LabFixture.OCMS1, "timesten", "replicationAgent")).isEqualTo("STOPPED");
    assertThat(lab.state.actionCount(LabFixture.OCMS1, "ttAdmin -repStop")).isEqualTo(1);
  }

  @Test
  void shouldDestroyTheDataStoreOnlyWhenItsAgentIsStoppedWhenTtdestroyRuns() {
    lab.state.set(LabFixture.OCMS2, "timesten", "replicationAgent", "RUNNING");
    assertThat(run(LabFixture.OCMS2, "ttdestroy -connstr dsn=ocmsdb").exitCode()).isEqualTo(1);
    assertThat(lab.state.attribute(LabFixture.OCMS2, "timesten", "exists")).isEqualTo(true);

    run(LabFixture.OCMS2, "opmnctl stopproc ias-component=TIMESTEN");
    assertThat(run(LabFixture.OCMS2, "ttStatus").exitCode()).as("the daemon stopped with TIMESTEN").isEqualTo(1);
    run(LabFixture.OCMS2, "ttdaemonadmin -start");
    assertThat(run(LabFixture.OCMS2, "ttdestroy -connstr dsn=ocmsdb").exitCode()).isZero();

    assertThat(lab.state.attribute(LabFixture.OCMS2, "timesten", "exists")).isEqualTo(false);
    assertThat(run(LabFixture.OCMS2, TT_ISQL + "-e 'dssize; quit'").exitCode()).isEqualTo(1);
    assertThat(run(LabFixture.OCMS1, TT_ISQL + "-e 'dssize; quit'").stdout()).contains("PERM_ALLOCATED_SIZE:      262144");
    assertThat(lab.state.actionCount(LabFixture.OCMS2, "ttdestroy ocmsdb")).isEqualTo(1);
  }
  private static final String RECEIVERS = "ttRepAdmin -receiver -list -connStr DSN=ocmsdb";

  /** Both data stores replicating, as D2 leaves them. */
  private void replicateBoth() {
    for (String node : List.of(LabFixture.OCMS1, LabFixture.OCMS2)) {
      lab.state.set(node, "timesten", "replicationScheme", "OCMS_REP.REPSCHEME");
      lab.state.set(node, "timesten", "repPolicy", "always");
      lab.state.set(node, "timesten", "replicationAgent", "RUNNING");
    }
  }

  private static LabSteps.Input answers(String... lines) {
    List<String> queue = new ArrayList<>(List.of(lines));
    return output -> queue.isEmpty() ? null : queue.remove(0);
  }

  @Test
  void shouldHoldAPeerFailedUntilItIsRecoveredWhenItComesBackAfterAnOutageLongerThanTheThreshold() {
    replicateBoth();
    assertThat(run(LabFixture.OCMS1, RECEIVERS).stdout())
        .containsPattern("(?m)^OCMSDB +OCMS-2\\.SITE1\\.OCMS\\.LAB +Auto +Start +24$");
    run(LabFixture.OCMS2, "opmnctl stopproc ias-component=TIMESTEN");
    lab.state.set(LabFixture.OCMS2, "timesten", "outageMinutes", 90);
    run(LabFixture.OCMS2, "opmnctl startproc ias-component=TIMESTEN");

    assertThat(lab.state.attribute(LabFixture.OCMS2, "timesten", "replicationAgent")).isEqualTo("RUNNING");
    assertThat(run(LabFixture.OCMS1, RECEIVERS).stdout()).as("the survivor holds it Failed")
        .containsPattern("(?m)^OCMSDB +OCMS-2\\.SITE1\\.OCMS\\.LAB +Auto +Failed +24$");
    String recover = "perl /opt/oracle/ocms/sdp/replication/bin/recover_replication_sync.pl";
    assertThat(run(LabFixture.OCMS2, recover).exitCode()).as("no host name given").isNotZero();
    LabShell.Result running = lab.shell.execute(LabFixture.OCMS2, recover, answers("ocms-2.site1.ocms.lab"));
    assertThat(running.stdout()).contains("Enter the fully qualified host name of this computer: ")
        .contains("replication agent of the data store is running");
    run(LabFixture.OCMS2, "ttAdmin -repPolicy manual ocmsdb");
    run(LabFixture.OCMS2, "ttAdmin -connstr dsn=ocmsdb -repStop");
    LabShell.Result recovered = lab.shell.execute(LabFixture.OCMS2, recover, answers("ocms-2.site1.ocms.lab"));

    assertThat(recovered.exitCode()).isZero();
    assertThat(recovered.stdout()).endsWith("Data store ocmsdb recovered\n");
    assertThat(run(LabFixture.OCMS1, RECEIVERS).stdout()).contains(" Start ").doesNotContain("Failed");
    assertThat(lab.state.actionCount(LabFixture.OCMS2, "recover_replication_sync.pl")).isEqualTo(1);
  }

  @Test
  void shouldCatchUpWithoutRecoveryWhenTheOutageWasShorterThanTheThreshold() {
    replicateBoth();
    run(LabFixture.OCMS2, "opmnctl stopproc ias-component=TIMESTEN");
    lab.state.set(LabFixture.OCMS2, "timesten", "outageMinutes", 5);
    assertThat(run(LabFixture.OCMS1, RECEIVERS).stdout()).contains(" Start ");

    run(LabFixture.OCMS2, "opmnctl startproc ias-component=TIMESTEN");

    assertThat(lab.state.attribute(LabFixture.OCMS2, "timesten", "replicationSync")).isEqualTo("in-sync");
    assertThat(run(LabFixture.OCMS2, "ttStatus").stdout()).contains("Replication agent is running.");
  }

  @Test
  void shouldRefuseConnectionsUntilForceConnectIsSetWhenTheMasterNeedsCatchup() throws Exception {
    replicateBoth();
    lab.state.set(LabFixture.OCMS1, "timesten", "masterCatchup", true);

    assertThat(run(LabFixture.OCMS1, TT_ISQL + "-e 'repschemes; quit'"))
        .isEqualTo(new LabShell.Result(1, "Master Catchup Required. New Connections are not allowed.\n", ""));
    LabSteps.Input host = answers("ocms-1.site1.ocms.lab");
    assertThat(lab.shell.execute(LabFixture.OCMS1, "/opt/oracle/ocms/sdp/replication/bin/create_replication_sync.pl", host)
        .stdout()).contains("Master Catchup Required.");
    Path ini = lab.files.root(LabFixture.OCMS1).resolve("opt/oracle/timesten/info/sys.odbc.ini");
    Files.writeString(ini, Files.readString(ini).replace("PermSize=256", "PermSize=256\nForceConnect=1"));
    assertThat(run(LabFixture.OCMS1, TT_ISQL + "-e 'repschemes; quit'").exitCode()).isZero();
    assertThat(lab.shell.execute(LabFixture.OCMS1, "create_replication_sync.pl", answers("ocms-1.site1.ocms.lab"))
        .exitCode()).isZero();

    assertThat(lab.state.attribute(LabFixture.OCMS1, "timesten", "masterCatchup")).isEqualTo(false);
  }

  private static final String TOPOLOGY = "<topology>\n         <discover list=\"*225.0.0.20:6200\"/>\n      </topology>";

  private void topology(String host, boolean commentedOut) throws Exception {
    Path file = lab.files.root(host).resolve(OPMN_XML);
    String text = Files.readString(file);
    Files.writeString(file, commentedOut ? text.replace(TOPOLOGY, "<!-- " + TOPOLOGY + " -->")
        : text.replace("<!-- " + TOPOLOGY + " -->", TOPOLOGY));
  }

  private Object nodesOutPeak(String host) {
    return lab.state.attribute(host, "opmn", "nodesOutOfClusterPeak");
  }

  @Test
  void shouldUpgradeTheApplicationOnlyOnAContainerOutOfTheClusterAndRecordTheNodesOutAtOnceWhenD5StepsRun() throws Exception {
    LabConsoles consoles = new LabConsoles(lab.state,
        new LabSites(lab.lab, lab.topology, lab.state, lab.faults, null));
    assertThat(run(LabFixture.OCMS1, "/opt/dr/bin/ocms-app-version").stdout()).isEqualTo("subscriber-services 1.0\n");
    assertThatThrownBy(() -> consoles.act(LabFixture.OCMS1, "sip-application", "upgrade", "operator"))
        .as("still in the cluster").hasMessageContaining("out of the cluster");

    // steps 1-3: shutdown, <topology> commented out, startall: the node runs alone
    assertThat(run(LabFixture.OCMS1, OPMNCTL + " shutdown").stdout())
        .isEqualTo("opmnctl shutdown: stopping opmn and all managed processes...\n");
    assertThat(lab.state.state(LabFixture.OCMS1, "proc-ocms")).isEqualTo("Down");
    assertThat(nodesOutPeak(LabFixture.OCMS2)).isEqualTo(1);
    topology(LabFixture.OCMS1, true);
    assertThatThrownBy(() -> consoles.act(LabFixture.OCMS1, "sip-application", "upgrade", "operator"))
        .as("OPMN down").hasMessageContaining("out of the cluster");
    run(LabFixture.OCMS1, OPMNCTL + " startall");
    assertThat(lab.state.attribute(LabFixture.OCMS1, "opmn", "discover")).isEqualTo("");
    assertThat(run(LabFixture.OCMS2, "opmnctl @cluster status").stdout()).doesNotContain("ocms-1.site1");
    assertThat(run(LabFixture.OCMS1, "opmnctl @cluster status").stdout()).doesNotContain("ocms-2.site1");

    // step 4 on the console, then steps 5-7 put it back
    consoles.act(LabFixture.OCMS1, "sip-application", "upgrade", "operator");
    assertThat(run(LabFixture.OCMS1, "ocms-app-version").stdout()).isEqualTo("subscriber-services 1.1\n");
    assertThatThrownBy(() -> consoles.act(LabFixture.OCMS1, "sip-application", "upgrade", "operator"))
        .as("at the new version already").hasMessageContaining("version 1.1 already");
    run(LabFixture.OCMS1, OPMNCTL + " shutdown");
    topology(LabFixture.OCMS1, false);
    run(LabFixture.OCMS1, OPMNCTL + " startall");
    assertThat(run(LabFixture.OCMS2, "opmnctl @cluster status").stdout()).contains("ocms-1.site1");
    assertThat(lab.state.actionCount(LabFixture.OCMS1, "opmnctl shutdown")).isEqualTo(2);
    assertThat(lab.state.actionCount(LabFixture.OCMS1, "console sip-application upgrade")).isEqualTo(1);
    assertThat(nodesOutPeak(LabFixture.OCMS1)).as("one node out at a time").isEqualTo(1);

    // both nodes stopped at once: the peak says so on every node
    run(LabFixture.OCMS1, OPMNCTL + " stopall");
    run(LabFixture.OCMS2, OPMNCTL + " shutdown");
    assertThat(nodesOutPeak(LabFixture.OCMS1)).isEqualTo(2);
    assertThat(nodesOutPeak(LabFixture.OCMS2)).isEqualTo(2);
  }
}
