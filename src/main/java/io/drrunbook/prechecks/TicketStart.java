package io.drrunbook.prechecks;

import io.drrunbook.core.ProcedureCatalog;
import io.drrunbook.core.RunVariables;
import io.drrunbook.core.Tickets;
import io.drrunbook.prechecks.RunKeyGuard.RunKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;

/**
 * The ticket of a run started without a business key: a Tasklist start form asks for
 * {@code ticketSystem} and {@code ticketId} (and optionally {@code ticketUrl}); this built-in start
 * listener (registered by {@link PrecheckEnginePlugin}, before every other one) checks them as the
 * product API checks its {@code ticket} object and makes {@code ticketId} the run's business key, so
 * that the run looks like one started through {@code POST /api/runs}. Refused with a
 * {@link TicketRefusedException} naming the field: a ticket without id or system, a malformed one, or
 * a ticket that already has an active run of the procedure (the product API answers that run instead).
 * Run parameters the form does not give get the catalog's defaults, as through the product API.
 * A start with a business key (the product API, an integrator) is left as it is.
 */
@Component
public class TicketStart {

  private static final Logger log = LoggerFactory.getLogger(TicketStart.class);

  private final ProcedureCatalog catalog;
  private final RunKeyGuard keys;

  public TicketStart(ProcedureCatalog catalog, RunKeyGuard keys) {
    this.catalog = catalog;
    this.keys = keys;
  }

  /** Called when a run of {@code procedureId} starts, in the starting transaction. */
  public void runStarted(DelegateExecution run, String procedureId) {
    if (run.getProcessBusinessKey() != null || catalog.find(procedureId).isEmpty()) {
      return;
    }
    Object system = run.getVariable(RunVariables.TICKET_SYSTEM);
    Object id = run.getVariable(RunVariables.TICKET_ID);
    Object url = run.getVariable(RunVariables.TICKET_URL);
    if (system == null && id == null) {
      return; // no ticket at all: an integrator's start, readable as a key-less run
    }
    List<String> problems = new ArrayList<>();
    if (!(id instanceof String ticketId) || ticketId.isBlank()) {
      problems.add("ticketId is required (the ticket's number, e.g. CHG0012345)");
    } else if (!Tickets.ID.matcher(ticketId).matches()) {
      problems.add("ticketId '" + shown(ticketId) + "' must match " + Tickets.ID);
    }
    if (!(system instanceof String ticketSystem) || ticketSystem.isBlank()) {
      problems.add("ticketSystem is required (e.g. servicenow, jira)");
    } else if (!Tickets.SYSTEM.matcher(ticketSystem).matches()) {
      problems.add("ticketSystem '" + shown(ticketSystem) + "' must match " + Tickets.SYSTEM);
    }
    if (url instanceof String ticketUrl && ticketUrl.isBlank()) {
      run.removeVariable(RunVariables.TICKET_URL); // an optional form field left empty
    } else if (url != null && !(url instanceof String ticketUrl && Tickets.httpUrl(ticketUrl))) {
      problems.add("ticketUrl must be an absolute http or https URL of at most " + Tickets.MAX_URL
          + " characters");
    }
    if (!problems.isEmpty()) {
      throw new TicketRefusedException("Run of " + procedureId + " not started: " + String.join("; ", problems));
    }
    String refused = "Run of " + procedureId + " not started: ticket " + system + " " + id;
    RuntimeService runtime = run.getProcessEngineServices().getRuntimeService();
    List<String> active = runtime.createProcessInstanceQuery()
        .processDefinitionKey(procedureId).processInstanceBusinessKey((String) id)
        .variableValueEquals(RunVariables.TICKET_SYSTEM, system).list().stream()
        .map(instance -> instance.getId()).filter(other -> !other.equals(run.getProcessInstanceId())).toList();
    if (!active.isEmpty()) {
      throw alreadyActive(refused, active.get(0));
    }
    claim(new RunKey(procedureId, (String) system, (String) id), run.getProcessInstanceId(), runtime, refused);
    run.setProcessBusinessKey((String) id);
    // the catalog's defaults of the run parameters the form leaves out, as POST /api/runs fills them in
    // (C1's form does not ask for the Data Guard names nor C5's lag poll interval)
    catalog.variables(catalog.find(procedureId).orElseThrow(), Map.of(), new ArrayList<>())
        .forEach((name, value) -> {
          if (run.getVariable(name) == null) {
            run.setVariable(name, value);
          }
        });
    log.info("run {} of {} started without a business key: its ticket {} {} is the business key",
        run.getProcessInstanceId(), procedureId, system, id);
  }

  /**
   * Claims the ticket's active slot in {@code DR_RUN_KEY}, as {@code POST /api/runs} does, in the
   * starting transaction: of two starts of the same ticket at the same instant (two Tasklist users,
   * or Tasklist and the product API), the database lets one through, the other is refused.
   */
  private void claim(RunKey key, String processInstanceId, RuntimeService runtime, String refused) {
    Optional<String> holder = keys.holder(key);
    if (holder.isPresent()) {
      if (runtime.createProcessInstanceQuery().processInstanceId(holder.get()).count() > 0) {
        throw alreadyActive(refused, holder.get());
      }
      keys.release(holder.get()); // that run has ended: its slot is free
    }
    try {
      keys.claim(key, processInstanceId);
    } catch (DataIntegrityViolationException | ConcurrencyFailureException e) {
      throw new TicketRefusedException(refused + " is being started by another request at this moment;"
          + " look for its run before you start it again");
    }
  }

  private static TicketRefusedException alreadyActive(String refused, String runId) {
    return new TicketRefusedException(refused + " already has an active run (" + runId
        + "); work that one, or cancel it first");
  }

  /** A refused value as it may be shown: bounded, nothing but printable ASCII. */
  private static String shown(String value) {
    String printable = value.replaceAll("[^\\x20-\\x7E]", "?");
    return printable.length() > 70 ? printable.substring(0, 70) + "..." : printable;
  }
}
