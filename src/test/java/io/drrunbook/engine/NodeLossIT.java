package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drrunbook.PostgresServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL engine database drill against one lab that runs in a process of its
 * own (profiles {@code lab,lab-server}; the nodes {@code lab-node}). The node working a long step
 * is killed (SIGKILL) in the middle of it: the other node takes the step once its lock expires,
 * finds it already done (the journal's idempotency key, the check before the act) and goes on, and
 * the run completes on the surviving node: each lab action counted once by the lab, every journal
 * row done, nothing of the history lost. Health names each node and what it holds.
 */
class NodeLossIT {

  @Test
  void shouldFinishTheRunOnTheOtherNodeWithoutActingTwiceWhenTheNodeWorkingAStepIsKilled() throws Exception {
    try (PostgresServer postgres = PostgresServer.start();
        LabNodes lab = LabNodes.startLab("node-loss-it", LabNodes.SLOW_START)) {
      postgres.createDatabase("engine");
      Map<String, AppProcess> nodes = new LinkedHashMap<>();
      try {
        for (String name : List.of("node-a", "node-b")) {
          nodes.put(name, lab.startNode(name, postgres.jdbcUrl("engine")));
        }
        String runId = lab.startA1UntilTheLongStepRuns(nodes.get("node-a"), "CHG-NODE-LOSS-1");

        // the node whose worker holds the step's lock is the one to lose; its health says it holds it
        String worker = LabNodes.lockHolder(nodes.get("node-a"), runId);
        String working = nodes.keySet().stream().filter(name -> worker.startsWith(name + "-")).findFirst()
            .orElseThrow(() -> new AssertionError("no node's worker id starts " + worker));
        JsonNode held = nodes.get(working).get("operator", "/actuator/health").path("components")
            .path("node").path("details");
        assertThat(held.path("workerId").asText()).isEqualTo(worker);
        assertThat(held.path("stepsHeld").asInt()).isEqualTo(1);
        nodes.remove(working).kill();

        lab.finishOn(nodes.values().iterator().next(), runId);
      } finally {
        for (AppProcess node : nodes.values()) {
          node.close();
        }
      }
      LabNodes.assertJournalDone(postgres.dataSource("engine"));
    }
  }
}
