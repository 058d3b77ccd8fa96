package io.drrunbook.prechecks;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.StepPlan;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the precheck of a run found, per system (table DR_PRECHECK): every host, database, DNS server
 * and endpoint the walk met is checked once per run, read-only, when the first step that would reach
 * it is walked.
 */
@Component
@DependsOnDatabaseInitialization
public class PrecheckResults {

  /** The check of one system for one precheck walk. */
  public record Result(String runId, String kind, String target, boolean ok, String check,
      String detail, String firstStep, Instant checkedAt, long durationMs) {}

  static final String TABLE = "DR_PRECHECK";
  private static final Logger log = LoggerFactory.getLogger(PrecheckResults.class);

  private final JdbcTemplate jdbc;
  private final TargetProbes probes;
  private final SecretMasker masker;

  public PrecheckResults(DataSource dataSource, TargetProbes probes, SecretMasker masker) {
    this.jdbc = new JdbcTemplate(dataSource);
    this.probes = probes;
    this.masker = masker;
  }

  /** Checks each target not yet checked in this walk and records what it found. */
  public void check(String runId, String activityId, List<StepPlan.Target> targets) {
    for (StepPlan.Target target : targets) {
      if (find(runId, target.kind().id(), target.name()).isPresent()) {
        continue;
      }
      ProbeResult probe;
      try {
        probe = probes.probe(target.kind(), target.name());
      } catch (IllegalArgumentException e) {
        probe = new ProbeResult(null, target.name(), false, "configuration", e.getMessage(), 0);
      }
      record(runId, target.kind().id(), target.name(), probe.ok(), probe.check(), probe.detail(), activityId,
          probe.durationMs());
    }
  }

  /** Records one check of a walk, once (a second record of the same system is ignored). */
  public void record(String runId, String kind, String target, boolean ok, String check, String detail,
      String firstStep, long durationMs) {
    log.info("precheck of run {}: {} {}: {}", runId, kind, target, ok ? "ok" : masker.mask(detail));
    try {
      jdbc.update("INSERT INTO " + TABLE + " (RUN_ID, TARGET_KIND, TARGET_NAME, OK, CHECK_NAME,"
          + " DETAIL, FIRST_STEP, CHECKED_AT, DURATION_MS) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          runId, kind, target, ok ? 1 : 0, check, truncate(masker.mask(detail)), firstStep,
          Timestamp.from(Instant.now()), durationMs);
    } catch (DuplicateKeyException e) {
      // a parallel step of the same walk checked it at the same moment
    }
  }

  /** Whether a walk has already checked this system or procedure check. */
  public boolean checked(String runId, String kind, String target) {
    return find(runId, kind, target).isPresent();
  }

  public List<Result> forRun(String runId) {
    return jdbc.query("SELECT * FROM " + TABLE + " WHERE RUN_ID = ? ORDER BY CHECKED_AT, TARGET_NAME",
        (rs, i) -> result(rs), runId);
  }

  private Optional<Result> find(String runId, String kind, String name) {
    return jdbc.query("SELECT * FROM " + TABLE + " WHERE RUN_ID = ? AND TARGET_KIND = ? AND TARGET_NAME = ?",
        (rs, i) -> result(rs), runId, kind, name).stream().findFirst();
  }

  private static Result result(ResultSet rs) throws SQLException {
    return new Result(rs.getString("RUN_ID"), rs.getString("TARGET_KIND"), rs.getString("TARGET_NAME"),
        rs.getInt("OK") == 1, rs.getString("CHECK_NAME"), rs.getString("DETAIL"),
        rs.getString("FIRST_STEP"), rs.getTimestamp("CHECKED_AT").toInstant(), rs.getLong("DURATION_MS"));
  }

  private static String truncate(String text) {
    return text == null || text.length() <= 2000 ? text : text.substring(0, 2000);
  }
}
