package io.drrunbook.runs;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * A token bucket per caller for {@code POST /api/runs} (every request counts, valid or not), so a
 * misconfigured ticketing system that floods the endpoint cannot exhaust the engine: a bucket holds
 * {@code dr.api.start-rate-per-minute} tokens and refills at that rate. In memory, per node: a limit
 * of N per node is enough against a flood.
 */
@Component
public class StartRateLimiter {

  private final double capacity;
  private final double perMilli;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  @Autowired
  public StartRateLimiter(@Value("${dr.api.start-rate-per-minute:30}") int perMinute) {
    this(perMinute, Clock.systemUTC());
  }

  StartRateLimiter(int perMinute, Clock clock) {
    if (perMinute < 1) {
      throw new IllegalArgumentException("dr.api.start-rate-per-minute must be at least 1");
    }
    this.capacity = perMinute;
    this.perMilli = perMinute / 60_000.0;
    this.clock = clock;
  }

  /** Takes a token of {@code caller}'s bucket; 0 if granted, else the seconds until the next token. */
  public long acquire(String caller) {
    Bucket bucket = buckets.computeIfAbsent(caller, c -> new Bucket(capacity, clock.millis()));
    synchronized (bucket) {
      long now = clock.millis();
      bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updated) * perMilli);
      bucket.updated = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perMilli / 1000.0));
    }
  }

  /** Empties {@code caller}'s bucket now, as a flood would (the next token comes in 60/rate s). */
  void exhaust(String caller) {
    Bucket bucket = buckets.computeIfAbsent(caller, c -> new Bucket(capacity, clock.millis()));
    synchronized (bucket) {
      bucket.tokens = 0;
      bucket.updated = clock.millis();
    }
  }

  /** Fills {@code caller}'s bucket again, as a quiet minute would. */
  void refill(String caller) {
    buckets.remove(caller);
  }

  private static final class Bucket {
    private double tokens;
    private long updated;

    private Bucket(double tokens, long updated) {
      this.tokens = tokens;
      this.updated = updated;
    }
  }
}
