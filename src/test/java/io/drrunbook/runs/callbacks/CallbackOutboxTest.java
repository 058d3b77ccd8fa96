package io.drrunbook.runs.callbacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.common.TestProductSchema;
import io.drrunbook.runs.callbacks.CallbackOutbox.Attempt;
import io.drrunbook.runs.callbacks.CallbackOutbox.Row;
import io.drrunbook.runs.callbacks.CallbackOutbox.State;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Claiming a callback for sending, on a real (H2) outbox table: two senders that read the same
 * pending row never both send it, also when the first has already recorded its attempt by the time
 * the second claims from what it read before (seen in TicketCallbacksTest: attempt 1 sent twice).
 */
class CallbackOutboxTest {

  private CallbackOutbox outbox;

  @BeforeEach
  void createOutbox() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:outbox-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    dataSource.setUser("sa");
    TestProductSchema.migrate(dataSource);
    outbox = new CallbackOutbox(dataSource, new DataSourceTransactionManager(dataSource));
  }

  @Test
  void shouldRefuseAClaimFromARowReadBeforeAnAttemptWasRecorded() {
    outbox.enqueue("run-1", "jira", "DR-1", CallbackEvent.RUN_STARTED, Map.of());
    Instant now = Instant.now().plusMillis(1);
    Row readByFirst = single();
    Row readBySecond = single();

    assertThat(outbox.claim(readByFirst, now, now.plusSeconds(40))).isTrue();
    // the first sender got a 503 and recorded it, with its next attempt already due
    outbox.recordAttempt(readByFirst, new Attempt(1, now, 503, "HTTP 503", 5), State.PENDING,
        now.minusMillis(1));

    assertThat(outbox.claim(readBySecond, now, now.plusSeconds(40))).isFalse();
    Row fresh = single();
    assertThat(fresh.attempts()).isEqualTo(1);
    assertThat(outbox.claim(fresh, now, now.plusSeconds(40))).isTrue();
  }

  @Test
  void shouldRefuseASecondClaimWhileTheFirstHoldsTheRowAndAClaimBeforeTheNextAttemptIsDue() {
    outbox.enqueue("run-1", "jira", "DR-1", CallbackEvent.RUN_STARTED, Map.of());
    Instant now = Instant.now().plusMillis(1);
    Row row = single();

    assertThat(outbox.claim(row, now, now.plusSeconds(40))).isTrue();
    assertThat(outbox.claim(row, now, now.plusSeconds(40))).isFalse();
    outbox.recordAttempt(row, new Attempt(1, now, 503, "HTTP 503", 5), State.PENDING,
        now.plus(Duration.ofMinutes(1)));

    Row waiting = single();
    assertThat(outbox.claim(waiting, now, now.plusSeconds(40))).isFalse();
    assertThat(outbox.claim(waiting, now.plus(Duration.ofMinutes(2)), now.plus(Duration.ofMinutes(3))))
        .isTrue();
  }

  private Row single() {
    assertThat(outbox.pending()).hasSize(1);
    return outbox.pending().get(0);
  }
}
