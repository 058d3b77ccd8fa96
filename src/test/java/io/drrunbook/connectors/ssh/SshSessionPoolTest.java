package io.drrunbook.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drrunbook.topology.TopologyProperties.SessionPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-host session pool of {@link SshCommandRunner} against a real embedded SSH server, which
 * counts the SSH sessions (connections) it accepts: one session serves a step's check, act and
 * verify and the next step; idle, failed, dropped and no longer trusted sessions are closed; the
 * bound per host holds under parallel commands.
 */
class SshSessionPoolTest {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  @TempDir
  static Path dir;
  private static SshFixture ssh;

  private final CommandCatalog catalog = new CommandCatalog();
  private SshCommandRunner runner;
  private Path knownHosts;

  @BeforeAll
  static void startServer() throws Exception {
    ssh = SshFixture.start(dir);
  }

  @AfterAll
  static void stopServer() throws Exception {
    ssh.close();
  }

  @BeforeEach
  void freshKnownHosts() throws Exception {
    ssh.server.forgetReceivedCommands();
    knownHosts = Files.copy(ssh.knownHosts, Files.createTempDirectory(dir, "kh").resolve("known_hosts"));
    catalog.put("state-stop", new CommandSpec(
        "cat {state}", "(?m)^STOPPED$", "echo STOPPED > {state}", "cat {state}", "(?m)^STOPPED$",
        null, null));
  }

  @AfterEach
  void closeRunner() {
    if (runner != null) {
      runner.close();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> ssh.server.sessionsOpen() == 0);
  }

  private SshCommandRunner runner(Consumer<SessionPool> pool) {
    runner = ssh.runner(knownHosts, pool);
    return runner;
  }

  @Test
  void shouldOpenOneSessionForCheckActAndVerifyWhenTwoStepsRunOnTheSameHost() throws Exception {
    SshExecConnector connector = new SshExecConnector(catalog, runner(pool -> { }), ssh.masker);
    Path first = Files.writeString(dir.resolve("first.state"), "RUNNING\n");
    Path second = Files.writeString(dir.resolve("second.state"), "RUNNING\n");
    int before = ssh.server.sessionsOpened();

    connector.execute(Map.of("host", SshFixture.HOST, "command", "state-stop", "state", first.toString()));

    assertThat(ssh.server.receivedCommands()).hasSize(3);
    assertThat(ssh.server.sessionsOpened() - before).as("sessions of check, act, verify").isEqualTo(1);

    connector.execute(Map.of("host", SshFixture.HOST, "command", "state-stop", "state", second.toString()));

    assertThat(ssh.server.receivedCommands()).hasSize(6);
    assertThat(ssh.server.sessionsOpened() - before).as("sessions of two steps").isEqualTo(1);
    assertThat(Files.readString(first)).isEqualTo("STOPPED\n");
    assertThat(Files.readString(second)).isEqualTo("STOPPED\n");
    assertThat(runner.pooledSessions()).isEqualTo(1);
  }

  @Test
  void shouldAgreeOnThePostQuantumMlKemHybridFirstWhenTheServerOffersIt() {
    int before = ssh.server.keyExchanges().size();

    assertThat(runner(pool -> { }).run(SshFixture.HOST, "echo", "echo kex", LIMIT).stdout()).isEqualTo("kex\n");

    // MINA's own order would agree on sntrup761x25519-sha512, the costlier post-quantum hybrid
    assertThat(ssh.server.keyExchanges().subList(before, ssh.server.keyExchanges().size()))
        .containsExactly(SshCommandRunner.PREFERRED_KEX);
  }

  @Test
  void shouldKeepEveryOtherKeyExchangeInMinasOrderAfterThePreferredOne() {
    List<KeyExchangeFactory> mina = ClientBuilder.builder()
        .build().getKeyExchangeFactories();
    List<String> ordered = SshCommandRunner.postQuantumFirst(mina).stream()
        .map(KeyExchangeFactory::getName).toList();
    List<String> minaNames = mina.stream().map(KeyExchangeFactory::getName).toList();

    assertThat(minaNames.get(0)).startsWith("sntrup761x25519");
    assertThat(ordered.get(0)).isEqualTo(SshCommandRunner.PREFERRED_KEX);
    assertThat(ordered.subList(1, ordered.size()))
        .containsExactlyElementsOf(minaNames.stream().filter(n -> !n.equals(SshCommandRunner.PREFERRED_KEX)).toList());
  }

  @Test
  void shouldOpenASessionPerCommandWhenThePoolIsDisabled() {
    runner(pool -> pool.setEnabled(false));
    int before = ssh.server.sessionsOpened();

    for (int i = 0; i < 3; i++) {
      assertThat(runner.run(SshFixture.HOST, "echo", "echo " + i, LIMIT).stdout()).isEqualTo(i + "\n");
    }

    assertThat(ssh.server.sessionsOpened() - before).isEqualTo(3);
    await().atMost(Duration.ofSeconds(5)).until(() -> ssh.server.sessionsOpen() == 0);
  }

  @Test
  void shouldCloseTheSessionWhenItStaysIdleLongerThanTheIdleTimeout() {
    runner(pool -> pool.setIdleTimeout(Duration.ofMillis(300)));
    int before = ssh.server.sessionsOpened();
    runner.run(SshFixture.HOST, "echo", "echo one", LIMIT);
    assertThat(ssh.server.sessionsOpen()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(5)).until(() -> ssh.server.sessionsOpen() == 0);

    assertThat(runner.pooledSessions()).isZero();
    assertThat(runner.run(SshFixture.HOST, "echo", "echo two", LIMIT).stdout()).isEqualTo("two\n");
    assertThat(ssh.server.sessionsOpened() - before).isEqualTo(2);
  }

  @Test
  void shouldNeverOpenMoreThanTheMaximumWhenFiftyCommandsRunInParallel() throws Exception {
    runner(pool -> pool.setMaxSessionsPerHost(2));
    ssh.server.forgetSessionsPeak();
    int before = ssh.server.sessionsOpened();
    ExecutorService steps = Executors.newFixedThreadPool(50);
    try {
      List<Future<CommandResult>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        String line = "sleep 0.05; echo " + i;
        results.add(steps.submit(() -> runner.run(SshFixture.HOST, "parallel", line, LIMIT)));
      }
      for (int i = 0; i < 50; i++) {
        CommandResult result = results.get(i).get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).isEqualTo(i + "\n");
      }
    } finally {
      steps.shutdownNow();
    }

    assertThat(ssh.server.receivedCommands()).hasSize(50);
    assertThat(ssh.server.sessionsPeak()).as("sessions open at once").isEqualTo(2);
    assertThat(ssh.server.sessionsOpened() - before).isEqualTo(2);
    assertThat(runner.pooledSessions()).isEqualTo(2);
  }

  @Test
  void shouldFailAfterTheAcquireTimeoutWhenTheOnlySessionStaysBusy() throws Exception {
    runner(pool -> {
      pool.setMaxSessionsPerHost(1);
      pool.setAcquireTimeout(Duration.ofMillis(300));
    });
    ExecutorService steps = Executors.newSingleThreadExecutor();
    try {
      Future<CommandResult> busy = steps.submit(() ->
          runner.run(SshFixture.HOST, "busy", "sleep 2; echo done", LIMIT));
      await().atMost(Duration.ofSeconds(5)).until(() -> ssh.server.receivedCommands().size() == 1);

      assertThatThrownBy(() -> runner.run(SshFixture.HOST, "echo", "echo late", LIMIT))
          .isInstanceOf(SshCommandException.class)
          .hasMessage(runner.describe(SshFixture.HOST) + ": all 1 SSH sessions of the host stayed"
              + " busy for 300 ms (dr.topology.ssh.pool.max-sessions-per-host)");
      assertThat(busy.get(10, TimeUnit.SECONDS).stdout()).isEqualTo("done\n");
    } finally {
      steps.shutdownNow();
    }
    assertThat(ssh.server.receivedCommands()).containsExactly("sleep 2; echo done");
  }

  @Test
  void shouldEndTheWaitForABusyHostsSessionWhenTheStepsTimeLimitInterruptsIt() throws Exception {
    // the default wait (minutes, for other steps' long commands) ends with the step's time limit,
    // which interrupts the step's call: the command then never reaches the host
    runner(pool -> pool.setMaxSessionsPerHost(1));
    ExecutorService steps = Executors.newSingleThreadExecutor();
    try {
      Future<CommandResult> busy = steps.submit(() ->
          runner.run(SshFixture.HOST, "busy", "sleep 2; echo done", LIMIT));
      await().atMost(Duration.ofSeconds(5)).until(() -> ssh.server.receivedCommands().size() == 1);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread waiting = new Thread(() -> {
        try {
          runner.run(SshFixture.HOST, "echo", "echo late", LIMIT);
        } catch (RuntimeException e) {
          failure.set(e);
        }
      });
      waiting.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> waiting.getState() == Thread.State.TIMED_WAITING);

      waiting.interrupt();
      waiting.join(5000);

      assertThat(waiting.isAlive()).isFalse();
      assertThat(failure.get()).isInstanceOf(SshCommandException.class)
          .hasMessage(runner.describe(SshFixture.HOST) + ": interrupted while waiting for an SSH session");
      assertThat(busy.get(10, TimeUnit.SECONDS).stdout()).isEqualTo("done\n");
    } finally {
      steps.shutdownNow();
    }
    assertThat(ssh.server.receivedCommands()).containsExactly("sleep 2; echo done");
  }

  @Test
  void shouldOpenANewSessionWhenTheCommandBeforeTimedOut() {
    runner(pool -> { });
    int before = ssh.server.sessionsOpened();

    assertThatThrownBy(() -> runner.run(SshFixture.HOST, "slow", "sleep 5", Duration.ofMillis(300)))
        .isInstanceOf(SshCommandTimeoutException.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> ssh.server.sessionsOpen() == 0);

    assertThat(runner.run(SshFixture.HOST, "echo", "echo after", LIMIT).stdout()).isEqualTo("after\n");
    assertThat(ssh.server.sessionsOpened() - before).isEqualTo(2);
  }

  @Test
  void shouldOpenANewSessionAndSucceedWhenTheServerDroppedThePooledOne() {
    runner(pool -> { });
    int before = ssh.server.sessionsOpened();
    runner.run(SshFixture.HOST, "echo", "echo before", LIMIT);

    ssh.server.dropSessions();
    CommandResult after = runner.run(SshFixture.HOST, "echo", "echo after", LIMIT);

    assertThat(after.stdout()).isEqualTo("after\n");
    assertThat(ssh.server.receivedCommands()).containsExactly("echo before", "echo after");
    assertThat(ssh.server.sessionsOpened() - before).isEqualTo(2);
  }

  @Test
  void shouldOpenANewSessionForAProbeWhenAPooledOneIsThere() {
    runner(pool -> { });
    int before = ssh.server.sessionsOpened();
    runner.run(SshFixture.HOST, "echo", "echo pooled", LIMIT);

    runner.probe(SshFixture.HOST, Duration.ofSeconds(5));

    assertThat(ssh.server.sessionsOpened() - before).isEqualTo(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> ssh.server.sessionsOpen() == 1);
    assertThat(runner.pooledSessions()).isEqualTo(1);
  }

  @Test
  void shouldProbeAnIdleSessionAndReuseItWhenItAnswersTheKeepAlive() {
    runner(pool -> pool.setProbeAfter(Duration.ZERO));
    int before = ssh.server.sessionsOpened();

    runner.run(SshFixture.HOST, "echo", "echo one", LIMIT);
    runner.run(SshFixture.HOST, "echo", "echo two", LIMIT);

    assertThat(ssh.server.sessionsOpened() - before).isEqualTo(1);
  }

  @Test
  void shouldCloseThePooledSessionAndRefuseTheHostWhenKnownHostsNoLongerHoldsItsKey()
      throws Exception {
    runner(pool -> { });
    runner.run(SshFixture.HOST, "echo", "echo trusted", LIMIT);
    assertThat(ssh.server.sessionsOpen()).isEqualTo(1);

    ssh.writeKnownHosts(knownHosts, SshFixture.newEcKeyPair().getPublic());
    Files.setLastModifiedTime(knownHosts, FileTime.from(Instant.now().plusSeconds(5)));

    assertThatThrownBy(() -> runner.run(SshFixture.HOST, "echo", "echo refused", LIMIT))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining(runner.describe(SshFixture.HOST))
        .hasMessageContaining("host key CHANGED");
    await().atMost(Duration.ofSeconds(5)).until(() -> ssh.server.sessionsOpen() == 0);
    assertThat(runner.pooledSessions()).isZero();
    assertThat(ssh.server.receivedCommands()).containsExactly("echo trusted");
  }
}
