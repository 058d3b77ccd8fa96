package io.drrunbook.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SSH transport against a real embedded server: output, exit status, host keys, auth. */
class SshCommandRunnerTest {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  @TempDir
  static Path dir;
  private static SshFixture ssh;
  private SshCommandRunner runner;

  @BeforeAll
  static void startServer() throws Exception {
    ssh = SshFixture.start(dir);
  }

  @AfterAll
  static void stopServer() throws Exception {
    ssh.close();
  }

  @BeforeEach
  void forgetCommands() {
    ssh.server.forgetReceivedCommands();
  }

  @AfterEach
  void closeRunner() {
    if (runner != null) {
      runner.close();
    }
  }

  @Test
  void shouldCaptureStdoutWhenTheCommandSucceeds() {
    runner = ssh.runner();

    CommandResult result = runner.run(SshFixture.HOST, "hello", "printf 'hello\\nworld\\n'", LIMIT);

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).isEqualTo("hello\nworld\n");
    assertThat(result.stderr()).isEmpty();
    assertThat(result.duration()).isPositive();
    assertThat(ssh.server.receivedCommands()).containsExactly("printf 'hello\\nworld\\n'");
  }

  @Test
  void shouldCaptureStderrSeparatelyWhenTheCommandWritesToBoth() {
    runner = ssh.runner();

    CommandResult result = runner.run(SshFixture.HOST, "both", "echo out; echo err >&2", LIMIT);

    assertThat(result.stdout()).isEqualTo("out\n");
    assertThat(result.stderr()).isEqualTo("err\n");
  }

  @Test
  void shouldReturnTheExitCodeWhenTheCommandExitsNonZero() {
    runner = ssh.runner();

    CommandResult result = runner.run(SshFixture.HOST, "fails", "echo nope >&2; exit 3", LIMIT);

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stderr()).isEqualTo("nope\n");
  }

  @Test
  void shouldKeepOnlyTheFirst64KiBWhenTheCommandPrintsMore() {
    runner = ssh.runner();

    CommandResult result = runner.run(SshFixture.HOST, "flood",
        "head -c 100000 /dev/zero | tr '\\0' 'a'", LIMIT);

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).startsWith("a".repeat(SshCommandRunner.MAX_OUTPUT_BYTES))
        .endsWith("[" + (100000 - SshCommandRunner.MAX_OUTPUT_BYTES) + " more bytes discarded]");
  }

  @Test
  void shouldRefuseTheServerWhenItsHostKeyIsNotInKnownHosts() throws Exception {
    Path empty = Files.writeString(dir.resolve("known_hosts.empty"), "");
    runner = ssh.runner(empty, ssh.clientKey, ssh.server.port());

    assertThatThrownBy(() -> runner.run(SshFixture.HOST, "hello", "echo hello", LIMIT))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining(SshFixture.HOST)
        .hasMessageContaining("127.0.0.1:" + ssh.server.port())
        .hasMessageContaining("host key not in known_hosts");
    assertThat(ssh.server.receivedCommands()).isEmpty();
    // the unknown key was not added either
    assertThat(Files.readString(empty)).isEmpty();
  }

  @Test
  void shouldRefuseTheServerWhenItsHostKeyChanged() throws Exception {
    Path stale = ssh.writeKnownHosts(dir.resolve("known_hosts.stale"),
        SshFixture.newEcKeyPair().getPublic());
    String before = Files.readString(stale);
    runner = ssh.runner(stale, ssh.clientKey, ssh.server.port());

    assertThatThrownBy(() -> runner.run(SshFixture.HOST, "hello", "echo hello", LIMIT))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining(SshFixture.HOST)
        .hasMessageContaining("host key CHANGED");
    assertThat(ssh.server.receivedCommands()).isEmpty();
    assertThat(Files.readString(stale)).isEqualTo(before);
  }

  @Test
  void shouldFailAuthenticationWhenTheClientKeyIsNotAuthorized() throws Exception {
    Path stranger = SshFixture.writePrivateKey(dir.resolve("id_stranger"), SshFixture.newEcKeyPair());
    runner = ssh.runner(ssh.knownHosts, stranger, ssh.server.port());

    assertThatThrownBy(() -> runner.run(SshFixture.HOST, "hello", "echo hello", LIMIT))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining(SshFixture.HOST)
        .hasMessageContaining("authentication failed");
    assertThat(ssh.server.receivedCommands()).isEmpty();
  }

  @Test
  void shouldReportConnectionRefusedWhenNothingListensOnThePort() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    runner = ssh.runner(ssh.knownHosts, ssh.clientKey, closedPort);

    assertThatThrownBy(() -> runner.run(SshFixture.HOST, "hello", "echo hello", LIMIT))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining(SshFixture.HOST + " (127.0.0.1:" + closedPort + ")")
        .hasMessageContaining("connection refused");
  }

  @Test
  void shouldAuthenticateAndRunNothingWhenProbing() {
    runner = ssh.runner();

    runner.probe(SshFixture.HOST, Duration.ofSeconds(5));

    assertThat(ssh.server.receivedCommands()).isEmpty();
  }

  @Test
  void shouldReportNoHandshakeWhenThePortIsNotAnSshServer() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      runner = ssh.runner(ssh.knownHosts, ssh.clientKey, silent.getLocalPort());

      assertThatThrownBy(() -> runner.run(SshFixture.HOST, "hello", "echo hello", LIMIT))
          .isInstanceOf(SshCommandException.class)
          .hasMessage(SshFixture.HOST + " (127.0.0.1:" + silent.getLocalPort() + "): no SSH "
              + "handshake within 5 s (the port answers, but not as an SSH server)");
    }
  }

  @Test
  void shouldNameTheMissingFileWhenThePrivateKeyCannotBeRead() {
    runner = ssh.runner(ssh.knownHosts, dir.resolve("no-such-key"), ssh.server.port());

    assertThatThrownBy(() -> runner.run(SshFixture.HOST, "hello", "echo hello", LIMIT))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining("no-such-key");
  }
}
