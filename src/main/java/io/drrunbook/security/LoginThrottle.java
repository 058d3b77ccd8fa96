package io.drrunbook.security;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed logins counted per source address and per user, in two bounded in-memory tables whose
 * entries expire {@code window} after their first failure. A source with {@code sourceMaxFailures}
 * failures in its window is refused (429, {@link #retryAfterSeconds}) until the window ends; a user
 * with more than {@code userFreeFailures} failures is only slowed ({@link #delayFor}: a growing
 * wait before each of its next checks, at most {@code userMaxDelay}), never refused, so that no
 * stranger can lock a user out. A successful login of a user clears that user's count (not the
 * source's). Thread-safe; the engine itself never locks a user (see application.yaml).
 */
public class LoginThrottle {

  private final Clock clock;
  private final Duration window;
  private final int sourceMaxFailures;
  private final int userFreeFailures;
  private final Duration userBaseDelay;
  private final Duration userMaxDelay;
  private final int maxEntries;
  private final Map<String, Failures> sources = new LinkedHashMap<>();
  private final Map<String, Failures> users = new LinkedHashMap<>();

  public LoginThrottle(Clock clock, Duration window, int sourceMaxFailures, int userFreeFailures,
      Duration userBaseDelay, Duration userMaxDelay, int maxEntries) {
    if (sourceMaxFailures < 1 || userFreeFailures < 0 || maxEntries < 1) {
      throw new IllegalArgumentException("login throttle: source-max-failures and max-entries must be"
          + " at least 1, user-free-failures at least 0");
    }
    this.clock = clock;
    this.window = window;
    this.sourceMaxFailures = sourceMaxFailures;
    this.userFreeFailures = userFreeFailures;
    this.userBaseDelay = userBaseDelay;
    this.userMaxDelay = userMaxDelay;
    this.maxEntries = maxEntries;
  }

  /** Seconds until the source may try again (at least 1), or 0 when it may try now. */
  public synchronized long retryAfterSeconds(String source) {
    Failures failures = current(sources, source);
    if (failures == null || failures.count < sourceMaxFailures) {
      return 0;
    }
    long millis = failures.firstMillis + window.toMillis() - clock.millis();
    return Math.max(1, (millis + 999) / 1000);
  }

  /** How long to wait before checking a password of this user (zero: at once). */
  public synchronized Duration delayFor(String user) {
    Failures failures = user == null ? null : current(users, user);
    if (failures == null || failures.count <= userFreeFailures) {
      return Duration.ZERO;
    }
    int doublings = Math.min(failures.count - userFreeFailures - 1, 30);
    Duration delay = userBaseDelay.multipliedBy(1L << doublings);
    return delay.compareTo(userMaxDelay) > 0 ? userMaxDelay : delay;
  }

  /** A failed login from the source, for the user (null: no user named, such as a bad token). */
  public synchronized void failed(String source, String user) {
    count(sources, source);
    if (user != null) {
      count(users, user);
    }
  }

  public synchronized void succeeded(String user) {
    if (user != null) {
      users.remove(user);
    }
  }

  synchronized int size() {
    return sources.size() + users.size();
  }

  private void count(Map<String, Failures> table, String key) {
    Failures failures = current(table, key);
    if (failures == null) {
      makeRoom(table);
      failures = new Failures(clock.millis());
      table.put(key, failures);
    }
    failures.count++;
  }

  private Failures current(Map<String, Failures> table, String key) {
    Failures failures = table.get(key);
    if (failures != null && expired(failures)) {
      table.remove(key);
      return null;
    }
    return failures;
  }

  /** Drops expired entries when the table is full, then the oldest if it still is. */
  private void makeRoom(Map<String, Failures> table) {
    if (table.size() < maxEntries) {
      return;
    }
    table.values().removeIf(this::expired);
    if (table.size() >= maxEntries) {
      table.entrySet().stream().min(Comparator.comparingLong(entry -> entry.getValue().firstMillis))
          .map(Map.Entry::getKey).ifPresent(table::remove);
    }
  }

  private boolean expired(Failures failures) {
    return clock.millis() - failures.firstMillis >= window.toMillis();
  }

  private static final class Failures {
    private final long firstMillis;
    private int count;

    private Failures(long firstMillis) {
      this.firstMillis = firstMillis;
    }
  }
}
