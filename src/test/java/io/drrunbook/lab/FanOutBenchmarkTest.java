package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.ssh.CommandCatalog;
import io.drrunbook.connectors.ssh.CommandSpec;
import io.drrunbook.connectors.ssh.SshCommandRunner;
import io.drrunbook.connectors.ssh.SshExecConnector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A benchmark, not a timed test (it asserts only what the hosts answered and received): one
 * read-only command ({@code cs-proxy-ctl status}, A1's proxy status check) on N lab proxies at once,
 * through the ssh-exec connector (N parallel steps, as a multi-instance block runs them) and through
 * Ansible's {@code raw} module with {@code forks = N}, each twice: cold (no session or connection
 * yet) and warm (the connector's session pool, Ansible's OpenSSH ControlPersist masters). Runs only
 * when asked: {@code mvn -q -Ddr.skipModelChecks -Dtest=FanOutBenchmarkTest
 * -Ddr.benchmark.fan-out=50 test}; Ansible is left out (and said so) when {@code ansible} is not
 * installed ({@code apt-get install ansible-core}).
 */
@EnabledIfSystemProperty(named = "dr.benchmark.fan-out", matches = "\\d+")
class FanOutBenchmarkTest {

  private static final Logger log = LoggerFactory.getLogger(FanOutBenchmarkTest.class);
  private static final String STATUS = "/opt/dr/bin/cs-proxy-ctl status";
  private static final Path ANSIBLE = Path.of("/usr/bin/ansible");

  @TempDir
  Path dir;

  private TestDnsResponder dns;
  private LabFixture lab;
  private int hosts;
  private final SecretMasker masker = new SecretMasker();
  private final CommandCatalog catalog = new CommandCatalog();

  @BeforeEach
  void startLab() throws Exception {
    hosts = Integer.getInteger("dr.benchmark.fan-out");
    dns = new TestDnsResponder();
    lab = new LabFixture(dir, dns.port(), Map.of(), false, hosts);
    // as config/commands.yaml gives cs-proxy-status-check (verify only: reads, changes nothing)
    catalog.put("proxy-status", new CommandSpec(null, null, null, STATUS, "(?m)^connected-to \\S+$",
        Duration.ofSeconds(60), null));
  }

  @AfterEach
  void stopLab() throws Exception {
    lab.close();
    dns.close();
  }

  @Test
  void shouldPrintTheTimeOfOneCommandOnNHostsThroughTheConnectorAndThroughAnsible() throws Exception {
    List<String> proxies = IntStream.rangeClosed(1, hosts).mapToObj(n -> "site2.cs-proxy-" + n).toList();
    StringBuilder report = new StringBuilder("\nfan-out of '" + STATUS + "' to " + hosts
        + " lab hosts, wall time ms:\n");

    // a running application has its code compiled: a first round, on sessions thrown away after it,
    // so that "cold" means new sessions (as Ansible's new connections), not a cold JIT
    SshCommandRunner warmUp = lab.connectorRunner(masker);
    connectorFanOut(warmUp, proxies);
    warmUp.close();
    int warmUpSessions = sessions(proxies);
    SshCommandRunner runner = lab.connectorRunner(masker);
    double connectorCold = connectorFanOut(runner, proxies);
    double connectorWarm = connectorFanOut(runner, proxies);
    runner.close();
    report.append(String.format("ssh-exec connector, %d parallel steps: cold %8.1f  warm %8.1f%n",
        hosts, connectorCold, connectorWarm));
    assertThat(sessions(proxies) - warmUpSessions)
        .as("one pooled session per host, reused by the warm round").isEqualTo(hosts);

    if (Files.isExecutable(ANSIBLE)) {
      Path inventory = inventory(proxies);
      double ansibleCold = ansibleFanOut(inventory);
      double ansibleWarm = ansibleFanOut(inventory);
      report.append(String.format("ansible raw, forks %d:                cold %8.1f  warm %8.1f%n",
          hosts, ansibleCold, ansibleWarm));
      report.append(String.format("connector / ansible:                 cold %8.2fx warm %8.2fx%n",
          connectorCold / ansibleCold, connectorWarm / ansibleWarm));
    } else {
      report.append("ansible: not installed (apt-get install ansible-core)\n");
    }
    log.info(report.toString());
    // every host received the command once per round and per client, and nothing else
    int rounds = Files.isExecutable(ANSIBLE) ? 5 : 3;
    proxies.forEach(proxy -> assertThat(lab.state.commandLog(proxy)).as(proxy)
        .hasSize(rounds).allSatisfy(command -> assertThat(command.command()).isEqualTo(STATUS)));
  }

  private int sessions(List<String> proxies) {
    return proxies.stream().mapToInt(proxy -> lab.hosts.sessionsOpened().getOrDefault(proxy, 0)).sum();
  }

  private double connectorFanOut(SshCommandRunner runner, List<String> proxies) throws Exception {
    SshExecConnector connector = new SshExecConnector(catalog, runner, masker);
    ExecutorService steps = Executors.newFixedThreadPool(proxies.size());
    try {
      long started = System.nanoTime();
      List<Future<Map<String, Object>>> results = new ArrayList<>();
      for (String proxy : proxies) {
        results.add(steps.submit(() -> connector.execute(Map.of("host", proxy, "command", "proxy-status"))));
      }
      for (Future<Map<String, Object>> result : results) {
        assertThat(result.get(2, TimeUnit.MINUTES)).containsEntry("changed", false);
      }
      return (System.nanoTime() - started) / 1e6;
    } finally {
      steps.shutdownNow();
    }
  }

  /** Every proxy as an Ansible host: its port, the lab's key, strict checking against the lab's known_hosts. */
  private Path inventory(List<String> proxies) throws Exception {
    StringBuilder ini = new StringBuilder("[proxies]\n");
    for (String proxy : proxies) {
      ini.append(proxy).append(" ansible_host=127.0.0.1 ansible_port=").append(lab.hosts.port(proxy))
          .append('\n');
    }
    ini.append("[proxies:vars]\nansible_user=").append(LabFixture.USER)
        .append("\nansible_ssh_private_key_file=").append(lab.keys.privateKeyFile())
        .append("\nansible_ssh_common_args='-F /dev/null -o StrictHostKeyChecking=yes -o UserKnownHostsFile=")
        .append(lab.keys.knownHostsFile()).append(" -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes'\n");
    Path file = dir.resolve("inventory.ini");
    Files.writeString(file, ini.toString());
    return file;
  }

  private double ansibleFanOut(Path inventory) throws Exception {
    ProcessBuilder ansible = new ProcessBuilder(ANSIBLE.toString(), "proxies", "-i", inventory.toString(),
        "-m", "raw", "-a", STATUS, "-f", String.valueOf(hosts), "-o").redirectErrorStream(true);
    ansible.environment().put("ANSIBLE_HOST_KEY_CHECKING", "True");
    ansible.environment().put("ANSIBLE_LOCAL_TEMP", dir.resolve("ansible-tmp").toString());
    ansible.environment().put("ANSIBLE_SSH_CONTROL_PATH_DIR", dir.resolve("ansible-cp").toString());
    ansible.environment().put("ANSIBLE_NOCOLOR", "1");
    long started = System.nanoTime();
    Process process = ansible.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    double elapsed = (System.nanoTime() - started) / 1e6;
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output.lines().filter(line -> line.contains("CHANGED") || line.contains("SUCCESS")).count())
        .as(output).isEqualTo(hosts);
    return elapsed;
  }
}
