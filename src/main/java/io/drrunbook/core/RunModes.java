package io.drrunbook.core;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The mode of every run as it was started, kept in a product table written in the transaction that
 * starts the run ({@code PrecheckGate#runStarted}). It is what decides whether a run is walked
 * (dry-run, precheck: steps rendered, manual steps answered by the walk, no approval) or run: the
 * {@code runMode} process variable is only its copy for Tasklist and Cockpit, and a person allowed
 * to change a run's variables cannot turn a live run into a walk (and so answer its approvals) or
 * back. Runs started before this table existed have no row; for them the variable still counts.
 */
@Component
@DependsOnDatabaseInitialization
public class RunModes {

  static final String TABLE = "DR_RUN_MODE";
  /** Oracle allows at most 1000 values in an IN list. */
  private static final int CHUNK = 500;

  private final JdbcTemplate jdbc;

  public RunModes(DataSource dataSource) {
    this.jdbc = new JdbcTemplate(dataSource);
  }

  /** Records the mode of a run being started (in the starting transaction). */
  public void record(String processInstanceId, String processKey, RunMode mode) {
    jdbc.update("INSERT INTO " + TABLE + " (PROCESS_INSTANCE_ID, PROCESS_KEY, RUN_MODE, STARTED_AT)"
        + " VALUES (?, ?, ?, ?)", processInstanceId, processKey, mode.id(), Timestamp.from(Instant.now()));
  }

  /** The mode the run was started with; empty for a run started before modes were recorded. */
  public Optional<RunMode> recorded(String processInstanceId) {
    return jdbc.queryForList("SELECT RUN_MODE FROM " + TABLE + " WHERE PROCESS_INSTANCE_ID = ?",
        String.class, processInstanceId).stream().findFirst().flatMap(RunMode::of);
  }

  /** The recorded modes of these runs (those that have one). */
  public Map<String, RunMode> recorded(Collection<String> processInstanceIds) {
    Map<String, RunMode> modes = new HashMap<>();
    List<String> ids = List.copyOf(processInstanceIds);
    for (int from = 0; from < ids.size(); from += CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
      String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
      jdbc.query("SELECT PROCESS_INSTANCE_ID, RUN_MODE FROM " + TABLE + " WHERE PROCESS_INSTANCE_ID IN ("
          + marks + ")", rs -> {
            String id = rs.getString("PROCESS_INSTANCE_ID");
            RunMode.of(rs.getString("RUN_MODE")).ifPresent(m -> modes.put(id, m));
          }, chunk.toArray());
    }
    return modes;
  }

  /**
   * The run's mode when it only walks the procedure (dry-run, precheck), empty for real runs: the
   * recorded mode, or for a run without a record the {@code runMode} variable {@code variable} reads.
   */
  public Optional<RunMode> walkMode(String processInstanceId, Supplier<Object> variable) {
    Optional<RunMode> recorded = recorded(processInstanceId);
    if (recorded.isPresent()) {
      return recorded.filter(RunMode::walksOnly);
    }
    Object mode = variable.get();
    return mode == null ? Optional.empty() : RunMode.of(String.valueOf(mode)).filter(RunMode::walksOnly);
  }
}
