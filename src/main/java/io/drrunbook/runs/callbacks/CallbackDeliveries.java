package io.drrunbook.runs.callbacks;

import io.drrunbook.runs.callbacks.CallbackOutbox.Attempt;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * What the run status shows of the write-back to its ticket: each callback (event, ticket system,
 * state, attempts with their outcome). Read-only; holds no secret (none is ever stored).
 */
@Component
public class CallbackDeliveries {

  /** One callback of one event to one ticket system. */
  public record Delivery(String event, String system, String ticketId, String state,
      int attempts, Integer lastStatus, String lastError, Instant createdAt,
      Instant lastAttemptAt, Instant nextAttemptAt, Instant finishedAt,
      List<Attempt> attemptLog) {}

  private final CallbackOutbox outbox;

  public CallbackDeliveries(CallbackOutbox outbox) {
    this.outbox = outbox;
  }

  /** The callbacks of a run in the order of their events; empty for an unknown run. */
  public List<Delivery> forRun(String processInstanceId) {
    return outbox.forProcessInstance(processInstanceId).stream()
        .map(row -> new Delivery(row.event(), row.ticketSystem(), row.ticketId(),
            row.state().name(), row.attempts(), row.lastStatus(), row.lastError(),
            row.createdAt(), row.lastAttemptAt(),
            row.state() == CallbackOutbox.State.PENDING ? row.nextAttemptAt() : null,
            row.finishedAt(), outbox.attempts(row.id())))
        .toList();
  }
}
