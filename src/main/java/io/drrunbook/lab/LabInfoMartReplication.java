package io.drrunbook.lab;

import io.drrunbook.connectors.sql.TargetDatabases;
import io.drrunbook.engine.PeriodicTask;
import io.drrunbook.lab.LabProperties.LabDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Profile;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What Oracle GoldenGate does to the lab's Info Mart databases (model oracle-goldengate-infomart):
 * a site's database receives the new {@code INTERACTION_FACT} rows of another site's database while
 * the trail flows between them, that is while the site's Replicat REPGIM runs and applies the trail
 * of its {@code source} site, whose Extract EXTGIM and DataPump PMPGIM run and pump to this site.
 * Stop any of the three and the rows stay where they are, so "in sync" (procedure B2) holds only
 * when replication really runs. Rows are copied in the order of {@code INTERACTION_ID}, those above
 * the highest the target holds, every {@code dr.lab.replication-interval}; deletions and lag are not
 * simulated (lag is what the model's lagSeconds and the replication-lag fault show).
 */
@Component
@Profile("lab")
public class LabInfoMartReplication {

  static final String ROLE = "goldengate-gim";
  /** Rows copied per database and round at most (a large insert is applied over several rounds). */
  static final int BATCH = 5000;
  private static final Logger log = LoggerFactory.getLogger(LabInfoMartReplication.class);

  private final LabProperties lab;
  private final LabState state;
  private final LabDatabases labDatabases;
  private final TargetDatabases databases;
  private final PeriodicTask rounds;

  public LabInfoMartReplication(LabProperties lab, LabState state, LabDatabases labDatabases,
      TargetDatabases databases, @Value("${dr.lab.replication-interval:1s}") Duration interval) {
    this.lab = lab;
    this.state = state;
    this.labDatabases = labDatabases;
    this.databases = databases;
    this.rounds = new PeriodicTask("lab-replication", interval, this::replicate);
  }

  @EventListener(ApplicationReadyEvent.class)
  public void start() {
    rounds.start();
  }

  @jakarta.annotation.PreDestroy
  public void stop() {
    rounds.stop();
  }

  /** One round; the rows copied, by target database (only those that received rows). */
  public synchronized Map<String, Integer> replicate() {
    Map<String, String> infoMartBySite = new LinkedHashMap<>();
    lab.getDatabases().forEach((name, spec) -> {
      if (LabDatabase.KIND_INFO_MART.equals(spec.getKind()) && name.contains(".")) {
        infoMartBySite.put(name.substring(0, name.indexOf('.')), name);
      }
    });
    Map<String, Integer> copied = new LinkedHashMap<>();
    // not while the lab puts its databases back to their initial state
    synchronized (labDatabases.resetLock()) {
      infoMartBySite.forEach((site, target) -> {
        String source = flowingInto(site);
        String from = source == null ? null : infoMartBySite.get(source);
        if (from != null && !from.equals(target)) {
          int rows = copy(from, target);
          if (rows > 0) {
            copied.put(target, rows);
            log.info("lab replication {} -> {}: {} row(s) of INTERACTION_FACT applied", from, target, rows);
          }
        }
      });
    }
    return copied;
  }

  /** The site whose trail flows into {@code site}'s database now, or null. */
  private String flowingInto(String site) {
    String replicat = host(site);
    if (replicat == null || !running(replicat, "REPGIM")) {
      return null;
    }
    Object source = state.attribute(replicat, "REPGIM", "source");
    String sourceHost = source == null ? null : host(source.toString());
    boolean flows = sourceHost != null && running(sourceHost, "EXTGIM") && running(sourceHost, "PMPGIM")
        && site.equals(String.valueOf(state.attribute(sourceHost, "PMPGIM", "target")));
    return flows ? source.toString() : null;
  }

  private String host(String site) {
    List<String> hosts = state.hostsOf(ROLE, site);
    return hosts.isEmpty() ? null : hosts.get(0);
  }

  private boolean running(String host, String group) {
    return state.hasComponent(host, group) && "RUNNING".equals(state.state(host, group));
  }

  private int copy(String from, String to) {
    try (Connection target = databases.open(to); Connection source = databases.open(from)) {
      long highest;
      try (Statement sql = target.createStatement();
          ResultSet max = sql.executeQuery("SELECT COALESCE(MAX(INTERACTION_ID), 0) FROM INTERACTION_FACT")) {
        max.next();
        highest = max.getLong(1);
      }
      int rows = 0;
      try (PreparedStatement read = source.prepareStatement("SELECT INTERACTION_ID, START_DATE_TIME_KEY"
              + " FROM INTERACTION_FACT WHERE INTERACTION_ID > ? ORDER BY INTERACTION_ID");
          PreparedStatement apply = target.prepareStatement(
              "INSERT INTO INTERACTION_FACT (INTERACTION_ID, START_DATE_TIME_KEY) VALUES (?, ?)")) {
        read.setLong(1, highest);
        read.setMaxRows(BATCH);
        try (ResultSet fresh = read.executeQuery()) {
          while (fresh.next()) {
            apply.setLong(1, fresh.getLong(1));
            apply.setLong(2, fresh.getLong(2));
            apply.addBatch();
            rows++;
          }
        }
        if (rows > 0) {
          apply.executeBatch();
        }
      }
      return rows;
    } catch (SQLException e) {
      log.warn("lab replication {} -> {} failed this round: {}", from, to, e.getMessage());
      return 0;
    }
  }
}
