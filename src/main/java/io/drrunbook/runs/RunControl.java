package io.drrunbook.runs;

import io.drrunbook.common.ApiException;
import io.drrunbook.common.DrGroups;
import io.drrunbook.common.FreeText;
import io.drrunbook.engine.StepFailureDecisionListener;
import io.drrunbook.engine.StepWorker;
import io.drrunbook.prechecks.PrecheckGate;
import io.drrunbook.prechecks.RunKeyGuard;
import io.drrunbook.runs.ApiCaller.Caller;
import io.drrunbook.runs.RunViews.Run;
import io.drrunbook.runs.RunViews.RunDetail;
import java.util.List;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Changes an active run on a person's behalf: cancel, pause, resume, and the override of a failed
 * precheck. Each is recorded as a comment of the run (user, time, reason) and allowed only to the
 * groups named on each method.
 */
@Service
public class RunControl {

  static final int MAX_REASON = 2000;
  /** Shared with the abort of a failure decision, so that both show as the run's cancellation. */
  static final String CANCEL_PREFIX = StepFailureDecisionListener.ABORT_COMMENT_PREFIX;
  static final String PAUSE_PREFIX = "Run paused: ";
  static final String RESUME_PREFIX = "Run resumed: ";
  static final List<String> MAY_CHANGE = List.of(DrGroups.OPERATORS, DrGroups.APPROVERS, DrGroups.ADMINS);
  private static final int CHANGE_ATTEMPTS = 5;
  private static final Logger log = LoggerFactory.getLogger(RunControl.class);

  private final RunLookup lookup;
  private final RunReader reader;
  private final RunKeyGuard guard;
  private final ApiCaller callers;
  private final RuntimeService runtime;
  private final TaskService tasks;
  private final TransactionTemplate transaction;
  private final PrecheckGate prechecks;

  public RunControl(RunLookup lookup, RunReader reader, RunKeyGuard guard, ApiCaller callers,
      RuntimeService runtime, TaskService tasks, TransactionTemplate transaction, PrecheckGate prechecks) {
    this.lookup = lookup;
    this.reader = reader;
    this.guard = guard;
    this.callers = callers;
    this.runtime = runtime;
    this.tasks = tasks;
    this.transaction = transaction;
    this.prechecks = prechecks;
  }

  /**
   * Cancels an active run: only members of dr-operators, dr-approvers or dr-admins; the reason and
   * the caller are recorded as a comment of the run (user, time, reason) and as the delete reason in
   * its history.
   */
  public RunDetail cancel(String id, String reason, String baseUrl) {
    Caller caller = mayChange("cancel");
    if (reason == null || reason.isBlank()) {
      throw ApiException.invalid("reason", "is required");
    }
    FreeText.check("reason", reason, MAX_REASON);
    activeRun(id);
    changeRetrying(id, "cancelled", () -> {
      // recorded as the caller (the comment's user), then removed by the application: the
      // API's own role check above decides who may cancel
      tasks.createComment(null, id, CANCEL_PREFIX + reason);
      callers.asApplication(() -> {
        runtime.deleteProcessInstance(id, "cancelled by " + caller.userId() + ": " + reason,
            false, true);
        return null;
      });
      guard.release(id);
    });
    log.info("run {} cancelled by {}", id, caller.userId());
    return reader.detail(id, baseUrl);
  }

  // ------------------------------------------------------------------------------------ pause

  /**
   * Pauses an active run through the engine's suspension (Cockpit shows it suspended): no step of
   * it is fetched, no job runs, its tasks cannot be completed until it is resumed; a step running
   * at that moment finishes and is completed when the run resumes (see {@link StepWorker}). Only
   * members of dr-operators, dr-approvers or dr-admins; recorded as a comment of the run.
   */
  public RunDetail pause(String id, String reason, String baseUrl) {
    return changeSuspension(id, reason, true, baseUrl);
  }

  /** Resumes a paused run; same rules and record as {@link #pause}. */
  public RunDetail resume(String id, String reason, String baseUrl) {
    return changeSuspension(id, reason, false, baseUrl);
  }

  private RunDetail changeSuspension(String id, String reason, boolean suspend, String baseUrl) {
    String verb = suspend ? "pause" : "resume";
    Caller caller = mayChange(verb);
    String text = reason == null ? "" : reason.strip();
    FreeText.check("reason", text, MAX_REASON);
    activeRun(id);
    changeRetrying(id, verb + "d", () -> {
      var current = runtime.createProcessInstanceQuery().processInstanceId(id).singleResult();
      if (current == null) {
        throw ApiException.conflict("id", "the run has already ended");
      }
      PrecheckGate.State held = suspend ? null : prechecks.state(id);
      if (held == PrecheckGate.State.RUNNING || held == PrecheckGate.State.FAILED) {
        throw ApiException.conflict("id", "the run is held by its precheck (" + held + "); it is"
            + " released when the precheck passes, or by a member of " + DrGroups.APPROVERS
            + " through POST /api/runs/" + id + "/precheck/override with a note");
      }
      if (current.isSuspended() == suspend) {
        throw ApiException.conflict("id", suspend ? "the run is already paused" : "the run is not paused");
      }
      tasks.createComment(null, id, (suspend ? PAUSE_PREFIX : RESUME_PREFIX) + text);
      var update = runtime.updateProcessInstanceSuspensionState().byProcessInstanceId(id);
      if (suspend) {
        update.suspend();
      } else {
        update.activate();
      }
    });
    log.info("run {} {} by {}", id, suspend ? "paused" : "resumed", caller.userId());
    return reader.detail(id, baseUrl);
  }

  /**
   * Releases an execute run held by a failed precheck: only members of dr-approvers, never the one
   * who started the run (a second pair of eyes), with a note; recorded on the run (variables kept in
   * history and shown in its status and report) and as a comment.
   */
  public RunDetail overridePrecheck(String id, String note, String baseUrl) {
    Caller caller = callers.current();
    if (!caller.groups().contains(DrGroups.APPROVERS)) {
      throw ApiException.forbidden("only members of " + DrGroups.APPROVERS + " may override a failed precheck");
    }
    String text = note == null ? "" : note.strip();
    if (text.isEmpty()) {
      throw ApiException.invalid("note", "is required: say why the run may go ahead despite its precheck");
    }
    FreeText.check("note", text, MAX_REASON);
    HistoricProcessInstance instance = activeRun(id);
    if (caller.userId().equals(instance.getStartUserId())) {
      throw ApiException.forbidden("four-eyes rule: user '" + caller.userId() + "' started this run and"
          + " cannot override its precheck; another member of " + DrGroups.APPROVERS + " must");
    }
    transaction.executeWithoutResult(status -> {
      PrecheckGate.State state = prechecks.state(id);
      if (state != PrecheckGate.State.FAILED) {
        throw ApiException.conflict("id", state == null ? "the run has no precheck to override"
            : "the run's precheck is " + state + "; only a FAILED precheck can be overridden");
      }
      tasks.createComment(null, id, "Precheck overridden: " + text);
      if (!prechecks.override(id, caller.userId(), text)) {
        throw ApiException.conflict("id", "the run's precheck is no longer FAILED; reload the run");
      }
    });
    log.info("precheck of run {} overridden by {}", id, caller.userId());
    return reader.detail(id, baseUrl);
  }

  /** The caller, when a member of {@link #MAY_CHANGE}; else a 403 problem. */
  private Caller mayChange(String verb) {
    Caller caller = callers.current();
    if (!caller.inAny(MAY_CHANGE)) {
      throw ApiException.forbidden("only members of " + MAY_CHANGE + " may " + verb + " a run");
    }
    return caller;
  }

  /** The run, when it exists (404) and has not ended (409). */
  private HistoricProcessInstance activeRun(String id) {
    HistoricProcessInstance instance = lookup.historic(id);
    if (instance.getEndTime() != null) {
      throw ApiException.conflict("id", "the run has already ended");
    }
    return instance;
  }

  /**
   * Carries out a change of the run in one transaction, again when the step worker changed one of
   * the run's steps meanwhile (locked or completed it), until the run has ended or
   * {@value #CHANGE_ATTEMPTS} attempts failed.
   */
  private void changeRetrying(String id, String done, Runnable change) {
    for (int attempt = 1; ; attempt++) {
      try {
        transaction.executeWithoutResult(status -> change.run());
        return;
      } catch (OptimisticLockingException e) {
        if (attempt == CHANGE_ATTEMPTS) {
          throw ApiException.conflict("id", "the run kept changing while it was being " + done + "; retry");
        }
        if (runtime.createProcessInstanceQuery().processInstanceId(id).count() == 0) {
          throw ApiException.conflict("id", "the run has already ended");
        }
      }
    }
  }
}
