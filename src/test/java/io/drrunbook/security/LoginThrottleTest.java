package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The throttle's arithmetic on a clock the test moves: refusal per source, delays per user. */
class LoginThrottleTest {

  private final MovableClock clock = new MovableClock();
  private final LoginThrottle throttle = new LoginThrottle(clock, Duration.ofMinutes(5), 20, 5,
      Duration.ofMillis(100), Duration.ofSeconds(1), 100);

  @Test
  void shouldRefuseTheSourceWhenItFailedTwentyTimes() {
    for (int i = 0; i < 19; i++) {
      throttle.failed("10.0.0.1", "approver");
    }
    assertThat(throttle.retryAfterSeconds("10.0.0.1")).isZero();

    throttle.failed("10.0.0.1", "approver");
    clock.advance(Duration.ofSeconds(60));

    assertThat(throttle.retryAfterSeconds("10.0.0.1")).isEqualTo(240);
    assertThat(throttle.retryAfterSeconds("10.0.0.2")).as("another source").isZero();
  }

  @Test
  void shouldLetTheSourceTryAgainWhenItsWindowHasEnded() {
    for (int i = 0; i < 20; i++) {
      throttle.failed("10.0.0.1", "approver");
    }
    clock.advance(Duration.ofMinutes(5));

    assertThat(throttle.retryAfterSeconds("10.0.0.1")).isZero();
    assertThat(throttle.delayFor("approver")).isEqualTo(Duration.ZERO);
  }

  @Test
  void shouldOnlySlowTheUserWhenStrangersFailForItFromManySources() {
    for (int i = 0; i < 5; i++) {
      throttle.failed("10.0.1." + i, "approver");
    }
    assertThat(throttle.delayFor("approver")).isEqualTo(Duration.ZERO);

    throttle.failed("10.0.2.1", "approver");
    assertThat(throttle.delayFor("approver")).isEqualTo(Duration.ofMillis(100));
    throttle.failed("10.0.2.2", "approver");
    assertThat(throttle.delayFor("approver")).isEqualTo(Duration.ofMillis(200));
    for (int i = 0; i < 1000; i++) {
      throttle.failed("10.0.3." + i, "approver");
    }

    assertThat(throttle.delayFor("approver")).isEqualTo(Duration.ofSeconds(1));
    assertThat(throttle.delayFor("approver2")).isEqualTo(Duration.ZERO);
  }

  @Test
  void shouldClearTheUsersDelayWhenItLogsIn() {
    for (int i = 0; i < 10; i++) {
      throttle.failed("10.0.0.1", "approver");
    }

    throttle.succeeded("approver");

    assertThat(throttle.delayFor("approver")).isEqualTo(Duration.ZERO);
    assertThat(throttle.retryAfterSeconds("10.0.0.1")).as("the source keeps its count").isZero();
    for (int i = 0; i < 10; i++) {
      throttle.failed("10.0.0.1", "approver");
    }
    assertThat(throttle.retryAfterSeconds("10.0.0.1")).isPositive();
  }

  @Test
  void shouldStayWithinItsBoundWhenThousandsOfSourcesFail() {
    for (int i = 0; i < 5000; i++) {
      throttle.failed("10.1." + (i / 256) + "." + (i % 256), "user" + i);
    }

    assertThat(throttle.size()).isEqualTo(200);
    assertThat(throttle.retryAfterSeconds("10.1.0.0")).isZero();
  }

  @Test
  void shouldCountAnIpv6SourceByItsNetworkWhenItChangesItsInterfaceId() {
    assertThat(LoginThrottleFilter.source("2001:db8:1:2:a::1"))
        .isEqualTo(LoginThrottleFilter.source("2001:db8:1:2:ffff::9"))
        .isNotEqualTo(LoginThrottleFilter.source("2001:db8:1:3::1"));
    assertThat(LoginThrottleFilter.source("127.0.0.2")).isEqualTo("127.0.0.2");
  }

  private static final class MovableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
