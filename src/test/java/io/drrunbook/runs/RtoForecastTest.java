package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.runs.RtoForecast.Drill;
import io.drrunbook.runs.RtoForecast.Forecast;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The projection from two earlier drills of known step durations. */
class RtoForecastTest {

  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final Instant NOW_START = Instant.parse("2026-12-03T03:00:00Z");

  /** Drill A: declare after 10 s, switch after 70 s, end after 100 s; drill B: 20 s, 130 s, 150 s. */
  private static final List<Drill> DRILLS = List.of(
      drill(T0, 10, 70, 100),
      drill(T0.plus(Duration.ofDays(1)), 20, 130, 150));

  @Test
  void shouldProjectFromTheMedianRemainingTimeAfterTheStepThatEndedLast() {
    // the active run declared after 15 s; it is 20 s in
    Forecast afterDeclare = RtoForecast.project(NOW_START, Map.of("declare", at(15)), DRILLS, 2, at(20));

    // after "declare" drill A took 90 s more, drill B 130 s: median 110 s, so 15 + 110 = 125 s
    assertThat(afterDeclare.basedOnDrills()).isEqualTo(2);
    assertThat(afterDeclare.anchorStep()).isEqualTo("declare");
    assertThat(afterDeclare.projectedEnd()).isEqualTo(at(125));
    assertThat(afterDeclare.projectedTotalMs()).isEqualTo(125_000);
    assertThat(afterDeclare.elapsedMs()).isEqualTo(20_000);
    // 125 s is more than the RTO target of 2 minutes
    assertThat(afterDeclare.projectedWithinRto()).isFalse();
    assertThat(afterDeclare.warning()).startsWith("projected to finish after its RTO target of 2 min");

    // the switch ends at 60 s: A took 30 s after it, B 20 s: median 25 s, so 85 s, within 2 minutes
    Forecast afterSwitch = RtoForecast.project(NOW_START, Map.of("declare", at(15), "switch", at(60)), DRILLS, 2,
        at(61));
    assertThat(afterSwitch.anchorStep()).isEqualTo("switch");
    assertThat(afterSwitch.projectedEnd()).isEqualTo(at(85));
    assertThat(afterSwitch.projectedWithinRto()).isTrue();
    assertThat(afterSwitch.warning()).isNull();
  }

  @Test
  void shouldProjectTheMedianDurationBeforeAnyStepEndedAndNeverBeforeNow() {
    Forecast atStart = RtoForecast.project(NOW_START, Map.of(), DRILLS, null, at(1));
    assertThat(atStart.projectedEnd()).as("median of 100 s and 150 s").isEqualTo(at(125));
    assertThat(atStart.projectedWithinRto()).as("no RTO target").isNull();

    // the switch takes longer than in any drill: the projection is now, not a time already past
    Forecast late = RtoForecast.project(NOW_START, Map.of("declare", at(15)), DRILLS, 1, at(200));
    assertThat(late.projectedEnd()).isEqualTo(at(200));
    assertThat(late.warning()).isEqualTo("the run is past its RTO target of 1 min");
  }

  @Test
  void shouldProjectNothingWithoutAnEarlierDrill() {
    Forecast none = RtoForecast.project(NOW_START, Map.of("declare", at(15)), List.of(), 60, at(20));
    assertThat(none.basedOnDrills()).isZero();
    assertThat(none.projectedEnd()).isNull();
    assertThat(none.warning()).isNull();
    assertThat(none.elapsedMs()).isEqualTo(20_000);
  }

  private static Instant at(long seconds) {
    return NOW_START.plusSeconds(seconds);
  }

  private static Drill drill(Instant start, long declare, long sw, long end) {
    return new Drill(start, start.plusSeconds(end),
        Map.of("declare", start.plusSeconds(declare), "switch", start.plusSeconds(sw)));
  }
}
