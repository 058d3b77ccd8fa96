package io.drrunbook;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.approval.DecisionRecord;
import io.drrunbook.approval.DecisionRecord.Decision;
import io.drrunbook.core.RunMode;
import io.drrunbook.core.RunModes;
import io.drrunbook.engine.StepJournal;
import io.drrunbook.plans.RunPlans;
import io.drrunbook.prechecks.PrecheckGate;
import io.drrunbook.prechecks.PrecheckHolds;
import io.drrunbook.prechecks.PrecheckResults;
import io.drrunbook.prechecks.RunKeyGuard;
import io.drrunbook.prechecks.RunKeyGuard.RunKey;
import io.drrunbook.runs.callbacks.CallbackEvent;
import io.drrunbook.runs.callbacks.CallbackOutbox;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes and reads back a row through every class that owns a product table, with the statements
 * those classes use: what proves that a schema (migrated or baselined, H2 or PostgreSQL) is the one
 * the code expects. Ids are fresh per call, so it can run on a shared database.
 */
public record ProductTablesRoundTrip(StepJournal journal, DecisionRecord decisions, RunKeyGuard keys,
    CallbackOutbox outbox, RunModes modes, RunPlans plans, PrecheckResults prechecks,
    PrecheckHolds holds) {

  /** Asserts that each table takes a row and gives it back as written. */
  public void assertEveryTableWorks() {
    String run = "schema-" + UUID.randomUUID();
    String json = "{\"text\":\"" + "x".repeat(5000) + "\"}";

    journal.started(run + ":step", run, "Task_Check", "ssh-exec");
    journal.done(run + ":step", Map.of("stdout", json));
    StepJournal.Entry step = journal.find(run + ":step").orElseThrow();
    assertThat(step.state()).isEqualTo(StepJournal.State.DONE);
    assertThat(step.attempts()).isEqualTo(1);
    assertThat(step.result()).containsEntry("stdout", json);
    assertThat(journal.forProcessInstance(run)).hasSize(1);

    Instant decided = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    decisions.record(new Decision(run + ":task", "Task_Approve", "Approve", run, "approver", decided,
        true, json));
    assertThat(decisions.forProcessInstance(run)).singleElement().satisfies(d -> {
      assertThat(d.decidedAt()).isEqualTo(decided);
      assertThat(d.evidenceJson()).isEqualTo(json);
      assertThat(d.approval()).isTrue();
    });
    assertThat(decisions.lastApprover(run)).contains("approver");

    RunKey key = new RunKey("dr-schema-test", "jira", run.substring(0, 40));
    keys.claim(key, run);
    assertThat(keys.holder(key)).contains(run);
    keys.release(run);
    assertThat(keys.holder(key)).isEmpty();

    String id = outbox.enqueue(run, "schema-test", "DR-1", CallbackEvent.RUN_STARTED, Map.of("text", json));
    CallbackOutbox.Row row = outbox.forProcessInstance(run).get(0);
    assertThat(row.id()).isEqualTo(id);
    assertThat(row.values()).containsEntry("text", json);
    assertThat(row.state()).isEqualTo(CallbackOutbox.State.PENDING);
    outbox.recordAttempt(row, new CallbackOutbox.Attempt(1, Instant.now(), 200, null, 12),
        CallbackOutbox.State.DELIVERED, null);
    assertThat(outbox.forProcessInstance(run).get(0).state()).isEqualTo(CallbackOutbox.State.DELIVERED);
    assertThat(outbox.attempts(id)).singleElement().satisfies(a -> {
      assertThat(a.httpStatus()).isEqualTo(200);
      assertThat(a.durationMillis()).isEqualTo(12);
    });

    modes.record(run, "dr-schema-test", RunMode.PRECHECK);
    assertThat(modes.recorded(run)).contains(RunMode.PRECHECK);
    assertThat(modes.recorded(List.of(run, "no-such-run"))).containsOnly(Map.entry(run, RunMode.PRECHECK));

    plans.record(new RunPlans.Entry(run, run + ":a1", "Task_Check", "Check", "step", "ssh-exec",
        List.of(json), List.of("host site2.cs"), decided));
    assertThat(plans.forRun(run)).singleElement().satisfies(e -> {
      assertThat(e.actions()).containsExactly(json);
      assertThat(e.targets()).containsExactly("host site2.cs");
      assertThat(e.recordedAt()).isEqualTo(decided);
    });

    prechecks.record(run, "host", "site2.cs", false, "ssh", "connection refused", "Task_Check",
        1234567890123L);
    assertThat(prechecks.forRun(run)).singleElement().satisfies(r -> {
      assertThat(r.ok()).isFalse();
      assertThat(r.detail()).isEqualTo("connection refused");
      assertThat(r.durationMs()).isEqualTo(1234567890123L);
    });
    assertThat(prechecks.checked(run, "host", "site2.cs")).isTrue();

    holds.hold(run, run + "-walk");
    assertThat(holds.move(run, PrecheckGate.State.RUNNING, PrecheckGate.State.FAILED)).isTrue();
    assertThat(holds.override(run, "approver", "checked by phone")).isTrue();
    assertThat(holds.find(run)).hasValueSatisfying(h -> {
      assertThat(h.state()).isEqualTo(PrecheckGate.State.OVERRIDDEN);
      assertThat(h.overriddenBy()).isEqualTo("approver");
      assertThat(h.overrideNote()).isEqualTo("checked by phone");
    });
    holds.runEnded(run);
    assertThat(holds.open(PrecheckGate.State.OVERRIDDEN)).noneMatch(h -> h.runId().equals(run));
  }
}
