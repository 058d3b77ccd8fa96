package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drrunbook.PostgresServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Site 1 is lost with the orchestrator's node and the primary engine database in it. The engine
 * database is a PostgreSQL primary "at Site 1" with a synchronous streaming standby "at Site 2"
 * (both local servers of the test's own); one node per site, the Site 2 node's JDBC URL listing
 * both servers and targeting the primary. In the middle of the Site 1 node's long step, the node
 * is killed (SIGKILL) and the primary crashes (immediate stop); the operator promotes the standby
 * (README "Run it highly available"). The Site 2 node, which could write nowhere meanwhile, goes
 * on by itself: it takes the interrupted step once its lock expires, finds it done, and the run
 * completes with every committed step kept (the journal's first attempt, committed at Site 1, is
 * there on the promoted standby) and no lab action done twice.
 */
class SiteLossIT {

  @Test
  void shouldFinishTheRunAtSite2WithEveryCommittedStepKeptWhenSite1IsLostMidStep() throws Exception {
    try (PostgresServer site1Db = PostgresServer.start();
        LabNodes lab = LabNodes.startLab("site-loss-it", LabNodes.SLOW_START)) {
      site1Db.createDatabase("engine");
      try (PostgresServer site2Db = site1Db.startStandby()) {
        await("Site 2's standby streams synchronously").atMost(Duration.ofSeconds(60))
            .until(site1Db::hasSynchronousStandby);
        String bothSites = "jdbc:postgresql://127.0.0.1:" + site1Db.port() + ",127.0.0.1:" + site2Db.port()
            + "/engine?targetServerType=primary&connectTimeout=5";
        AppProcess site1Node = lab.startNode("site1-node", site1Db.jdbcUrl("engine"));
        AppProcess site2Node = null;
        try {
          String runId = lab.startA1UntilTheLongStepRuns(site1Node, "CHG-SITE-LOSS-1");
          assertThat(LabNodes.lockHolder(site1Node, runId)).startsWith("site1-node-");
          // the Site 2 node joins while Site 1 works the step (so that the Site 1 node holds it)
          site2Node = lab.startNode("site2-node", bothSites);
          assertThat(LabNodes.lockHolder(site2Node, runId)).startsWith("site1-node-");

          site1Node.kill();
          site1Db.crash();
          site2Db.promote();

          AppProcess survivor = site2Node;
          await("the Site 2 node answers from the promoted database").atMost(Duration.ofSeconds(120))
              .ignoreExceptions().until(() -> survivor.get("admin",
                  "/engine-rest/history/process-instance/" + runId).path("state").asText().equals("ACTIVE"));
          lab.finishOn(survivor, runId);
        } finally {
          site1Node.close();
          if (site2Node != null) {
            site2Node.close();
          }
        }
        LabNodes.assertJournalDone(site2Db.dataSource("engine"));
      }
    }
  }
}
