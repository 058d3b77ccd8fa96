package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.OpenSsh;
import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.ssh.CommandCatalog;
import io.drrunbook.connectors.ssh.CommandSpec;
import io.drrunbook.connectors.ssh.SshCommandRunner;
import io.drrunbook.connectors.ssh.SshExecConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A benchmark, not a timed test (it asserts only what the steps did): the time of one ssh-exec
 * step (check, act, verify: three commands) on a lab host with the session pool, without it (one
 * session per command), and the same three command lines through the OpenSSH client (one connection
 * each) when {@code ssh} is installed. Runs only when asked:
 * {@code mvn -q -Ddr.skipModelChecks -Dtest=SshStepBenchmarkTest -Ddr.benchmark.ssh-steps=50 test}.
 */
@EnabledIfSystemProperty(named = "dr.benchmark.ssh-steps", matches = "\\d+")
class SshStepBenchmarkTest {

  private static final Logger log = LoggerFactory.getLogger(SshStepBenchmarkTest.class);
  private static final String HOST = "site2.cs-mgmt";
  private static final String APP = "scs-master";
  private static final String CTL = "/opt/dr/bin/genesys-ctl ";
  private static final Duration LIMIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private TestDnsResponder dns;
  private LabFixture lab;
  private final SecretMasker masker = new SecretMasker();
  private final CommandCatalog catalog = new CommandCatalog();

  @BeforeEach
  void startLab() throws Exception {
    dns = new TestDnsResponder();
    lab = new LabFixture(dir, dns.port(), Map.of());
    // as config/commands.yaml gives genesys-app-start and -stop
    for (String action : List.of("start", "stop")) {
      String state = action.equals("start") ? "RUNNING" : "STOPPED";
      catalog.put("app-" + action, new CommandSpec(CTL + "status {app}", "(?m)^{app} " + state + "$",
          CTL + action + " {app}", CTL + "status {app}", "(?m)^{app} " + state + "$", LIMIT, null));
    }
  }

  @AfterEach
  void stopLab() throws Exception {
    lab.close();
    dns.close();
  }

  @Test
  void shouldPrintTheTimeOfOneStepWithAndWithoutThePoolAndWithOpenSsh() throws Exception {
    int steps = Integer.getInteger("dr.benchmark.ssh-steps");
    SshCommandRunner pooled = lab.connectorRunner(masker);
    connectorSteps(pooled, 10);
    double[] withPool = connectorSteps(pooled, steps);
    pooled.close();
    int sessionsWithPool = sessions();

    lab.topology.properties().getSsh().getPool().setEnabled(false);
    SshCommandRunner unpooled = lab.connectorRunner(masker);
    double[] withoutPool = connectorSteps(unpooled, steps);
    unpooled.close();
    int sessionsWithoutPool = sessions() - sessionsWithPool;

    StringBuilder report = new StringBuilder("\nssh-exec step (check, act, verify) on the lab, "
        + steps + " steps each, ms:\n");
    report.append(line("pool", withPool)).append(line("no pool", withoutPool));
    if (Files.isExecutable(OpenSsh.CLIENT)) {
      opensshSteps(3);
      report.append(line("OpenSSH ssh", opensshSteps(steps)));
    } else {
      report.append("OpenSSH ssh: not installed (apt-get install openssh-client)\n");
    }
    report.append("lab sessions: pool ").append(sessionsWithPool).append(", no pool ")
        .append(sessionsWithoutPool).append('\n');
    log.info(report.toString());

    assertThat(sessionsWithPool).isEqualTo(1);
    assertThat(sessionsWithoutPool).isEqualTo(3 * steps);
  }

  private int sessions() {
    return lab.hosts.sessionsOpened().getOrDefault(HOST, 0);
  }

  /** Starts and stops the app in turn, so that every step runs its act; each step's time in ms. */
  private double[] connectorSteps(SshCommandRunner runner, int steps) {
    SshExecConnector connector = new SshExecConnector(catalog, runner, masker);
    double[] times = new double[steps];
    for (int i = 0; i < steps; i++) {
      String action = lab.state.state(HOST, APP).equals("RUNNING") ? "stop" : "start";
      long started = System.nanoTime();
      Map<String, Object> result = connector.execute(Map.of("host", HOST, "command", "app-" + action,
          "app", APP));
      times[i] = (System.nanoTime() - started) / 1e6;
      assertThat(result).containsEntry("changed", true);
    }
    return times;
  }

  /** The same three command lines per step, each through a new OpenSSH connection. */
  private double[] opensshSteps(int steps) throws Exception {
    double[] times = new double[steps];
    for (int i = 0; i < steps; i++) {
      String action = lab.state.state(HOST, APP).equals("RUNNING") ? "stop" : "start";
      long started = System.nanoTime();
      for (String line : List.of(CTL + "status '" + APP + "'", CTL + action + " '" + APP + "'",
          CTL + "status '" + APP + "'")) {
        openssh(line);
      }
      times[i] = (System.nanoTime() - started) / 1e6;
    }
    return times;
  }

  private void openssh(String commandLine) throws Exception {
    OpenSsh.Result ssh = OpenSsh.run(lab.keys.knownHostsFile(), lab.keys.privateKeyFile(),
        LabFixture.USER, "127.0.0.1", lab.hosts.port(HOST), commandLine);
    assertThat(ssh.exitCode()).as(ssh.output()).isZero();
  }


  private static String line(String name, double[] times) {
    double[] sorted = times.clone();
    Arrays.sort(sorted);
    double mean = Arrays.stream(times).average().orElse(0);
    return String.format("%-12s mean %7.1f  median %7.1f  p90 %7.1f%n", name, mean,
        sorted[sorted.length / 2], sorted[(int) Math.min(sorted.length - 1, sorted.length * 0.9)]);
  }
}
