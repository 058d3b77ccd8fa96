package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load across nodes: {@code dr.load.runs} (100) A1 drills started at once through {@code POST
 * /api/runs} of two nodes in turn (an approver letting them overlap: they act on the same lab
 * systems), on one PostgreSQL engine database and one lab in a process of its own. Every run
 * completes (none stuck: no incident, no step left), both nodes work steps, and the lab counts each
 * action once across all runs (the first run switches a proxy; every other run's check finds it
 * done, whichever node works it: {@code DatabaseActionLeases}). Prints runs per minute and the worst
 * time a started step waited for a worker (its activity's start to its first attempt, from the
 * history and the step journal). With {@code -Ddr.benchmark.load=true} ({@code .ci/benchmark}) the
 * same load first runs on one node alone, for the comparison.
 */
class LoadIT {

  private static final Logger log = LoggerFactory.getLogger(LoadIT.class);
  private static final String PROCESS = "dr-genesys-cs-failover";
  private static final String[] NODE_SETTINGS = {"--dr.api.start-rate-per-minute=10000"};

  private record Figures(int runs, int nodes, double runsPerMinute, long worstWaitMillis) {}

  @Test
  void shouldCompleteEveryConcurrentDrillAcrossTwoNodesWithEachActionOnce() throws Exception {
    int runs = Integer.getInteger("dr.load.runs", 100);
    List<Figures> figures = new ArrayList<>();
    try (PostgresServer postgres = PostgresServer.start(); LabNodes lab = LabNodes.startLab("load-it")) {
      if (Boolean.getBoolean("dr.benchmark.load")) {
        postgres.createDatabase("engine_one");
        try (AppProcess alone = lab.startNode("alone", postgres.jdbcUrl("engine_one"), NODE_SETTINGS)) {
          figures.add(load(lab, List.of(alone), runs, postgres.dataSource("engine_one")));
        }
        lab.lab().post("admin", "/lab/api/reset", "");
      }
      postgres.createDatabase("engine");
      try (AppProcess a = lab.startNode("node-a", postgres.jdbcUrl("engine"), NODE_SETTINGS);
          AppProcess b = lab.startNode("node-b", postgres.jdbcUrl("engine"), NODE_SETTINGS)) {
        figures.add(load(lab, List.of(a, b), runs, postgres.dataSource("engine")));
        assertThat(workersOf(a)).as("steps worked by both nodes").hasSize(2);
      }
    }
    StringBuilder table = new StringBuilder(String.format("%nA1 drills at once against one lab (PostgreSQL engine database):%n"
        + "runs  nodes  runs/minute  worst wait of a started step for a worker (ms)%n"));
    figures.forEach(f -> table.append(String.format("%4d  %5d  %11.1f  %8d%n", f.runs(), f.nodes(),
        f.runsPerMinute(), f.worstWaitMillis())));
    log.info(table.toString());
  }

  /** Starts {@code runs} drills spread over {@code nodes}, works their manual steps, waits for all, checks the lab. */
  private Figures load(LabNodes lab, List<AppProcess> nodes, int runs, DataSource engine) throws Exception {
    long began = System.currentTimeMillis();
    List<String> ids = new ArrayList<>();
    ExecutorService starters = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> started = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        AppProcess node = nodes.get(i % nodes.size());
        String body = """
            {"procedure": "%s", "ticket": {"system": "servicenow", "id": "LOAD-%d-%d"}, "parameters": {},
             "mode": "drill", "overlap": {"reason": "load of concurrent drills"}}""".formatted(PROCESS, began, i);
        started.add(starters.submit(() -> node.post("approver", "/api/runs", body).path("id").asText()));
      }
      for (Future<String> run : started) {
        ids.add(run.get(5, TimeUnit.MINUTES));
      }
    } finally {
      starters.shutdownNow();
    }
    assertThat(new TreeSet<>(ids)).hasSize(runs);

    // the people: approver2 declares each disaster (four-eyes: not the starter), operator confirms
    AppProcess any = nodes.get(0);
    await("every run completed").atMost(Duration.ofMinutes(25)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      complete(nodes, "approver2", "UserTask_DeclareDisaster", """
          {"variables": {"disasterDeclared": {"value": true}, "disasterReason": {"value": "load"},
                         "decidedBy": {"value": "load test"}}}""");
      complete(nodes, "operator", "UserTask_ConfirmOperationsRestored",
          "{\"variables\": {\"operationsRestored\": {\"value\": true}}}");
      return any.get("admin", "/engine-rest/history/process-instance/count?processDefinitionKey=" + PROCESS
          + "&finished=true").path("count").asInt() == runs;
    });
    long ended = System.currentTimeMillis();

    assertThat(any.get("admin", "/engine-rest/history/activity-instance/count?activityId=EndEvent_FailedOver")
        .path("count").asInt()).as("every run ended failed over").isEqualTo(runs);
    assertThat(any.get("admin", "/engine-rest/incident/count").path("count").asInt()).as("no incident").isZero();
    assertThat(any.get("admin", "/engine-rest/external-task/count").path("count").asInt()).as("no step left").isZero();
    JsonNode counts = lab.lab().labHost("site2.cs-mgmt").path("actionCounts");
    assertThat(counts.path("genesys-ctl start confserv-master-pair").asInt()).isEqualTo(1);
    assertThat(counts.path("genesys-ctl start scs-master").asInt()).isEqualTo(1);
    lab.lab().get("admin", "/lab/api/state").path("sites").forEach(site -> site.path("hosts").forEach(host -> {
      if ("cs-proxy".equals(host.path("role").asText())) {
        assertThat(host.path("actionCounts").path("cs-switchover cs-master.genesys.lab").asInt())
            .as(host.path("name").asText() + " switched over once across all runs").isEqualTo(1);
      }
    }));
    return new Figures(runs, nodes.size(), runs / ((ended - began) / 60000.0), worstWait(engine));
  }

  /** Completes every open task {@code taskKey} of the procedure that {@code user} can see, on the nodes in turn. */
  private static void complete(List<AppProcess> nodes, String user, String taskKey, String variables) {
    int turn = 0;
    for (JsonNode task : nodes.get(0).get(user, "/engine-rest/task?processDefinitionKey=" + PROCESS
        + "&taskDefinitionKey=" + taskKey + "&maxResults=200")) {
      nodes.get(turn++ % nodes.size()).post(user, "/engine-rest/task/" + task.path("id").asText() + "/complete",
          variables);
    }
  }

  /** The node names of the workers that completed steps (external task log). */
  private static Set<String> workersOf(AppProcess node) {
    Set<String> nodes = new TreeSet<>();
    for (JsonNode entry : node.get("admin", "/engine-rest/history/external-task-log?successLog=true&maxResults=5000")) {
      String worker = entry.path("workerId").asText();
      nodes.add(worker.substring(0, worker.lastIndexOf('-')));
    }
    return nodes;
  }

  /** The longest time from a step activity's start to its first attempt, over every run. */
  private static long worstWait(DataSource engine) throws Exception {
    try (Connection connection = engine.getConnection(); Statement sql = connection.createStatement();
        ResultSet row = sql.executeQuery("SELECT MAX(EXTRACT(EPOCH FROM (j.FIRST_ATTEMPT - a.STARTED)) * 1000)"
            + " FROM (SELECT PROCESS_INSTANCE_ID, ACTIVITY_ID, MIN(STARTED_AT) AS FIRST_ATTEMPT"
            + " FROM DR_STEP_JOURNAL GROUP BY PROCESS_INSTANCE_ID, ACTIVITY_ID) j"
            + " JOIN (SELECT PROC_INST_ID_, ACT_ID_, MIN(START_TIME_) AS STARTED FROM ACT_HI_ACTINST"
            + " GROUP BY PROC_INST_ID_, ACT_ID_) a"
            + " ON a.PROC_INST_ID_ = j.PROCESS_INSTANCE_ID AND a.ACT_ID_ = j.ACTIVITY_ID")) {
      return row.next() ? Math.round(row.getDouble(1)) : -1;
    }
  }
}
