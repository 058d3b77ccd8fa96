package io.drrunbook.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drrunbook.connectors.StepBusinessException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ssh-exec bean (check -> act -> verify) against a real embedded SSH server and real shell. */
class SshExecConnectorTest {

  @TempDir
  static Path dir;
  private static SshFixture ssh;

  private final CommandCatalog catalog = new CommandCatalog();
  private SshCommandRunner runner;
  private SshExecConnector connector;

  @BeforeAll
  static void startServer() throws Exception {
    ssh = SshFixture.start(dir);
  }

  @AfterAll
  static void stopServer() throws Exception {
    ssh.close();
  }

  @BeforeEach
  void newConnector() {
    ssh.server.forgetReceivedCommands();
    runner = ssh.runner();
    connector = new SshExecConnector(catalog, runner, ssh.masker);
    // a miniature of the lab's status scripts: the state is a file holding RUNNING or STOPPED
    catalog.put("state-stop", new CommandSpec(
        "cat {state}", "(?m)^STOPPED$", "echo STOPPED > {state}", "cat {state}", "(?m)^STOPPED$",
        null, null));
    catalog.put("state-claim-stop", new CommandSpec(
        null, null, "echo RUNNING > {state}", "cat {state}", "(?m)^STOPPED$", null, null));
    catalog.put("print", new CommandSpec(null, null, "printf '%s' {arg}", null, null, null, null));
    catalog.put("fail", new CommandSpec(null, null, "echo 'disk full' >&2; exit {code}", null, null,
        null, List.of(4)));
    catalog.put("wait", new CommandSpec(null, null, "sleep {seconds}", null, null, null, null));
    catalog.put("resolves", new CommandSpec(null, null, null, "printf '%s  %s\\n' {actual} {name}",
        "^{address}\\s", null, null));
  }

  /** A real shell dialog: asks a host name and a password on stdin, checks the password file. */
  private void putDialog(List<PromptSpec> prompts) {
    catalog.put("dialog", new CommandSpec(null, null,
        "printf 'Host name: '; read h; printf 'Password: '; read p; echo \"host $h\";"
            + " [ \"$p\" = \"$(cat {passwordFile})\" ] && echo 'password ok'", null, null, null, null,
        prompts, Duration.ofSeconds(3)));
  }

  @AfterEach
  void closeRunner() {
    runner.close();
  }

  @Test
  void shouldActOnceWhenTwoStepsRunTheSameActionOnTheSameHostAtOnce() throws Exception {
    // a slow act: without one action at a time, both checks find RUNNING and both act
    catalog.put("slow-stop", new CommandSpec(
        "cat {state}", "(?m)^STOPPED$", "sleep 1; echo STOPPED > {state}", "cat {state}",
        "(?m)^STOPPED$", null, null));
    Path state = Files.writeString(dir.resolve("overlapping.state"), "RUNNING\n");
    Map<String, Object> inputs = Map.of("host", SshFixture.HOST, "command", "slow-stop",
        "state", state.toString());
    ExecutorService steps = Executors.newFixedThreadPool(2);
    try {
      Future<Map<String, Object>> first = steps.submit(() -> connector.execute(inputs));
      Future<Map<String, Object>> second = steps.submit(() -> connector.execute(inputs));

      List<Object> changed = List.of(first.get(30, TimeUnit.SECONDS).get("changed"),
          second.get(30, TimeUnit.SECONDS).get("changed"));
      assertThat(changed).containsExactlyInAnyOrder(true, false);
    } finally {
      steps.shutdownNow();
    }
    String act = "sleep 1; echo STOPPED > '" + state + "'";
    assertThat(ssh.server.receivedCommands().stream().filter(act::equals)).hasSize(1);
    assertThat(Files.readString(state)).isEqualTo("STOPPED\n");
  }

  @Test
  void shouldLetAnOverlappingStepCheckWhileAStepThatFoundTheActionDoneVerifies() throws Exception {
    // the check finds the action done; the verify, another command, waits for a gate file
    catalog.put("gated-stop", new CommandSpec(
        "cat {state}", "(?m)^STOPPED$", "echo STOPPED > {state}",
        "while [ ! -f {gate} ]; do sleep 0.05; done; cat {state}", "(?m)^STOPPED$", null, null));
    Path state = Files.writeString(dir.resolve("done-overlap.state"), "STOPPED\n");
    Path gate = dir.resolve("done-overlap.gate");
    Map<String, Object> inputs = Map.of("host", SshFixture.HOST, "command", "gated-stop",
        "state", state.toString(), "gate", gate.toString());
    String check = "cat '" + state + "'";
    ExecutorService steps = Executors.newFixedThreadPool(2);
    try {
      Future<Map<String, Object>> first = steps.submit(() -> connector.execute(inputs));
      await().atMost(Duration.ofSeconds(10)).until(() -> ssh.server.receivedCommands().stream()
          .anyMatch(command -> command.startsWith("while")));
      Future<Map<String, Object>> second = steps.submit(() -> connector.execute(inputs));

      // only the check and the act hold the action's lock: the second step's check reaches the
      // host while the first one's verify still waits (inside the lock, it would wait for the gate)
      await().atMost(Duration.ofSeconds(10)).until(() ->
          ssh.server.receivedCommands().stream().filter(check::equals).count() == 2);
      assertThat(first).isNotDone();
      Files.createFile(gate);
      assertThat(first.get(30, TimeUnit.SECONDS)).containsEntry("changed", false);
      assertThat(second.get(30, TimeUnit.SECONDS)).containsEntry("changed", false);
    } finally {
      steps.shutdownNow();
    }
    assertThat(ssh.server.receivedCommands()).doesNotContain("echo STOPPED > '" + state + "'");
  }

  @Test
  void shouldAnswerARealShellsReadsOverStdinAndMaskTheSecretWhenTheEntryHasPrompts() throws Exception {
    Path passwordFile = ssh.dir.resolve("box.password");
    Files.writeString(passwordFile, "s3cret-of-the-box\n");
    putDialog(List.of(new PromptSpec("Host name: $", "{name}", null),
        new PromptSpec("Password: $", null, "box-password")));

    Map<String, Object> inputs = step("dialog", "name", "node1.example.com");
    inputs.put("passwordFile", passwordFile.toString());
    Map<String, Object> result = connector.execute(inputs);

    assertThat(result).containsEntry("exitCode", 0);
    assertThat((String) result.get("stdout")).isEqualTo(
        "Host name: node1.example.com\nPassword: ****\nhost node1.example.com\npassword ok\n");
    assertThat(ssh.server.receivedCommands()).singleElement().asString().doesNotContain("s3cret");
  }

  @Test
  void shouldGiveACommandWithoutPromptsEndOfInputWhenItReads() {
    catalog.put("reads", new CommandSpec(null, null, "cat; echo done", null, null, null, null));

    Map<String, Object> result = connector.execute(step("reads", "timeoutSeconds", "5"));

    assertThat(result).containsEntry("exitCode", 0).containsEntry("stdout", "done\n");
  }

  @Test
  void shouldReturnTheResultMapWhenTheRunSucceeds() {
    Map<String, Object> result = connector.execute(step("print", "arg", "hello world"));

    assertThat(result)
        .containsEntry("host", SshFixture.HOST)
        .containsEntry("command", "print")
        .containsEntry("commandLine", "printf '%s' 'hello world'")
        .containsEntry("exitCode", 0)
        .containsEntry("stdout", "hello world")
        .containsEntry("stderr", "")
        .containsEntry("changed", true)
        .containsKey("durationMs");
    assertThat(result.get("durationMs")).isInstanceOf(Long.class);
    assertThat(ssh.server.receivedCommands()).containsExactly("printf '%s' 'hello world'");
  }

  @Test
  void shouldFailTechnicallyWithExitCodeAndStderrWhenTheRunExitsNonZero() {
    assertThatThrownBy(() -> connector.execute(step("fail", "code", "3")))
        .isInstanceOf(SshCommandFailedException.class)
        .isNotInstanceOf(StepBusinessException.class)
        .hasMessageContaining("'fail'")
        .hasMessageContaining(SshFixture.HOST)
        .hasMessageContaining("exit 3")
        .hasMessageContaining("disk full")
        .satisfies(e -> assertThat(((SshCommandFailedException) e).exitCode()).isEqualTo(3));
  }

  @Test
  void shouldRaiseDrPreconditionFailedWhenTheExitCodeIsAPreconditionCode() {
    assertThatThrownBy(() -> connector.execute(step("fail", "code", "4")))
        .isInstanceOfSatisfying(StepBusinessException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("DR_PRECONDITION_FAILED");
          assertThat(e.getMessage()).contains(SshFixture.HOST).contains("exit 4").contains("disk full");
          assertThat(e.result()).containsEntry("exitCode", 4).containsEntry("changed", false)
              .containsEntry("stderr", "disk full\n");
        });
  }

  @Test
  void shouldPassTheArgumentAsOneLiteralWhenItContainsShellSyntax() {
    Path pwned = dir.resolve("pwned");
    String hostile = "x; touch " + pwned;

    Map<String, Object> result = connector.execute(step("print", "arg", hostile));

    assertThat(pwned).doesNotExist();
    assertThat(result).containsEntry("stdout", hostile);
    assertThat(ssh.server.receivedCommands()).containsExactly("printf '%s' 'x; touch " + pwned + "'");
  }

  @Test
  void shouldPassSubstitutionsAndNewLinesLiterallyWhenTheArgumentHoldsThem() {
    String hostile = "$(id) `id` it's\nsecond line";

    Map<String, Object> result = connector.execute(step("print", "arg", hostile));

    assertThat(result).containsEntry("stdout", hostile);
  }

  @Test
  void shouldCloseTheChannelAndFailWhenTheCommandExceedsItsTimeLimit() {
    Map<String, Object> inputs = step("wait", "seconds", "30");
    inputs.put("timeoutSeconds", "1");
    long started = System.nanoTime();

    assertThatThrownBy(() -> connector.execute(inputs))
        .isInstanceOf(SshCommandTimeoutException.class)
        .hasMessageContaining(SshFixture.HOST)
        .hasMessageContaining("'wait'")
        .hasMessageContaining("1 s");

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    // closing the channel ended the remote process
    await().atMost(Duration.ofSeconds(10)).until(() -> ssh.server.runningProcesses() == 0);
  }

  @Test
  void shouldSkipTheRunWhenTheCheckSaysItIsAlreadyDone() throws Exception {
    Path state = Files.writeString(dir.resolve("state-done"), "STOPPED\n");

    Map<String, Object> result = connector.execute(step("state-stop", "state", state.toString()));

    assertThat(result)
        .containsEntry("changed", false)
        .containsEntry("exitCode", 0)
        .containsEntry("stdout", "STOPPED\n")
        .containsEntry("commandLine", "echo STOPPED > '" + state + "'");
    // only the check reached the host: neither the run nor a repeated verify
    assertThat(ssh.server.receivedCommands()).containsExactly("cat '" + state + "'");
  }

  @Test
  void shouldRunAndVerifyWhenTheCheckSaysNotDone() throws Exception {
    Path state = Files.writeString(dir.resolve("state-running"), "RUNNING\n");

    Map<String, Object> result = connector.execute(step("state-stop", "state", state.toString()));

    assertThat(result).containsEntry("changed", true).containsEntry("exitCode", 0);
    assertThat(Files.readString(state)).isEqualTo("STOPPED\n");
    assertThat(ssh.server.receivedCommands()).containsExactly(
        "cat '" + state + "'", "echo STOPPED > '" + state + "'", "cat '" + state + "'");
  }

  @Test
  void shouldRaiseDrVerifyFailedWhenTheVerifyOutputDoesNotMatch() throws Exception {
    Path state = dir.resolve("state-claim");

    assertThatThrownBy(() -> connector.execute(step("state-claim-stop", "state", state.toString())))
        .isInstanceOfSatisfying(StepBusinessException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("DR_VERIFY_FAILED");
          assertThat(e.getMessage()).contains(SshFixture.HOST).contains("(?m)^STOPPED$")
              .contains("RUNNING");
          assertThat(e.result()).containsEntry("stdout", "RUNNING\n")
              .containsEntry("commandLine", "cat '" + state + "'")
              .containsEntry("changed", true);
        });
  }

  @Test
  void shouldPassWhenAVerifyOnlyCommandMatches() {
    Map<String, Object> inputs = step("resolves", "name", "cs-master.genesys.lab");
    inputs.put("address", "127.0.2.10");
    inputs.put("actual", "127.0.2.10");

    Map<String, Object> result = connector.execute(inputs);

    assertThat(result).containsEntry("changed", false)
        .containsEntry("stdout", "127.0.2.10  cs-master.genesys.lab\n")
        .containsEntry("commandLine", "printf '%s  %s\\n' '127.0.2.10' 'cs-master.genesys.lab'");
  }

  @Test
  void shouldRaiseDrVerifyFailedWhenAVerifyOnlyCommandDoesNotMatch() {
    Map<String, Object> inputs = step("resolves", "name", "cs-master.genesys.lab");
    inputs.put("address", "127.0.2.10");
    // "127.0.2.1" must not match as a prefix, nor "." as any character
    inputs.put("actual", "127.0.2.1");

    assertThatThrownBy(() -> connector.execute(inputs))
        .isInstanceOfSatisfying(StepBusinessException.class,
            e -> assertThat(e.errorCode()).isEqualTo("DR_VERIFY_FAILED"));
  }

  @Test
  void shouldNameThePlaceholderWhenAnArgumentIsMissing() {
    assertThatThrownBy(() -> connector.execute(step("print", "other", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{arg}");
    assertThat(ssh.server.receivedCommands()).isEmpty();
  }

  @Test
  void shouldNameTheKnownCommandsWhenTheCommandIsUnknown() {
    assertThatThrownBy(() -> connector.execute(step("rm-everything", "arg", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rm-everything")
        .hasMessageContaining("print");
  }

  /** The body the step worker sends: the task's inputs plus route, idempotency key, step name. */
  private static Map<String, Object> step(String command, String argName, String argValue) {
    Map<String, Object> inputs = new HashMap<>();
    inputs.put("route", "ssh-exec");
    inputs.put("idempotencyKey", "proc-1:act-1");
    inputs.put("stepName", "Test step");
    inputs.put("host", SshFixture.HOST);
    inputs.put("command", command);
    inputs.put(argName, argValue);
    return inputs;
  }
}
