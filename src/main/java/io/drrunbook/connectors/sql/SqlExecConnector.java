package io.drrunbook.connectors.sql;

import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepInputs;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.StepPlanner;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.connectors.sql.StatementCatalog.StatementSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.stereotype.Component;

/**
 * Route {@code sql-exec}: runs one named statement of the {@link StatementCatalog} on a target
 * database of the topology, check -> act -> verify, with bound parameters only. Used by service
 * tasks such as {@code Task_EnableDatabaseAccess} of dr-genesys-cs-failover.
 */
@Component("sqlExec")
public class SqlExecConnector implements StepPlanner {

  private static final Logger log = LoggerFactory.getLogger(SqlExecConnector.class);

  private final StatementCatalog catalog;
  private final TargetDatabases databases;

  public SqlExecConnector(StatementCatalog catalog, TargetDatabases databases) {
    this.catalog = catalog;
    this.databases = databases;
  }

  public Map<String, Object> execute(Map<String, Object> body) {
    StepInputs inputs = new StepInputs(body);
    String database = inputs.required("database");
    String key = inputs.required("statement");
    StatementSpec spec = catalog.statement(key);
    MapSqlParameterSource parameters = new MapSqlParameterSource(inputs.arguments("database", "statement"));
    Duration timeout = inputs.timeout(spec.getTimeout());

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("database", database);
    result.put("statement", key);
    long started = System.nanoTime();
    try (Connection connection = databases.open(database)) {
      NamedParameterJdbcTemplate jdbc = template(connection, timeout);
      if (spec.getCheck() != null) {
        String before = firstValue(jdbc, spec.getCheck(), parameters);
        result.put("valueBefore", before);
        if (spec.getCheckDone() != null && before != null
            && Pattern.compile(spec.getCheckDone()).matcher(before).find()) {
          log.info("sql {} on {}: already done ({}), nothing to change", key, database, before);
          result.put("changed", false);
          result.put("valueAfter", before);
          result.put("durationMs", elapsedMs(started));
          return result;
        }
      }
      if (spec.getRun() != null) {
        Integer rows = jdbc.execute(spec.getRun(), parameters,
            statement -> statement.execute() ? -1 : statement.getUpdateCount());
        if (rows != null && rows >= 0) {
          result.put("rowsAffected", rows);
        }
        result.put("changed", true);
      } else {
        result.put("changed", false);
      }
      if (spec.getVerify() != null) {
        String after = firstValue(jdbc, spec.getVerify(), parameters);
        result.put("valueAfter", after);
        if (spec.getVerifyExpect() != null
            && (after == null || !Pattern.compile(spec.getVerifyExpect()).matcher(after).find())) {
          result.put("durationMs", elapsedMs(started));
          throw new StepBusinessException("DR_VERIFY_FAILED", "database " + database + ": after "
              + key + " the check answers '" + after + "', expected /" + spec.getVerifyExpect() + "/",
              result);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("database " + database + ": " + e.getMessage(), e);
    } catch (DataAccessException e) {
      throw new IllegalStateException("database " + database + ", statement " + key + ": "
          + e.getMostSpecificCause().getMessage(), e);
    }
    result.put("durationMs", elapsedMs(started));
    return result;
  }

  @Override
  public Set<String> plannedRoutes() {
    return Set.of("sql-exec");
  }

  /** The statements the step would send, in order, each with its bound values. Nothing is contacted. */
  @Override
  public StepPlan plan(String route, Map<String, Object> body) {
    StepInputs inputs = new StepInputs(body);
    String database = inputs.required("database");
    String key = inputs.required("statement");
    StatementSpec spec = catalog.statement(key);
    Map<String, Object> parameters = inputs.arguments("database", "statement");
    String on = "sql " + databases.describe(database) + " [" + key + "] ";
    String bound = parameters.isEmpty() ? "" : "   with " + parameters.entrySet().stream()
        .map(p -> ":" + p.getKey() + " = " + literal(p.getValue())).collect(Collectors.joining(", "));
    List<String> actions = new ArrayList<>();
    if (spec.getCheck() != null) {
      actions.add(on + "check: " + spec.getCheck().strip() + bound
          + (spec.getCheckDone() == null ? "" : "   (nothing changed when it answers /" + spec.getCheckDone() + "/)"));
    }
    if (spec.getRun() != null) {
      actions.add(on + "run: " + spec.getRun().strip() + bound);
    }
    if (spec.getVerify() != null) {
      actions.add(on + "verify: " + spec.getVerify().strip() + bound
          + (spec.getVerifyExpect() == null ? "" : "   (must answer /" + spec.getVerifyExpect() + "/)"));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("database", database);
    result.put("statement", key);
    if (spec.getCheck() != null) {
      result.put("valueBefore", StepPlan.readAtRunTime(key + " check at " + database));
    }
    if (spec.getVerify() != null) {
      result.put("valueAfter", StepPlan.readAtRunTime(key + " at " + database));
    }
    result.put("changed", spec.getRun() != null);
    result.put("durationMs", 0L);
    return new StepPlan(actions, List.of(new StepPlan.Target(TargetKind.DATABASE, database)), result);
  }

  private static String literal(Object value) {
    return value instanceof Number || value instanceof Boolean || value == null ? String.valueOf(value)
        : "'" + String.valueOf(value).replace("'", "''") + "'";
  }

  private static NamedParameterJdbcTemplate template(Connection connection, Duration timeout) {
    JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(connection, true));
    jdbc.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
    return new NamedParameterJdbcTemplate(jdbc);
  }

  private static String firstValue(NamedParameterJdbcTemplate jdbc, String query,
      MapSqlParameterSource parameters) {
    List<Object> values = jdbc.query(query, parameters, (rs, i) -> rs.getObject(1));
    return values.isEmpty() || values.get(0) == null ? null : values.get(0).toString();
  }

  private static long elapsedMs(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }
}
