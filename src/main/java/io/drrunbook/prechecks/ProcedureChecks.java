package io.drrunbook.prechecks;

import io.drrunbook.connectors.ConnectorContract;
import io.drrunbook.connectors.ConnectorContract.ReadOnly;
import io.drrunbook.connectors.ConnectorContract.ReadOnlyKind;
import io.drrunbook.connectors.ConnectorContracts;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.sql.StatementCatalog;
import io.drrunbook.connectors.ssh.CommandCatalog;
import io.drrunbook.core.PrecheckSpec;
import io.drrunbook.core.ProcedureProperties;
import io.drrunbook.core.ProcedureSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * The checks a procedure declares for its precheck ({@code prechecks} of its catalog entry): the
 * state it expects to find, such as replication running and caught up, or a database's role. Each is
 * a read-only step run through its connector route once per precheck walk, when the walk begins.
 * Only calls that change nothing are accepted (checked at start-up), as the route's contract says
 * ({@code readOnly} of {@code connectors/<route>.contract.yaml}): a route that always reads, a call
 * whose input has a reading value (goldengate operation status or lag, http-request GET), or a
 * catalog entry without a run part (ssh-exec's verify-only commands, sql-exec's statements without
 * {@code run}), a file-edit with {@code preview=true} (its detail then holds the diff the edit would
 * make to the file as it is).
 */
@Component
public class ProcedureChecks {

  /** Kind under which procedure checks are recorded next to the systems checked. */
  public static final String KIND = "check";

  private final ProcedureProperties procedures;
  private final PrecheckResults results;
  private final ProducerTemplate producer;

  public ProcedureChecks(ProcedureProperties procedures, PrecheckResults results, ProducerTemplate producer,
      ConnectorContracts contracts, CommandCatalog commands, StatementCatalog statements) {
    this.procedures = procedures;
    this.results = results;
    this.producer = producer;
    List<String> problems = problems(procedures, contracts, commands, statements);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the prechecks of config/procedures.yaml are not read-only or"
          + " incomplete: " + problems);
    }
  }

  static List<String> problems(ProcedureProperties procedures, ConnectorContracts contracts,
      CommandCatalog commands, StatementCatalog statements) {
    List<String> problems = new ArrayList<>();
    procedures.forEach((id, procedure) -> {
      for (int i = 0; i < procedure.getPrechecks().size(); i++) {
        PrecheckSpec check = procedure.getPrechecks().get(i);
        String where = id + ".prechecks[" + i + "]";
        if (check.getName() == null || check.getName().isBlank()) {
          problems.add(where + ": name is missing");
        }
        ReadOnly rule = contracts.contract(check.getRoute()).map(ConnectorContract::readOnly).orElse(null);
        if (rule == null || rule.kind() == ReadOnlyKind.NEVER) {
          problems.add(where + ": route must be one of " + contracts.readingRoutes()
              + " (a route whose contract reads only)");
        } else if (rule.kind() == ReadOnlyKind.CATALOG) {
          catalogProblem(rule, check.getInputs(), commands, statements).ifPresent(problem -> problems.add(where + ": "
              + problem));
        } else if (!rule.readsOnly(check.getInputs()).orElse(false)) {
          problems.add(where + ": a " + check.getRoute() + " precheck may only read (" + rule.describe() + ")");
        }
      }
    });
    return problems;
  }

  /** Why the catalog entry the check names changes a system, if it does (or cannot be found). */
  private static Optional<String> catalogProblem(ReadOnly rule, Map<String, String> in, CommandCatalog commands,
      StatementCatalog statements) {
    String key = String.valueOf(in.get(rule.catalogInput()));
    try {
      if ("commands".equals(rule.catalog())) {
        return commands.command(key).verifyOnly() ? Optional.empty()
            : Optional.of("command " + key + " changes the system (it has a run line)");
      }
      return statements.statement(key).getRun() == null ? Optional.empty()
          : Optional.of("statement " + key + " changes the database (it has a run statement)");
    } catch (RuntimeException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** Runs the procedure's checks for a precheck walk, each once; a failed check is recorded, not thrown. */
  public void runOnce(String walkId, String procedureId) {
    ProcedureSpec procedure = procedures.get(procedureId);
    if (procedure == null) {
      return;
    }
    for (PrecheckSpec check : procedure.getPrechecks()) {
      if (results.checked(walkId, KIND, check.getName())) {
        continue;
      }
      long started = System.nanoTime();
      boolean ok = false;
      String detail;
      try {
        Map<String, Object> inputs = new LinkedHashMap<>(check.getInputs());
        inputs.put("idempotencyKey", walkId + ":precheck:" + check.getName());
        Object result = producer.requestBody("direct:" + check.getRoute(), inputs);
        ok = true;
        detail = check.getName() + ": as expected" + (result instanceof Map<?, ?> map && map.get("stdout") != null
            ? " (" + firstLine(String.valueOf(map.get("stdout"))) + ")" : "")
            + (result instanceof Map<?, ?> map && map.get("diff") instanceof String diff && !diff.isEmpty()
                ? "; the edit would change the file:\n" + diff : "");
      } catch (CamelExecutionException e) {
        detail = check.getName() + ": " + describe(e.getCause() == null ? e : e.getCause());
      } catch (RuntimeException e) {
        detail = check.getName() + ": " + describe(e);
      }
      results.record(walkId, KIND, check.getName(), ok, ok ? "as expected" : "not as expected", detail,
          null, (System.nanoTime() - started) / 1_000_000);
    }
  }

  private static String describe(Throwable e) {
    return e instanceof StepBusinessException business ? business.getMessage() : String.valueOf(e.getMessage());
  }

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    return line.length() <= 200 ? line : line.substring(0, 200);
  }
}
