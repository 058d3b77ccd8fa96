package io.drrunbook.prechecks;

import io.drrunbook.common.DrGroups;
import io.drrunbook.core.ProcedureCatalog;
import io.drrunbook.core.ProcedureSpec;
import io.drrunbook.core.RunMode;
import io.drrunbook.core.RunVariables;
import io.drrunbook.engine.PeriodicTask;
import io.drrunbook.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Refuses an execute or drill run whose systems an active execute or drill run holds, however it is
 * started (product API, Tasklist, the engine's REST API): a built-in start listener
 * ({@link ConflictEnginePlugin}) claims the systems of the procedure's {@code acts-on}
 * ({@link ProcedureSpec#getActsOn()}, host groups resolved to their hosts through the topology) in
 * {@link SystemClaims}, in the transaction that starts the run, and a built-in end listener frees
 * them when the run ends (completed, cancelled, deleted); a sweep frees those of runs that no longer
 * exist. A dry-run or a precheck claims nothing and is always allowed; a run called by another run
 * runs under its caller's claim. A dr-approvers member may start a run anyway by giving
 * {@link RunVariables#OVERLAP_REASON}: recorded as a comment of the run and as variables (who, over
 * which runs).
 */
@Component
public class ConflictGate {

  private static final Logger log = LoggerFactory.getLogger(ConflictGate.class);

  private final ProcedureCatalog catalog;
  private final Topology topology;
  private final SystemClaims claims;
  private final RuntimeService runtime;
  private final IdentityService identity;
  private final RunMode defaultMode;
  private final PeriodicTask sweeper;

  public ConflictGate(ProcedureCatalog catalog, Topology topology, SystemClaims claims,
      RuntimeService runtime, IdentityService identity,
      @Value("${dr.runs.default-mode:execute}") String defaultMode,
      @Value("${dr.runs.claim-sweep-interval:30s}") Duration sweepInterval) {
    this.catalog = catalog;
    this.topology = topology;
    this.claims = claims;
    this.runtime = runtime;
    this.identity = identity;
    this.defaultMode = RunMode.of(defaultMode).orElse(RunMode.EXECUTE);
    this.sweeper = new PeriodicTask("dr-claim-sweep", sweepInterval, this::sweep);
  }

  /** The systems a run of the procedure claims, sorted: {@code acts-on} with groups resolved. */
  public List<String> systems(ProcedureSpec procedure) {
    TreeSet<String> systems = new TreeSet<>();
    for (String system : procedure.getActsOn()) {
      int colon = system.indexOf(':');
      String kind = colon < 0 ? "" : system.substring(0, colon);
      String name = system.substring(colon + 1);
      switch (kind) {
        case "group" -> topology.group(name).forEach(host -> systems.add("host:" + host));
        case "host" -> {
          topology.host(name);
          systems.add(system);
        }
        case "database" -> {
          topology.database(name);
          systems.add(system);
        }
        case "endpoint" -> {
          topology.endpoint(name);
          systems.add(system);
        }
        case "record" -> {
          topology.dnsRecord(name);
          systems.add(system);
        }
        default -> throw new IllegalStateException("acts-on '" + system + "': the kind is not one of"
            + " host, group, database, endpoint, record");
      }
    }
    return List.copyOf(systems);
  }

  /** The systems an active run holds (none when it holds none, e.g. a dry-run). */
  public List<String> heldBy(String runId) {
    return claims.of(runId);
  }

  /**
   * At the start of a run (built-in start listener): claims its systems, or refuses the start with a
   * {@link ConflictingRunException} naming the active run that holds one of them.
   */
  public void runStarted(DelegateExecution run, String procedureId) {
    Optional<ProcedureSpec> procedure = catalog.find(procedureId);
    if (procedure.isEmpty() || procedure.get().getActsOn().isEmpty()
        || run.getProcessInstance().getSuperExecution() != null) {
      return;
    }
    Object given = run.getVariable(RunVariables.RUN_MODE);
    Optional<RunMode> mode = given == null ? Optional.of(defaultMode) : RunMode.of(String.valueOf(given));
    if (mode.isEmpty() || (mode.get() != RunMode.EXECUTE && mode.get() != RunMode.DRILL)) {
      return; // a dry-run or a precheck acts on nothing; an unknown mode is refused by the precheck gate
    }
    String runId = run.getProcessInstanceId();
    String ticket = ticket(run);
    List<String> systems = systems(procedure.get());
    Map<String, SystemClaims.Claim> active = new LinkedHashMap<>();
    for (SystemClaims.Claim claim : claims.held(systems)) {
      if (active.containsKey(claim.runId()) || isActive(claim.runId())) {
        active.putIfAbsent(claim.runId(), claim);
      } else {
        claims.release(claim.runId()); // its run has ended without its end listener (the sweep's job)
      }
    }
    if (active.isEmpty()) {
      try {
        claims.claim(systems, runId, procedureId, ticket, false);
      } catch (DataAccessException e) {
        throw new ConflictingRunException("another run acting on " + String.join(", ", systems)
            + " is being started at this moment: run of " + procedureId + " for ticket " + ticket
            + " not started", null, null, systems);
      }
      return;
    }
    SystemClaims.Claim first = active.values().iterator().next();
    List<String> shared = new ArrayList<>();
    claims.held(systems).stream().filter(c -> c.runId().equals(first.runId()))
        .forEach(c -> shared.add(c.system()));
    Object reason = run.getVariable(RunVariables.OVERLAP_REASON);
    Authentication caller = identity.getCurrentAuthentication();
    boolean approver = caller != null && caller.getGroupIds() != null
        && caller.getGroupIds().contains(DrGroups.APPROVERS);
    if (reason == null || String.valueOf(reason).isBlank() || !approver) {
      throw new ConflictingRunException("run " + first.runId() + " of " + first.procedureId()
          + " for ticket " + first.ticketId() + " is active and acts on " + String.join(", ", shared)
          + ": run of " + procedureId + " for ticket " + ticket + " not started"
          + (reason == null ? "" : " (only a member of " + DrGroups.APPROVERS + " may start it anyway)"),
          first.runId(), first.ticketId(), shared);
    }
    String over = String.join(",", active.keySet());
    claims.claim(systems, runId, procedureId, ticket, true);
    run.setVariable(RunVariables.OVERLAP_APPROVED_BY, caller.getUserId());
    run.setVariable(RunVariables.OVERLAP_RUNS, over);
    run.getProcessEngineServices().getTaskService().createComment(null, runId, "Started by "
        + caller.getUserId() + " although run(s) " + over + " act on the same systems ("
        + String.join(", ", shared) + "): " + reason);
    log.warn("run {} of {} for ticket {} started by {} over active run(s) {}: {}", runId, procedureId,
        ticket, caller.getUserId(), over, reason);
  }

  /** At the end of a run (built-in end listener: completed, cancelled, deleted): frees its systems. */
  public void runEnded(DelegateExecution run) {
    int freed = claims.release(run.getProcessInstanceId());
    if (freed > 0) {
      log.info("run {} ended: {} systems freed", run.getProcessInstanceId(), freed);
    }
  }

  // ------------------------------------------------------------------------------- the sweep

  /**
   * Resolves every procedure's {@code acts-on} once (a name the topology lacks fails here), then
   * sweeps. A topology without any site (an installation not configured yet) is not checked here:
   * each start resolves its procedure's systems and is refused while they are unknown.
   */
  @EventListener(ApplicationReadyEvent.class)
  public void start() {
    if (topology.properties().getSites() == null || topology.properties().getSites().isEmpty()) {
      log.warn("the topology defines no sites: the procedures' acts-on are checked when a run starts");
      sweeper.start();
      return;
    }
    for (String id : catalog.ids()) {
      try {
        systems(catalog.find(id).orElseThrow());
      } catch (RuntimeException e) {
        throw new IllegalStateException("dr.procedures." + id + ".acts-on: " + e.getMessage(), e);
      }
    }
    sweeper.start();
  }

  @jakarta.annotation.PreDestroy
  public void stop() {
    sweeper.stop();
  }

  /** Frees the systems of runs that no longer exist (ended while no listener could see it). */
  public void sweep() {
    for (String runId : claims.runs()) {
      if (!isActive(runId)) {
        log.info("run {} no longer exists: {} systems freed", runId, claims.release(runId));
      }
    }
  }

  private boolean isActive(String runId) {
    return runtime.createProcessInstanceQuery().processInstanceId(runId).count() > 0;
  }

  private static String ticket(DelegateExecution run) {
    Object ticket = run.getVariable(RunVariables.TICKET_ID);
    return ticket == null ? run.getProcessBusinessKey() : String.valueOf(ticket);
  }
}
