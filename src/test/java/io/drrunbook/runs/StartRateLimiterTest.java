package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StartRateLimiterTest {

  private Instant now = Instant.parse("2025-01-31T22:00:00Z");
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  @Test
  void shouldGrantTheRatePerMinuteThenAskToRetryWhenTheBucketIsEmpty() {
    StartRateLimiter limiter = new StartRateLimiter(30, clock);

    for (int i = 0; i < 30; i++) {
      assertThat(limiter.acquire("ticketing")).as("request %d", i + 1).isZero();
    }

    assertThat(limiter.acquire("ticketing")).isEqualTo(2);
  }

  @Test
  void shouldGrantAgainWhenTheBucketHasRefilled() {
    StartRateLimiter limiter = new StartRateLimiter(30, clock);
    for (int i = 0; i < 30; i++) {
      limiter.acquire("ticketing");
    }

    now = now.plus(Duration.ofSeconds(2));

    assertThat(limiter.acquire("ticketing")).isZero();
    assertThat(limiter.acquire("ticketing")).isPositive();
  }

  @Test
  void shouldRefuseUntilTheNextTokenWhenTheBucketWasExhausted() {
    StartRateLimiter limiter = new StartRateLimiter(30, clock);

    limiter.exhaust("ticketing");

    assertThat(limiter.acquire("ticketing")).isEqualTo(2);
    now = now.plus(Duration.ofMillis(1999));
    assertThat(limiter.acquire("ticketing")).isEqualTo(1);
    now = now.plus(Duration.ofMillis(1));
    assertThat(limiter.acquire("ticketing")).isZero();
  }

  @Test
  void shouldKeepOneBucketPerCallerWhenSeveralCallersStart() {
    StartRateLimiter limiter = new StartRateLimiter(1, clock);

    assertThat(limiter.acquire("servicenow")).isZero();
    assertThat(limiter.acquire("servicenow")).isEqualTo(60);
    assertThat(limiter.acquire("jira")).isZero();
  }
}
