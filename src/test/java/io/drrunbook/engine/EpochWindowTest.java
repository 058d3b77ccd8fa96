package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import org.junit.jupiter.api.Test;

/** The re-aggregation window of seed 001 step 10.1 in Unix epoch seconds (plain unit test). */
class EpochWindowTest {

  static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
  final EpochWindow window = new EpochWindow(Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void shouldGiveCurrentEpochSecondsWhenNowIsAsked() {
    assertThat(window.now()).isEqualTo(NOW.getEpochSecond()).isEqualTo(1795168800L);
  }

  @Test
  void shouldGive24HoursBeforeFailureWhenFailureTimeIsIsoText() {
    // failure at 08:15 UTC given with a +01:00 offset: 07:15 UTC; 24 hours before: 2026-11-19T07:15Z
    assertThat(window.hoursBefore("2026-11-20T08:15:00+01:00", 24))
        .isEqualTo(Instant.parse("2026-11-19T07:15:00Z").getEpochSecond());
  }

  @Test
  void shouldAcceptDateWhenFailureTimeIsADatetimeRunParameter() {
    Date failure = Date.from(Instant.parse("2026-11-20T07:15:00Z"));

    assertThat(window.hoursBefore(failure, 24)).isEqualTo(Instant.parse("2026-11-19T07:15:00Z").getEpochSecond());
    assertThat(window.epochSeconds(OffsetDateTime.parse("2026-11-20T07:15:00Z")))
        .isEqualTo(failure.toInstant().getEpochSecond());
  }

  @Test
  void shouldRefuseTimeWhenItHasNoOffsetOrIsMissing() {
    assertThatThrownBy(() -> window.hoursBefore("2026-11-20T08:15:00", 24))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ISO-8601");
    assertThatThrownBy(() -> window.hoursBefore(null, 24))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no time given");
    assertThatThrownBy(() -> window.hoursBefore("2026-11-20T08:15:00Z", -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
