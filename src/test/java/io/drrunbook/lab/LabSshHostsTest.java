package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The simulated hosts over real SSH: authentication, the lab shell, and the state the commands leave. */
class LabSshHostsTest {

  private static final String MGMT1 = "site1.cs-mgmt";
  private static final String MGMT2 = "site2.cs-mgmt";
  private static final String OGG1 = "site1.ogg";
  private static final String OGG2 = "site2.ogg";
  private static final String PROXY1 = "site1.cs-proxy-1";
  private static final String GENESYS_CTL = "/opt/dr/bin/genesys-ctl";

  @TempDir
  Path dir;

  private TestDnsResponder dns;
  private LabFixture lab;

  @BeforeEach
  void startLab() throws Exception {
    dns = new TestDnsResponder();
    lab = new LabFixture(dir, dns.port(), Map.of());
  }

  @AfterEach
  void stopLab() throws Exception {
    lab.close();
    dns.close();
  }

  @Test
  void shouldBindFreePortsAndWriteThemIntoTheTopologyWhenEphemeralPortsAreOn() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      lab.hosts.stop();
      lab.state.hosts().forEach(host -> lab.topology.host(host).getSsh().setPort(taken.getLocalPort()));
      lab.lab.setEphemeralPorts(true);

      lab.hosts.start();

      for (String host : lab.state.hosts()) {
        int port = lab.topology.host(host).getSsh().getPort();
        assertThat(port).as(host).isNotEqualTo(taken.getLocalPort()).isEqualTo(lab.hosts.port(host));
        assertThat(Files.readString(lab.keys.knownHostsFile())).contains("[127.0.0.1]:" + port + " ");
      }
      assertThat(lab.exec(MGMT1, GENESYS_CTL + " status scs-master").exitCode()).isZero();
    }
  }

  @Test
  void shouldExitWith127LikeDashWhenCommandIsUnknown() throws Exception {
    LabShell.Result result = lab.exec(MGMT1, "/opt/dr/bin/genesys-ctrl status scs-master");

    assertThat(result.exitCode()).isEqualTo(127);
    assertThat(result.stderr()).isEqualTo("sh: 1: /opt/dr/bin/genesys-ctrl: not found\n");
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void shouldExitWith127WhenCommandBelongsToAnotherRole() throws Exception {
    LabShell.Result result = lab.exec(OGG2, GENESYS_CTL + " status scs-master");

    assertThat(result.exitCode()).isEqualTo(127);
    assertThat(result.stderr()).isEqualTo("sh: 1: " + GENESYS_CTL + ": not found\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/opt/dr/bin/genesys-ctl status scs-master; rm -rf /",
      "/opt/dr/bin/genesys-ctl status scs-master | cat",
      "/opt/dr/bin/genesys-ctl status scs-master && echo ok",
      "/opt/dr/bin/genesys-ctl status scs-master > /tmp/x",
      "/opt/dr/bin/genesys-ctl status < /tmp/x",
      "/opt/dr/bin/genesys-ctl status `id`",
      "/opt/dr/bin/genesys-ctl status $(id)",
      "/opt/dr/bin/genesys-ctl status \"$(id)\"",
      "/opt/dr/bin/genesys-ctl status scs-master &"})
  void shouldRejectCommandWhenItContainsShellOperators(String commandLine) throws Exception {
    LabShell.Result result = lab.exec(MGMT1, commandLine);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).isEqualTo("lab shell: operators are not supported\n");
    assertThat(lab.state.actionCount(MGMT1, "genesys-ctl status scs-master")).isZero();
  }

  @Test
  void shouldPassArgumentIntactWhenItIsSingleQuoted() throws Exception {
    LabShell.Result quoted = lab.exec(MGMT1, "/opt/dr/bin/genesys-ctl status 'scs-master'");
    LabShell.Result injection = lab.exec(MGMT1, "/opt/dr/bin/genesys-ctl status 'x; rm'");
    LabShell.Result escapedQuote = lab.exec(MGMT1, "/opt/dr/bin/genesys-ctl status 'it'\\''s'");

    assertThat(quoted.exitCode()).isZero();
    assertThat(quoted.stdout()).isEqualTo("scs-master RUNNING\n");
    assertThat(injection.exitCode()).isEqualTo(2);
    assertThat(injection.stderr()).startsWith("genesys-ctl: unknown application 'x; rm'");
    assertThat(escapedQuote.exitCode()).isEqualTo(2);
    assertThat(escapedQuote.stderr()).startsWith("genesys-ctl: unknown application 'it's'");
  }

  @Test
  void shouldStartAppAndKeepItAcrossReloadWhenGenesysCtlStartsIt() throws Exception {
    LabShell.Result start = lab.exec(MGMT2, "/opt/dr/bin/genesys-ctl start confserv-master-pair");
    LabShell.Result again = lab.exec(MGMT2, "/opt/dr/bin/genesys-ctl start confserv-master-pair");
    LabShell.Result status = lab.exec(MGMT2, "/opt/dr/bin/genesys-ctl status confserv-master-pair");

    assertThat(start.exitCode()).isZero();
    assertThat(start.stdout()).endsWith("confserv-master-pair RUNNING\n");
    assertThat(again.stdout()).isEqualTo("confserv-master-pair already RUNNING\n");
    assertThat(status.stdout()).isEqualTo("confserv-master-pair RUNNING\n");
    LabState reloaded = new LabState(lab.lab, lab.topology, LabFixture.MODELS, LabFixture.CLOCK);
    assertThat(reloaded.state(MGMT2, "confserv-master-pair")).isEqualTo("RUNNING");
    assertThat(reloaded.state(MGMT2, "scs-master")).isEqualTo("STOPPED");
    assertThat(reloaded.commandLog(MGMT2)).hasSize(3);
  }

  @Test
  void shouldRejectUnknownAppWithExit2WhenGenesysCtlIsAskedForIt() throws Exception {
    LabShell.Result result = lab.exec(MGMT1, "/opt/dr/bin/genesys-ctl start confserv");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(lab.state.actionCount(MGMT1, "genesys-ctl start confserv")).isZero();
  }

  @Test
  void shouldPrintGgsciStatusWhenReplicationIsStopped() throws Exception {
    LabShell.Result stop = lab.exec(OGG2, "/opt/dr/bin/dr-replication stop site1-to-site2");
    LabShell.Result status = lab.exec(OGG2, "/opt/dr/bin/dr-replication status site1-to-site2");

    assertThat(stop.exitCode()).isZero();
    assertThat(stop.stdout()).endsWith("site1-to-site2 STOPPED\n");
    assertThat(status.exitCode()).isZero();
    assertThat(status.stdout()).isEqualTo("""
        site1-to-site2 STOPPED
        REPLICAT   RCFG12    Last Started 2026/11/20 10:00   Status STOPPED
        REPLICAT   RLOG12    Last Started 2026/11/20 10:00   Status STOPPED
        lag 0 seconds
        """);
    assertThat(status.stdout()).containsPattern("(?m)^site1-to-site2 STOPPED$");
    assertThat(lab.state.state("site2.ogg", "site1-to-site2")).isEqualTo("STOPPED");
  }

  @Test
  void shouldPrintRunningStatusWhenReplicationRuns() throws Exception {
    lab.state.set("site2.ogg", "site1-to-site2", "lagSeconds", 7);

    LabShell.Result status = lab.exec(OGG2, "/opt/dr/bin/dr-replication status site1-to-site2");

    assertThat(status.stdout()).isEqualTo("""
        site1-to-site2 RUNNING
        REPLICAT   RCFG12    Last Started 2026/11/20 10:00   Status RUNNING
        REPLICAT   RLOG12    Last Started 2026/11/20 10:00   Status RUNNING
        lag 7 seconds
        """);
  }

  @Test
  void shouldExit1WhenDirectionsReplicatsLiveOnAnotherHost() throws Exception {
    LabShell.Result result = lab.exec(OGG1, "/opt/dr/bin/dr-replication stop site1-to-site2");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stderr()).isEqualTo("no replicat for site1-to-site2 on this host\n");
    assertThat(lab.state.state("site2.ogg", "site1-to-site2")).isEqualTo("RUNNING");
  }

  @Test
  void shouldConnectProxyToSite2WhenSwitchoverResolvesToRunningMaster() throws Exception {
    lab.exec(MGMT2, "/opt/dr/bin/genesys-ctl start confserv-master-pair");
    dns.answer("cs-master.genesys.lab", "127.0.2.10");

    LabShell.Result switchover = lab.exec(PROXY1, "/opt/dr/bin/cs-switchover cs-master.genesys.lab");
    LabShell.Result status = lab.exec(PROXY1, "/opt/dr/bin/cs-proxy-ctl status");
    LabShell.Result getent = lab.exec(PROXY1, "getent hosts cs-master.genesys.lab");

    assertThat(switchover.exitCode()).isZero();
    assertThat(dns.queries()).isEqualTo(1);
    assertThat(status.stdout()).isEqualTo("""
        mode normal
        master cs-master.genesys.lab
        connected-to 127.0.2.10
        """);
    assertThat(getent.exitCode()).isZero();
    assertThat(getent.stdout()).isEqualTo("127.0.2.10  cs-master.genesys.lab\n");
    assertThat(proxy(lab.state, PROXY1))
        .isEqualTo(List.of("normal", "cs-master.genesys.lab", "127.0.2.10", "127.0.2.10"));
    assertThat(lab.state.attribute("site2.cs-proxy-1", "cs-proxy", "cachedAddress")).isEqualTo("127.0.1.10");
  }

  @Test
  void shouldEnterLimitedModeWhenSwitchoverResolvesToStoppedMaster() throws Exception {
    dns.answer("cs-master.genesys.lab", "127.0.2.10");

    LabShell.Result switchover = lab.exec(PROXY1, "/opt/dr/bin/cs-switchover cs-master.genesys.lab");
    LabShell.Result status = lab.exec(PROXY1, "/opt/dr/bin/cs-proxy-ctl status");

    assertThat(switchover.exitCode()).isZero();
    assertThat(switchover.stdout()).contains("limited mode");
    assertThat(status.stdout()).isEqualTo("""
        mode limited
        master cs-master.genesys.lab
        connected-to none
        """);
    assertThat(lab.state.attribute(PROXY1, "cs-proxy", "cachedAddress")).isEqualTo("127.0.2.10");
  }

  @Test
  void shouldLeaveProxyUnchangedWhenDnsServerIsUnreachable() throws Exception {
    int closedPort = dns.port();
    dns.close();

    LabShell.Result switchover = lab.exec(PROXY1, "/opt/dr/bin/cs-switchover cs-master.genesys.lab");

    assertThat(switchover.exitCode()).isEqualTo(1);
    assertThat(switchover.stderr()).startsWith("cs-switchover: DNS server 127.0.0.1:" + closedPort + " is unreachable");
    assertThat(proxy(lab.state, PROXY1))
        .isEqualTo(List.of("normal", "cs-master.genesys.lab", "127.0.1.10", "127.0.1.10"));
    assertThat(lab.state.actionCount(PROXY1, "cs-switchover cs-master.genesys.lab")).isEqualTo(1);
  }

  @Test
  void shouldAnswerGetentOnlyForTheMasterNameWhenAskedForHosts() throws Exception {
    LabShell.Result master = lab.exec(PROXY1, "getent hosts cs-master.genesys.lab");
    LabShell.Result other = lab.exec(PROXY1, "/usr/bin/getent hosts www.example.com");

    assertThat(master.exitCode()).isZero();
    assertThat(master.stdout()).isEqualTo("127.0.1.10  cs-master.genesys.lab\n");
    assertThat(other.exitCode()).isEqualTo(2);
    assertThat(other.stdout()).isEmpty();
  }

  @Test
  void shouldRefuseAuthenticationWhenUserIsWrong() {
    assertThatThrownBy(() -> lab.exec(MGMT1, "/opt/dr/bin/genesys-ctl status scs-master", "root", lab.clientKey()))
        .isInstanceOf(SshException.class)
        .hasMessageContaining("No more authentication methods available");
    assertThat(lab.state.commandLog(MGMT1)).isEmpty();
  }

  @Test
  void shouldRefuseAuthenticationWhenKeyIsWrong() throws Exception {
    KeyPair other = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);

    assertThatThrownBy(() -> lab.exec(MGMT1, "/opt/dr/bin/genesys-ctl status scs-master", LabFixture.USER, other))
        .isInstanceOf(SshException.class)
        .hasMessageContaining("No more authentication methods available");
    assertThat(lab.state.commandLog(MGMT1)).isEmpty();
  }

  @Test
  void shouldRefuseHostWhenKnownHostsHoldsAnotherKeyForIt() throws Exception {
    Map<String, java.net.InetSocketAddress> swapped = new java.util.LinkedHashMap<>();
    swapped.put(MGMT2, lab.hosts.endpoint(MGMT1));
    lab.keys.writeKnownHosts(swapped);

    assertThatThrownBy(() -> lab.exec(MGMT1, "/opt/dr/bin/genesys-ctl status scs-master"))
        .isInstanceOf(SshException.class)
        .hasMessageContaining("Server key did not validate");
    assertThat(lab.state.commandLog(MGMT1)).isEmpty();
  }

  @Test
  void shouldRecordCommandsAndCountStateChangingActionsWhenCommandsRun() throws Exception {
    lab.exec(MGMT2, "/opt/dr/bin/genesys-ctl status confserv-master-pair");
    lab.exec(MGMT2, "/opt/dr/bin/genesys-ctl start confserv-master-pair");
    lab.exec(MGMT2, "/opt/dr/bin/genesys-ctl start confserv-master-pair");
    lab.exec(MGMT2, "/opt/dr/bin/genesys-ctl stat confserv-master-pair");
    lab.exec(MGMT2, "nonsense");

    assertThat(lab.state.commandLog(MGMT2))
        .extracting(LabState.CommandRecord::command, LabState.CommandRecord::exitCode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("/opt/dr/bin/genesys-ctl status confserv-master-pair", 0),
            org.assertj.core.groups.Tuple.tuple("/opt/dr/bin/genesys-ctl start confserv-master-pair", 0),
            org.assertj.core.groups.Tuple.tuple("/opt/dr/bin/genesys-ctl start confserv-master-pair", 0),
            org.assertj.core.groups.Tuple.tuple("/opt/dr/bin/genesys-ctl stat confserv-master-pair", 2),
            org.assertj.core.groups.Tuple.tuple("nonsense", 127));
    assertThat(lab.state.actionCount(MGMT2, "genesys-ctl start confserv-master-pair")).isEqualTo(2);
    assertThat(lab.state.actionCount(MGMT2, "genesys-ctl status confserv-master-pair")).isZero();
    assertThat(lab.state.commandLog(MGMT1)).isEmpty();
  }

  @Test
  void shouldPersistStartBeforeDelayEndsWhenGenesysCtlIsSlow() throws Exception {
    lab.close();
    lab = new LabFixture(dir, dns.port(), Map.of("genesys-ctl", Duration.ofSeconds(7)));

    CompletableFuture<LabShell.Result> start = CompletableFuture.supplyAsync(() -> {
      try {
        return lab.exec(MGMT2, "/opt/dr/bin/genesys-ctl start scs-master");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    await().atMost(Duration.ofMillis(6000)).until(() ->
        new LabState(lab.lab, lab.topology, LabFixture.MODELS, LabFixture.CLOCK).state(MGMT2, "scs-master").equals("RUNNING"));
    assertThat(start).isNotDone();
    assertThat(start.get(LabFixture.TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).exitCode()).isZero();
  }

  @Test
  void shouldRestoreInitialStateWhenLabIsReset() throws Exception {
    lab.exec(MGMT1, "/opt/dr/bin/genesys-ctl stop confserv-master-pair");
    lab.exec(OGG2, "/opt/dr/bin/dr-replication stop site1-to-site2");
    assertThat(lab.state.state(PROXY1, "cs-proxy")).isEqualTo("limited");

    lab.state.reset();

    assertThat(lab.state.state(MGMT1, "confserv-master-pair")).isEqualTo("RUNNING");
    assertThat(lab.state.state("site2.ogg", "site1-to-site2")).isEqualTo("RUNNING");
    assertThat(proxy(lab.state, PROXY1))
        .isEqualTo(List.of("normal", "cs-master.genesys.lab", "127.0.1.10", "127.0.1.10"));
    assertThat(lab.state.commandLog(MGMT1)).isEmpty();
    assertThat(lab.state.actionCount(MGMT1, "genesys-ctl stop confserv-master-pair")).isZero();
    assertThat(new LabState(lab.lab, lab.topology, LabFixture.MODELS, LabFixture.CLOCK).state(MGMT1, "confserv-master-pair"))
        .isEqualTo("RUNNING");
  }

  /** A proxy as (mode, master, cached address, connected to). */
  private static List<Object> proxy(LabState state, String host) {
    LabState.ComponentView proxy = state.component(host, "cs-proxy");
    return java.util.Arrays.asList(proxy.state(), proxy.attributes().get("master"),
        proxy.attributes().get("cachedAddress"), proxy.attributes().get("connectedTo"));
  }
}
