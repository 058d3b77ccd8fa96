package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.ssh.CommandCatalog;
import io.drrunbook.connectors.ssh.CommandSpec;
import io.drrunbook.connectors.ssh.SshCommandException;
import io.drrunbook.connectors.ssh.SshCommandRunner;
import io.drrunbook.connectors.ssh.SshExecConnector;
import io.drrunbook.lab.faults.Fault;
import io.drrunbook.lab.faults.FaultRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SSH connector's session pool against the lab's simulated hosts: the steps of a run on one host
 * share one SSH connection (counted by the host's server), and the lab's {@code host-key-changed}
 * and {@code unreachable} faults end the pooled session: a changed key is refused, a host that comes
 * back gets a new session. Asserts the state the steps leave in the lab.
 */
class SshSessionPoolLabTest {

  private static final String MGMT2 = "site2.cs-mgmt";
  private static final String START = "genesys-app-start";
  private static final Duration LIMIT = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  private TestDnsResponder dns;
  private LabFixture lab;
  private SshCommandRunner runner;
  private SshExecConnector connector;

  @BeforeEach
  void startLab() throws Exception {
    dns = new TestDnsResponder();
    lab = new LabFixture(dir, dns.port(), Map.of());
    SecretMasker masker = new SecretMasker();
    runner = lab.connectorRunner(masker);
    CommandCatalog catalog = new CommandCatalog();
    // as config/commands.yaml gives it
    catalog.put(START, new CommandSpec("/opt/dr/bin/genesys-ctl status {app}", "(?m)^{app} RUNNING$",
        "/opt/dr/bin/genesys-ctl start {app}", "/opt/dr/bin/genesys-ctl status {app}",
        "(?m)^{app} RUNNING$", LIMIT, null));
    connector = new SshExecConnector(catalog, runner, masker);
  }

  @AfterEach
  void stopLab() throws Exception {
    runner.close();
    lab.close();
    dns.close();
  }

  private Map<String, Object> start(String app) {
    return connector.execute(Map.of("host", MGMT2, "command", START, "app", app));
  }

  private int sessions() {
    return lab.hosts.sessionsOpened().getOrDefault(MGMT2, 0);
  }

  @Test
  void shouldShareOneSessionWhenTwoStepsRunCheckActAndVerifyOnTheSameHost() {
    start("confserv-master-pair");
    start("scs-master");

    assertThat(sessions()).isEqualTo(1);
    assertThat(lab.state.commandLog(MGMT2)).hasSize(6);
    assertThat(lab.state.state(MGMT2, "confserv-master-pair")).isEqualTo("RUNNING");
    assertThat(lab.state.state(MGMT2, "scs-master")).isEqualTo("RUNNING");
  }

  @Test
  void shouldRefuseTheHostAndDropItsSessionWhenItsHostKeyChanges() {
    start("confserv-master-pair");
    Fault changed = lab.faults.add(FaultRequest.of("host-key-changed", MGMT2));

    assertThatThrownBy(() -> start("scs-master"))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining(MGMT2)
        .hasMessageContaining("host key CHANGED");
    assertThat(runner.pooledSessions()).isZero();
    assertThat(lab.state.state(MGMT2, "scs-master")).isEqualTo("STOPPED");
    assertThat(lab.state.commandLog(MGMT2)).hasSize(3);

    lab.faults.remove(changed.id());
    start("scs-master");

    assertThat(lab.state.state(MGMT2, "scs-master")).isEqualTo("RUNNING");
    assertThat(sessions()).as("the first, the refused one, the new one").isEqualTo(3);
  }

  @Test
  void shouldOpenANewSessionWhenTheHostComesBackAfterBeingUnreachable() {
    start("confserv-master-pair");
    Fault down = lab.faults.add(FaultRequest.of("unreachable", MGMT2));

    assertThatThrownBy(() -> start("scs-master"))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining(MGMT2)
        .hasMessageContaining("connection refused");
    assertThat(runner.pooledSessions()).isZero();

    lab.faults.remove(down.id());
    start("scs-master");
    start("scs-master");

    assertThat(lab.state.state(MGMT2, "scs-master")).isEqualTo("RUNNING");
    assertThat(sessions()).as("the first and one after the host came back").isEqualTo(2);
    assertThat(runner.pooledSessions()).isEqualTo(1);
  }
}
