package io.drrunbook.runs;

import io.drrunbook.common.ApiException;
import io.drrunbook.common.DrGroups;
import io.drrunbook.common.FieldProblem;
import io.drrunbook.common.FreeText;
import io.drrunbook.core.ProcedureCatalog;
import io.drrunbook.core.ProcedureSpec;
import io.drrunbook.core.RunMode;
import io.drrunbook.core.RunVariables;
import io.drrunbook.core.Tickets;
import io.drrunbook.prechecks.ConflictingRunException;
import io.drrunbook.prechecks.PrecheckGate;
import io.drrunbook.prechecks.RunKeyGuard.RunKey;
import io.drrunbook.prechecks.RunKeyGuard;
import io.drrunbook.runs.ApiCaller.Caller;
import io.drrunbook.runs.RunViews.Run;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.RuntimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Starts runs of catalog procedures for tickets: the request is validated against the
 * {@link ProcedureCatalog} before anything is started, and a start is idempotent through
 * {@link RunKeyGuard} (the same procedure and ticket answer with the active run). Starts run with the
 * caller's engine authentication in place, so the engine's authorizations apply and the start event's
 * {@code camunda:initiator} ({@code runStartedBy}) is the caller.
 */
@Service
public class RunStarter {

  /** The outcome of a start request: the run, and whether this request created it. */
  public record Started(Run run, boolean created) {}

  static final Pattern TICKET_ID = Tickets.ID;
  static final Pattern TICKET_SYSTEM = Tickets.SYSTEM;
  static final int MAX_URL = Tickets.MAX_URL;
  static final int MAX_REASON = 2000;
  private static final int START_ATTEMPTS = 5;
  private static final Logger log = LoggerFactory.getLogger(RunStarter.class);

  private final ProcedureCatalog catalog;
  private final RunKeyGuard guard;
  private final ApiCaller callers;
  private final RuntimeService runtime;
  private final TransactionTemplate transaction;
  private final PrecheckGate prechecks;
  private final RunLookup lookup;

  public RunStarter(ProcedureCatalog catalog, RunKeyGuard guard, ApiCaller callers, RuntimeService runtime,
      TransactionTemplate transaction, PrecheckGate prechecks, RunLookup lookup) {
    this.catalog = catalog;
    this.guard = guard;
    this.callers = callers;
    this.runtime = runtime;
    this.transaction = transaction;
    this.prechecks = prechecks;
    this.lookup = lookup;
  }

  /**
   * Starts a run, or answers with the active run of the same procedure and ticket. Everything is
   * validated before anything is started; a refused request starts nothing.
   */
  public Started start(StartRunRequest request, String baseUrl) {
    Caller caller = callers.current();
    if (request == null) {
      throw ApiException.invalid("body", "a JSON object is required");
    }
    List<FieldProblem> problems = new ArrayList<>();
    if (request.procedure() == null) {
      problems.add(new FieldProblem("procedure", "is required"));
    }
    Optional<ProcedureSpec> procedure = catalog.find(request.procedure());
    if (request.procedure() != null && procedure.isEmpty()) {
      throw ApiException.notFound("procedure", "no such procedure (GET /api/procedures lists them)");
    }
    validateTicket(request.ticket(), problems);
    Optional<RunMode> mode = RunMode.of(request.mode());
    if (mode.isEmpty()) {
      problems.add(new FieldProblem("mode", (request.mode() == null ? "is required" : "is not supported")
          + "; allowed values: " + RunMode.ids()));
    }
    Map<String, Object> variables = procedure.isEmpty() ? Map.of()
        : catalog.variables(procedure.get(), request.parameters(), problems);
    if (request.overlap() != null) {
      if (request.overlap().reason() == null || request.overlap().reason().isBlank()) {
        problems.add(new FieldProblem("overlap.reason", "is required"));
      } else {
        FreeText.problem("overlap.reason", request.overlap().reason(), MAX_REASON).ifPresent(problems::add);
      }
    }
    if (!problems.isEmpty()) {
      throw ApiException.invalid(problems);
    }
    if (request.overlap() != null && !caller.inAny(List.of(DrGroups.APPROVERS))) {
      throw ApiException.forbidden("only a member of " + DrGroups.APPROVERS
          + " may start a run over an active run (overlap)");
    }

    String procedureId = request.procedure();
    StartRunRequest.TicketRef ticket = request.ticket();
    RunKey key = new RunKey(procedureId, ticket.system(), ticket.id());
    Map<String, Object> start = new LinkedHashMap<>(variables);
    start.put(RunVariables.TICKET_SYSTEM, ticket.system());
    start.put(RunVariables.TICKET_ID, ticket.id());
    if (ticket.url() != null) {
      start.put(RunVariables.TICKET_URL, ticket.url());
    }
    start.put(RunVariables.RUN_MODE, mode.get().id());
    if (request.overlap() != null) {
      start.put(RunVariables.OVERLAP_REASON, request.overlap().reason());
    }

    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      Optional<String> holder = guard.holder(key);
      if (holder.isPresent()) {
        if (callers.asApplication(() -> isActive(holder.get()))) {
          log.info("start of {} for {}:{} by {}: run {} is active, not started again",
              procedureId, ticket.system(), ticket.id(), caller.userId(), holder.get());
          return new Started(lookup.run(holder.get(), baseUrl), false);
        }
        guard.release(holder.get());
        continue;
      }
      try {
        String id = transaction.execute(status -> {
          String processInstanceId = runtime
              .startProcessInstanceByKey(procedureId, ticket.id(), start).getId();
          guard.claim(key, processInstanceId);
          // an execute run is held by its precheck from its start (PrecheckGate.runStarted); paused
          // in this same transaction, so that not even its first manual step can be worked early
          prechecks.pauseIfHeld(processInstanceId);
          return processInstanceId;
        });
        log.info("run {} of {} started for {}:{} by {} ({})", id, procedureId, ticket.system(),
            ticket.id(), caller.userId(), mode.get().id());
        return new Started(lookup.run(id, baseUrl), true);
      } catch (ConflictingRunException e) {
        if (attempt < START_ATTEMPTS && (e.activeRunId() == null || guard.holder(key).isPresent())) {
          // another start claimed a system at the same instant, or an identical request has just
          // started the run: the next attempt answers with that run, or names the one in the way
          log.info("start of {} for {}:{}: another start claimed its systems at the same instant",
              procedureId, ticket.system(), ticket.id());
          continue;
        }
        log.info("start of {} for {}:{} by {} refused: {}", procedureId, ticket.system(), ticket.id(),
            caller.userId(), e.getMessage());
        throw conflict(e, baseUrl);
      } catch (DataIntegrityViolationException | ConcurrencyFailureException e) {
        log.info("start of {} for {}:{}: an identical request won the race ({})", procedureId,
            ticket.system(), ticket.id(), e.getClass().getSimpleName());
      }
    }
    throw ApiException.conflict("ticket", "an identical start request is being processed; retry");
  }

  /** The 409 of a run whose systems an active run holds: names the active run and its ticket. */
  private ApiException conflict(ConflictingRunException e, String baseUrl) {
    Map<String, Object> properties = new LinkedHashMap<>();
    if (e.activeRunId() != null) {
      Map<String, Object> active = new LinkedHashMap<>();
      active.put("id", e.activeRunId());
      active.put("ticket", e.activeTicket());
      active.put("href", baseUrl + "/api/runs/" + e.activeRunId());
      properties.put("activeRun", active);
    }
    properties.put("systems", e.systems());
    String message = e.activeRunId() == null ? e.getMessage()
        : e.getMessage() + "; a member of " + DrGroups.APPROVERS
            + " may start it anyway with overlap.reason";
    return ApiException.conflict("overlap", message, properties);
  }

  private static void validateTicket(StartRunRequest.TicketRef ticket, List<FieldProblem> problems) {
    if (ticket == null) {
      problems.add(new FieldProblem("ticket", "is required"));
      return;
    }
    if (ticket.system() == null) {
      problems.add(new FieldProblem("ticket.system", "is required"));
    } else if (!TICKET_SYSTEM.matcher(ticket.system()).matches()) {
      problems.add(new FieldProblem("ticket.system", "must match " + TICKET_SYSTEM));
    }
    if (ticket.id() == null) {
      problems.add(new FieldProblem("ticket.id", "is required"));
    } else if (!TICKET_ID.matcher(ticket.id()).matches()) {
      problems.add(new FieldProblem("ticket.id", "must match " + TICKET_ID));
    }
    if (ticket.url() != null && !Tickets.httpUrl(ticket.url())) {
      problems.add(new FieldProblem("ticket.url",
          "must be an absolute http or https URL of at most " + MAX_URL + " characters"));
    }
  }

  private boolean isActive(String processInstanceId) {
    return runtime.createProcessInstanceQuery().processInstanceId(processInstanceId).count() > 0;
  }
}
