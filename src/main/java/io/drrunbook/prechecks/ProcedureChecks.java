package io.drrunbook.prechecks;

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
import java.util.Set;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * The checks a procedure declares for its precheck ({@code prechecks} of its catalog entry): the
 * state it expects to find, such as replication running and caught up, or a database's role. Each is
 * a read-only step run through its connector route once per precheck walk, when the walk begins.
 * Only routes and entries that change nothing are accepted (checked at start-up): ssh-exec with a
 * verify-only command, sql-exec with a statement that has no {@code run}, dns-resolve,
 * http-request with GET, and goldengate status or lag.
 */
@Component
public class ProcedureChecks {

  /** Kind under which procedure checks are recorded next to the systems checked. */
  public static final String KIND = "check";
  private static final Set<String> ROUTES = Set.of("ssh-exec", "sql-exec", "dns-resolve", "http-request",
      "goldengate");
  private static final Set<String> READING_GOLDENGATE_OPERATIONS = Set.of("status", "lag");

  private final ProcedureProperties procedures;
  private final PrecheckResults results;
  private final ProducerTemplate producer;

  public ProcedureChecks(ProcedureProperties procedures, PrecheckResults results, ProducerTemplate producer,
      CommandCatalog commands, StatementCatalog statements) {
    this.procedures = procedures;
    this.results = results;
    this.producer = producer;
    List<String> problems = problems(procedures, commands, statements);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the prechecks of config/procedures.yaml are not read-only or"
          + " incomplete: " + problems);
    }
  }

  static List<String> problems(ProcedureProperties procedures, CommandCatalog commands,
      StatementCatalog statements) {
    List<String> problems = new ArrayList<>();
    procedures.forEach((id, procedure) -> {
      for (int i = 0; i < procedure.getPrechecks().size(); i++) {
        PrecheckSpec check = procedure.getPrechecks().get(i);
        String where = id + ".prechecks[" + i + "]";
        Map<String, String> in = check.getInputs();
        if (check.getName() == null || check.getName().isBlank()) {
          problems.add(where + ": name is missing");
        }
        if (!ROUTES.contains(check.getRoute())) {
          problems.add(where + ": route must be one of " + ROUTES);
        } else if ("ssh-exec".equals(check.getRoute())) {
          try {
            if (!commands.command(String.valueOf(in.get("command"))).verifyOnly()) {
              problems.add(where + ": command " + in.get("command") + " changes the system (it has a run line)");
            }
          } catch (RuntimeException e) {
            problems.add(where + ": " + e.getMessage());
          }
        } else if ("sql-exec".equals(check.getRoute())) {
          try {
            if (statements.statement(String.valueOf(in.get("statement"))).getRun() != null) {
              problems.add(where + ": statement " + in.get("statement") + " changes the database (it has a run statement)");
            }
          } catch (RuntimeException e) {
            problems.add(where + ": " + e.getMessage());
          }
        } else if ("goldengate".equals(check.getRoute())
            && !READING_GOLDENGATE_OPERATIONS.contains(in.getOrDefault("operation", ""))) {
          problems.add(where + ": a goldengate precheck may only read (operation status or lag)");
        } else if ("http-request".equals(check.getRoute())
            && !"GET".equalsIgnoreCase(in.getOrDefault("method", "GET"))) {
          problems.add(where + ": only GET requests may be prechecks");
        }
      }
    });
    return problems;
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
            ? " (" + firstLine(String.valueOf(map.get("stdout"))) + ")" : "");
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
