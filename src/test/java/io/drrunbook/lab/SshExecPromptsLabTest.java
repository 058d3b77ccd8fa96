package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.ssh.CommandCatalog;
import io.drrunbook.connectors.ssh.CommandSpec;
import io.drrunbook.connectors.ssh.PromptSpec;
import io.drrunbook.connectors.ssh.SshCommandException;
import io.drrunbook.connectors.ssh.SshCommandFailedException;
import io.drrunbook.connectors.ssh.SshCommandTimeoutException;
import io.drrunbook.connectors.ssh.SshCommandRunner;
import io.drrunbook.connectors.ssh.SshExecConnector;
import io.drrunbook.lab.faults.FaultRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * ssh-exec answering prompts over the standard input of a real SSH session: the lab's simulated
 * OCMS nodes (MINA SSHD, model oracle-ocms) run seed 003's interactive replication scripts, the
 * connector answers from the step's inputs and from the host's topology secret. Asserts the lab's
 * end state, the transcript, and that the password is in no output, message, plan or log line.
 */
class SshExecPromptsLabTest {

  private static final String DUPLICATE = "timesten-duplicate-datastore";
  private static final String CREATE = "timesten-create-replication";

  @TempDir
  Path dir;

  private TestDnsResponder dns;
  private LabFixture lab;
  private final SecretMasker masker = new SecretMasker();
  private final CommandCatalog catalog = new CommandCatalog();
  private SshCommandRunner runner;
  private SshExecConnector connector;
  private ListAppender<ILoggingEvent> logs;
  private final Map<String, Level> levels = new LinkedHashMap<>();
  private String password;

  @BeforeEach
  void startLab() throws Exception {
    dns = new TestDnsResponder();
    lab = new LabFixture(dir, dns.port(), Map.of(), true);
    password = Files.readString(dir.resolve("lab/secrets/site1-ocms-timesten.password")).strip();
    runner = lab.connectorRunner(masker);
    connector = new SshExecConnector(catalog, runner, masker);
    catalog.put(CREATE, new CommandSpec(null, null,
        "/opt/oracle/ocms/sdp/replication/bin/create_replication_sync.pl", null, null, null, null,
        List.of(new PromptSpec("fully qualified host name of this computer: $", "{hostFqdn}", null)),
        Duration.ofSeconds(5)));
    catalog.put(DUPLICATE, duplicate(List.of(), Duration.ofSeconds(5)));
    captureLogs();
  }

  @AfterEach
  void stopLab() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(logs);
    levels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    runner.close();
    lab.close();
    dns.close();
  }

  /** The catalog's duplicate entry (config/commands-ocms.yaml) with prompts added at its end. */
  private static CommandSpec duplicate(List<PromptSpec> more, Duration promptTimeout) {
    List<PromptSpec> prompts = new java.util.ArrayList<>(List.of(
        new PromptSpec("domain name of the first computer: $", "{sourceFqdn}", null),
        new PromptSpec("domain name of this computer: $", "{targetFqdn}", null),
        new PromptSpec("TimesTen user name: $", "{ttUser}", null),
        new PromptSpec("password of the TimesTen user: $", null, "timesten-password")));
    prompts.addAll(more);
    return new CommandSpec(null, null,
        "perl /opt/oracle/ocms/sdp/replication/bin/duplicate_db_replication.pl", null, null, null,
        null, prompts, promptTimeout);
  }

  private void captureLogs() {
    logs = new ListAppender<>();
    logs.start();
    for (String name : List.of("io.drrunbook", "org.apache.sshd")) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      levels.put(name, logger.getLevel());
      logger.setLevel(Level.DEBUG);
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  private Map<String, Object> step(String command, Object... keysAndValues) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("host", LabFixture.OCMS2);
    inputs.put("command", command);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      inputs.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return inputs;
  }

  private Map<String, Object> duplicateStep() {
    return step(DUPLICATE, "sourceFqdn", "ocms-1.site1.ocms.lab", "targetFqdn",
        "ocms-2.site1.ocms.lab", "ttUser", "ocmsuser");
  }

  private void firstInstanceReplicates() {
    Map<String, Object> created = connector.execute(
        step(CREATE, "host", LabFixture.OCMS1, "hostFqdn", "ocms-1.site1.ocms.lab"));
    assertThat(created).containsEntry("exitCode", 0);
    assertThat(lab.state.attribute(LabFixture.OCMS1, "timesten", "replicationScheme"))
        .isEqualTo("OCMS_REP.REPSCHEME");
  }

  private void assertPasswordNowhere(Object... texts) {
    for (Object text : texts) {
      assertThat(String.valueOf(text)).doesNotContain(password);
    }
    List<ILoggingEvent> events;
    synchronized (logs) {
      events = List.copyOf(logs.list);
    }
    assertThat(events).allSatisfy(event -> {
      assertThat(event.getFormattedMessage()).doesNotContain(password);
      if (event.getThrowableProxy() != null) {
        assertThat(event.getThrowableProxy().getMessage()).doesNotContain(password);
      }
    });
    assertThat(lab.state.commandLog(LabFixture.OCMS2)).allSatisfy(
        record -> assertThat(record.command()).doesNotContain(password));
  }

  @Test
  void shouldDuplicateTheDataStoreWhenEveryPromptIsAnsweredOverStdin() {
    firstInstanceReplicates();

    Map<String, Object> result = connector.execute(duplicateStep());

    assertThat(lab.state.attribute(LabFixture.OCMS2, "timesten", "duplicatedFrom"))
        .isEqualTo(LabFixture.OCMS1);
    assertThat(lab.state.attribute(LabFixture.OCMS2, "timesten", "replicationScheme"))
        .isEqualTo("OCMS_REP.REPSCHEME");
    assertThat(lab.state.actionCount(LabFixture.OCMS2, "duplicate_db_replication.pl")).isEqualTo(1);
    assertThat(result).containsEntry("exitCode", 0).containsEntry("changed", true)
        .containsEntry("commandLine",
            "perl /opt/oracle/ocms/sdp/replication/bin/duplicate_db_replication.pl");
    assertThat((String) result.get("stdout")).isEqualTo(
        "Enter the fully qualified domain name of the first computer: ocms-1.site1.ocms.lab\n"
            + "Enter the fully qualified domain name of this computer: ocms-2.site1.ocms.lab\n"
            + "Enter the TimesTen user name: ocmsuser\n"
            + "Enter the password of the TimesTen user: ****\n"
            + "Duplicating data store ocmsdb from ocms-1.site1.ocms.lab...\n"
            + "Data store ocmsdb duplicated from ocms-1.site1.ocms.lab\n");
    List<ILoggingEvent> events;
    synchronized (logs) {
      events = List.copyOf(logs.list);
    }
    assertThat(events).extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(line -> line.contains("4 prompts answered"));
    assertPasswordNowhere(result);
  }

  @Test
  void shouldFailTheStepWithTheSeedMessageWhenTheFirstInstanceAgentIsNotRunning() {
    // no replication on the first instance yet: the script's D4 "Unable to connect" case (L788-794)
    assertThatThrownBy(() -> connector.execute(duplicateStep()))
        .isInstanceOf(SshCommandFailedException.class)
        .hasMessageContaining("exit 1");
    assertThat(lab.state.attribute(LabFixture.OCMS2, "timesten", "duplicatedFrom")).isEqualTo("");
    assertPasswordNowhere();
  }

  @Test
  void shouldRaiseDrPromptUnansweredWithTheTranscriptWhenTheCommandEndsBeforeAPrompt() {
    firstInstanceReplicates();
    catalog.put(DUPLICATE, duplicate(
        List.of(new PromptSpec("Start replication now\\? $", "yes", null)), Duration.ofSeconds(5)));

    assertThatThrownBy(() -> connector.execute(duplicateStep()))
        .isInstanceOfSatisfying(StepBusinessException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("DR_PROMPT_UNANSWERED");
          assertThat(e.getMessage()).contains(LabFixture.OCMS2)
              .contains("the command ended before prompt 5 of 5 /Start replication now\\? $/")
              .contains("Enter the password of the TimesTen user: ****");
          assertThat((String) e.result().get("stdout"))
              .contains("Enter the TimesTen user name: ocmsuser\n")
              .contains("Data store ocmsdb duplicated");
          assertPasswordNowhere(e.getMessage(), e.result());
        });
  }

  @Test
  void shouldRaiseDrPromptUnansweredAndNotActWhenAnotherPromptComes() {
    firstInstanceReplicates();
    catalog.put(DUPLICATE, new CommandSpec(null, null,
        "perl /opt/oracle/ocms/sdp/replication/bin/duplicate_db_replication.pl", null, null, null,
        null, List.of(new PromptSpec("Enter the port of the first computer: $", "6200", null)),
        Duration.ofSeconds(1)));

    assertThatThrownBy(() -> connector.execute(duplicateStep()))
        .isInstanceOfSatisfying(StepBusinessException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("DR_PROMPT_UNANSWERED");
          assertThat(e.getMessage()).contains("unexpected prompt 'Enter the fully qualified domain"
              + " name of the first computer:' instead of prompt 1 of 1 /Enter the port of the first"
              + " computer: $/ (waited 1 s)");
          assertThat(e.result()).containsEntry("exitCode", -1).containsEntry("changed", false);
        });
    assertThat(lab.state.actionCount(LabFixture.OCMS2, "duplicate_db_replication.pl")).isZero();
    assertThat(lab.state.attribute(LabFixture.OCMS2, "timesten", "duplicatedFrom")).isEqualTo("");
  }

  @Test
  void shouldRaiseDrPromptUnansweredWhenNoPromptComesWithinTheLimit() {
    lab.faults.add(new FaultRequest("command-hangs", LabFixture.OCMS2, null, null, null, null,
        null, null, "duplicate_db_replication"));

    long started = System.nanoTime();
    catalog.put(DUPLICATE, duplicate(List.of(), Duration.ofSeconds(1)));
    assertThatThrownBy(() -> connector.execute(duplicateStep()))
        .isInstanceOfSatisfying(StepBusinessException.class, e -> assertThat(e.getMessage())
            .contains("prompt 1 of 4 /domain name of the first computer: $/ did not come within 1 s"));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
  }

  @Test
  void shouldFailTechnicallyWithTheTimeLimitWhenTheCommandsLimitEndsBeforeAPrompt() {
    lab.faults.add(new FaultRequest("command-hangs", LabFixture.OCMS2, null, null, null, null,
        null, null, "duplicate_db_replication"));
    Map<String, Object> inputs = duplicateStep();
    inputs.put("timeoutSeconds", "1");

    assertThatThrownBy(() -> connector.execute(inputs))
        .isInstanceOf(SshCommandTimeoutException.class)
        .hasMessageContaining("exceeded its time limit of 1 s waiting for prompt 1 of 4")
        .hasMessageContaining(LabFixture.OCMS2);
  }

  @Test
  void shouldNameTheTopologyKeyAndAnswerNothingWhenTheHostHasNoSuchSecret() {
    firstInstanceReplicates();
    lab.topology.host(LabFixture.OCMS2).getSecrets().clear();

    assertThatThrownBy(() -> connector.execute(duplicateStep()))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining("the topology gives no secret 'timesten-password' (hosts.ocms-2.secrets.timesten-password)");
    assertThat(lab.state.actionCount(LabFixture.OCMS2, "duplicate_db_replication.pl")).isZero();
  }

  @Test
  void shouldRefuseTheLoginAndLeaveTheDataStoreWhenThePasswordIsWrong() throws Exception {
    firstInstanceReplicates();
    // the connector answers with ocms-2's secret; the user was created on ocms-1 with another one
    Path other = dir.resolve("other.password");
    Files.writeString(other, "not-the-timesten-password\n");
    lab.topology.host(LabFixture.OCMS2).getSecrets().put("timesten-password", "file:" + other);

    assertThatThrownBy(() -> connector.execute(duplicateStep()))
        .isInstanceOf(SshCommandFailedException.class)
        .hasMessageContaining("exit 1");
    assertThat(lab.state.attribute(LabFixture.OCMS2, "timesten", "duplicatedFrom")).isEqualTo("");
    assertThat(lab.state.actionCount(LabFixture.OCMS2, "duplicate_db_replication.pl")).isZero();
    assertPasswordNowhere();
  }

  @Test
  void shouldShowEachPromptAndNameTheSecretWhenPlanned() {
    StepPlan plan = connector.plan("ssh-exec", duplicateStep());

    assertThat(plan.actions()).singleElement().asString()
        .contains("run: perl /opt/oracle/ocms/sdp/replication/bin/duplicate_db_replication.pl")
        .contains("-> 'ocms-1.site1.ocms.lab'")
        .contains("-> 'ocmsuser'")
        .contains("-> secret timesten-password of the host");
    assertPasswordNowhere(plan);
    assertThat(lab.hosts.sessionsOpened().getOrDefault(LabFixture.OCMS2, 0)).isZero();
  }
}
