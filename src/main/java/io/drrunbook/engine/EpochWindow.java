package io.drrunbook.engine;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Date;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Unix epoch seconds for BPMN expressions: the re-aggregation window of seed 001 step 10.1 and B2
 * step 19.1, "24 hours before the site failure until the current time", as
 * {@code ${epochWindow.hoursBefore(failureTime, 24)}} and {@code ${epochWindow.now()}}.
 * {@code failureTime} is the run parameter (a datetime parameter arrives as {@link Date}; ISO-8601
 * text with an offset, an {@link Instant}, {@link OffsetDateTime} or {@link ZonedDateTime} are
 * accepted too). Pure: no side effect, so it may sit in an input mapping.
 */
@Component("epochWindow")
public class EpochWindow {

  private final Clock clock;

  @Autowired
  public EpochWindow() {
    this(Clock.systemUTC());
  }

  public EpochWindow(Clock clock) {
    this.clock = clock;
  }

  /** Now, in Unix epoch seconds. */
  public long now() {
    return clock.instant().getEpochSecond();
  }

  /** The given time in Unix epoch seconds. */
  public long epochSeconds(Object time) {
    return instant(time).getEpochSecond();
  }

  /** {@code hours} hours before {@code time}, in Unix epoch seconds (hours >= 0). */
  public long hoursBefore(Object time, long hours) {
    if (hours < 0) {
      throw new IllegalArgumentException("hours must not be negative, got " + hours);
    }
    return instant(time).minusSeconds(hours * 3600).getEpochSecond();
  }

  private static Instant instant(Object time) {
    if (time == null) {
      throw new IllegalArgumentException("no time given (expected ISO-8601 with an offset, e.g. 2026-11-20T08:15:00Z)");
    }
    if (time instanceof Date date) {
      return date.toInstant();
    }
    if (time instanceof Instant instant) {
      return instant;
    }
    if (time instanceof OffsetDateTime offset) {
      return offset.toInstant();
    }
    if (time instanceof ZonedDateTime zoned) {
      return zoned.toInstant();
    }
    String text = time.toString().trim();
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 date and time with an offset"
          + " (e.g. 2026-11-20T08:15:00Z)", e);
    }
  }
}
