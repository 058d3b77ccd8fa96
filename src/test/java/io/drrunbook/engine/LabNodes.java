package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Several application nodes on one engine database and one drill lab in a process of its own, as
 * child processes, for the high-availability trials ({@code NodeLossIT}, {@code SiteLossIT}): A1's
 * drill with the 60-second start of the Site 2 master CS pair to lose a node or a site in the middle
 * of, and what must hold afterwards (each lab action once, every journal row done, the history
 * complete).
 */
final class LabNodes implements AutoCloseable {

  /** The long step of A1 the trials interrupt. */
  static final String STEP = "Task_StartMasterCsPair";

  private final Path root;
  private final AppProcess lab;
  private final Path labFolder;

  private LabNodes(Path root, AppProcess lab) {
    this.root = root;
    this.lab = lab;
    this.labFolder = root.resolve("lab").resolve("lab");
  }

  /** The lab for a trial that interrupts a long step: the start of a Configuration Server pair takes 60 s. */
  static final String SLOW_START = "--dr.lab.command-delays.genesys-ctl=60s";

  /**
   * The lab alone (profiles {@code lab,lab-server}) in {@code target/<name>}, emptied first, with
   * {@code settings}, once it has published its addresses.
   */
  static LabNodes startLab(String name, String... settings) throws IOException {
    Path root = Files.createDirectories(Path.of("target", name)).toAbsolutePath();
    AppProcess.emptyFolder(root);
    AppProcess lab = AppProcess.startAs("lab,lab-server", Files.createDirectories(root.resolve("lab")),
        root.resolve("lab.log"), AppProcess.freePort(), settings);
    LabNodes nodes = new LabNodes(root, lab);
    await("lab addresses published").atMost(Duration.ofSeconds(30))
        .until(() -> Files.exists(nodes.labFolder.resolve("lab-node.properties")));
    return nodes;
  }

  AppProcess lab() {
    return lab;
  }

  /**
   * A node of this lab (profile {@code lab-node}) named {@code name} on the engine database at
   * {@code jdbcUrl}, with a 6-second step lock and {@code settings}; start them one after the other (the first creates
   * the engine's schema and deploys the procedures).
   */
  AppProcess startNode(String name, String jdbcUrl, String... settings) throws IOException {
    List<String> args = new ArrayList<>(List.of(
        "--spring.datasource.url=" + jdbcUrl,
        "--spring.datasource.username=" + PostgresServer.USER, "--spring.datasource.password=",
        "--dr.lab.dir=" + labFolder, "--dr.steps.node-name=" + name,
        "--dr.steps.lock-duration=6s", "--dr.steps.retry-backoff=1s"));
    args.addAll(List.of(settings));
    AppProcess node = AppProcess.startAs("lab-node", Files.createDirectories(root.resolve(name)),
        root.resolve(name + ".log"), AppProcess.freePort(), args.toArray(String[]::new));
    JsonNode health = node.get("operator", "/actuator/health").path("components").path("node").path("details");
    assertThat(health.path("name").asText()).isEqualTo(name);
    assertThat(health.path("stepWorker").asText()).isEqualTo("running");
    return node;
  }

  /** Starts A1's drill on {@code node}, declares the disaster, waits until the long step is under way in the lab. */
  String startA1UntilTheLongStepRuns(AppProcess node, String ticket) {
    String runId = node.post("operator", "/engine-rest/process-definition/key/dr-genesys-cs-failover/start",
        "{\"businessKey\": \"" + ticket + "\"}").path("id").asText();
    String declare = node.awaitTask("approver", runId, "UserTask_DeclareDisaster");
    node.post("approver", "/engine-rest/task/" + declare + "/complete", """
        {"variables": {"disasterDeclared": {"value": true},
                       "disasterReason": {"value": "high-availability trial"},
                       "decidedBy": {"value": "DR manager"}}}""");
    await("start of the Site 2 master CS pair under way in the lab").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(IllegalStateException.class)
        .until(() -> "RUNNING".equals(AppProcess.component(lab.labHost("site2.cs-mgmt"), "confserv-master-pair")
            .path("state").asText()));
    return runId;
  }

  /** The worker id holding the long step's lock, as the engine's REST API of {@code node} shows it. */
  static String lockHolder(AppProcess node, String runId) {
    JsonNode locked = node.get("admin", "/engine-rest/external-task?processInstanceId=" + runId
        + "&activityId=" + STEP + "&locked=true");
    assertThat(locked).hasSize(1);
    return locked.get(0).path("workerId").asText();
  }

  /**
   * The run goes on on {@code survivor}: the lab's commands fast again, the last manual step
   * answered, the run completed; each lab action counted once, nothing left unfinished in the
   * history, the interrupted step ended once.
   */
  void finishOn(AppProcess survivor, String runId) {
    lab.put("admin", "/lab/api/command-delays/genesys-ctl", "\"1s\"");
    String confirm = survivor.awaitTask("operator", runId, "UserTask_ConfirmOperationsRestored");
    survivor.post("operator", "/engine-rest/task/" + confirm + "/complete",
        "{\"variables\": {\"operationsRestored\": {\"value\": true}}}");
    await("run completed on the surviving node").atMost(Duration.ofSeconds(120)).until(() ->
        "COMPLETED".equals(survivor.get("admin", "/engine-rest/history/process-instance/" + runId)
            .path("state").asText()));

    JsonNode counts = lab.labHost("site2.cs-mgmt").path("actionCounts");
    assertThat(counts.path("genesys-ctl start confserv-master-pair").asInt()).isEqualTo(1);
    assertThat(counts.path("genesys-ctl start scs-master").asInt()).isEqualTo(1);
    assertThat(counts.path("genesys-ctl start msgserver-scs-distributed").asInt()).isEqualTo(1);
    JsonNode state = lab.get("admin", "/lab/api/state");
    assertThat(state.path("dns").path("records").path("cs-master.genesys.lab.").get(0).asText())
        .isEqualTo("127.0.2.10");
    state.path("sites").forEach(site -> site.path("hosts").forEach(host -> {
      if ("cs-proxy".equals(host.path("role").asText())) {
        assertThat(host.path("actionCounts").path("cs-switchover cs-master.genesys.lab").asInt())
            .as(host.path("name").asText()).isEqualTo(1);
      }
    }));
    assertThat(survivor.get("admin", "/engine-rest/history/activity-instance?processInstanceId=" + runId
        + "&activityId=" + STEP + "&finished=true")).hasSize(1);
    assertThat(survivor.get("admin", "/engine-rest/history/activity-instance?processInstanceId=" + runId
        + "&unfinished=true")).isEmpty();
  }

  /**
   * Every journal row of the engine database done: the interrupted step with two attempts (the
   * second found it done), every other step with one.
   */
  static void assertJournalDone(DataSource engine) throws SQLException {
    Map<String, String> journal;
    try (Connection connection = engine.getConnection()) {
      journal = AppProcess.journal(connection);
    }
    assertThat(journal).containsEntry(STEP, "DONE 2");
    journal.forEach((activity, row) -> {
      if (!activity.equals(STEP)) {
        assertThat(row).as(activity).isEqualTo("DONE 1");
      }
    });
  }

  @Override
  public void close() throws InterruptedException {
    lab.close();
  }
}
