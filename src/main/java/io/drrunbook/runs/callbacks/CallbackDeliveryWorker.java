package io.drrunbook.runs.callbacks;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.runs.callbacks.CallbackOutbox.Attempt;
import io.drrunbook.runs.callbacks.CallbackOutbox.Row;
import io.drrunbook.runs.callbacks.CallbackOutbox.State;
import io.drrunbook.runs.callbacks.CallbackProperties.TicketSystem;
import io.drrunbook.topology.SecretResolver;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Sends the callbacks of the {@link CallbackOutbox} on its own threads, never on an engine thread:
 * a run neither waits for a ticket system nor fails because of one. The callbacks of one run to one
 * ticket system go out one at a time in the order they happened (a comment "run completed" never
 * overtakes "run started"). A 2xx answer is DELIVERED; any other answer, a time-out or a connection
 * error is retried with exponential backoff until the system's max-attempts, then FAILED (a 4xx
 * other than 408 and 429 will not get better and fails at once). Every attempt is recorded; the
 * Authorization header is resolved from its secret reference for each attempt and is never logged
 * or stored, and every text recorded is masked.
 */
@Component
public class CallbackDeliveryWorker implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(CallbackDeliveryWorker.class);
  private static final int ANSWER_LIMIT = 300;
  private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);

  private final CallbackOutbox outbox;
  private final CallbackSystems systems;
  private final CallbackProperties properties;
  private final SecretResolver secrets;
  private final SecretMasker masker;
  private final AtomicBoolean scanQueued = new AtomicBoolean();
  private final AtomicReference<Instant> plannedScan = new AtomicReference<>();

  private volatile boolean running;
  private HttpClient http;
  private ScheduledExecutorService scanner;
  private ExecutorService senders;

  public CallbackDeliveryWorker(CallbackOutbox outbox, CallbackSystems systems,
      CallbackProperties properties, SecretResolver secrets, SecretMasker masker) {
    this.outbox = outbox;
    this.systems = systems;
    this.properties = properties;
    this.secrets = secrets;
    this.masker = masker;
  }

  @Override
  public synchronized void start() {
    if (running || !properties.isWorkerEnabled()) {
      return;
    }
    senders = Executors.newFixedThreadPool(Math.max(1, properties.getThreads()),
        named("dr-callback-send"));
    scanner = Executors.newSingleThreadScheduledExecutor(named("dr-callback-scan"));
    http = HttpClient.newBuilder()
        .connectTimeout(properties.getConnectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    running = true;
    long interval = properties.getPollInterval().toMillis();
    scanner.scheduleWithFixedDelay(this::scanSafely, 0, interval, TimeUnit.MILLISECONDS);
    log.info("callback delivery started ({} sender threads)", properties.getThreads());
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    scanner.shutdownNow();
    senders.shutdown();
    try {
      if (!senders.awaitTermination(5, TimeUnit.SECONDS)) {
        senders.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      senders.shutdownNow();
    }
    // a callback cut off here stays PENDING and its lease runs out: it is sent again later
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Looks for due callbacks now (after a transaction that recorded some committed). */
  public void wakeUp() {
    if (running && scanQueued.compareAndSet(false, true)) {
      try {
        scanner.execute(this::scanSafely);
      } catch (RuntimeException e) {
        scanQueued.set(false);
      }
    }
  }

  private void scanSafely() {
    scanQueued.set(false);
    try {
      scan();
    } catch (RuntimeException e) {
      log.warn("could not scan the callback outbox: {}", e.toString());
    }
  }

  private void scan() {
    Instant now = Instant.now();
    Set<String> seen = new HashSet<>();
    for (Row row : outbox.pending()) {
      // only the first pending callback of a run to a system may go; the others wait their turn
      if (!running || !seen.add(row.processInstanceId() + "\n" + row.ticketSystem())) {
        continue;
      }
      if (row.nextAttemptAt() != null && row.nextAttemptAt().isAfter(now)) {
        scheduleScan(Duration.between(now, row.nextAttemptAt()));
        continue;
      }
      Duration timeout = systems.get(row.ticketSystem()).map(TicketSystem::getTimeout)
          .orElse(Duration.ofSeconds(10));
      if (outbox.claim(row, now, now.plus(timeout).plus(LEASE_MARGIN))) {
        senders.execute(() -> sendSafely(row));
      }
    }
  }

  /** A scan at a callback's next attempt, unless the regular poll or an earlier one comes first. */
  private void scheduleScan(Duration delay) {
    if (!running || delay.compareTo(properties.getPollInterval()) >= 0) {
      return;
    }
    Instant at = Instant.now().plus(delay);
    Instant planned = plannedScan.get();
    if (planned != null && planned.isAfter(Instant.now()) && !planned.isAfter(at)) {
      return;
    }
    plannedScan.set(at);
    scanner.schedule(this::scanSafely, delay.toMillis() + 10, TimeUnit.MILLISECONDS);
  }

  private void sendSafely(Row row) {
    try {
      send(row);
    } catch (RuntimeException e) {
      log.warn("callback {} of run {} to {}: could not record the attempt: {}", row.event(),
          row.processInstanceId(), row.ticketSystem(), masker.mask(e.toString()));
    } finally {
      wakeUp();
    }
  }

  private void send(Row row) {
    int attemptNumber = row.attempts() + 1;
    TicketSystem system = systems.get(row.ticketSystem()).orElse(null);
    Instant started = Instant.now();
    Integer status = null;
    String error = null;
    boolean permanent = false;
    if (system == null) {
      error = "ticket system '" + row.ticketSystem() + "' is no longer configured";
      permanent = true;
    } else {
      try {
        HttpResponse<InputStream> response = http.send(request(system, row),
            HttpResponse.BodyHandlers.ofInputStream());
        status = response.statusCode();
        String answer = head(response.body());
        if (status < 200 || status > 299) {
          error = "HTTP " + status + (answer.isBlank() ? "" : ": " + answer);
          permanent = status >= 400 && status < 500 && status != 408 && status != 429;
        }
      } catch (HttpTimeoutException e) {
        error = "timed out after " + system.getTimeout().toMillis() + " ms";
      } catch (IOException e) {
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        error = "interrupted (the application is stopping)";
      } catch (RuntimeException e) {
        // a template that cannot be filled, an unreadable secret reference, a refused request
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
        permanent = true;
      }
    }
    Instant ended = Instant.now();
    Attempt attempt = new Attempt(attemptNumber, started, status,
        error == null ? null : masker.mask(error), Duration.between(started, ended).toMillis());
    int maxAttempts = system == null ? 1 : system.getMaxAttempts();
    if (error == null) {
      outbox.recordAttempt(row, attempt, State.DELIVERED, null);
      log.info("callback {} of run {} to {} (ticket {}) delivered at attempt {}: HTTP {}",
          row.event(), row.processInstanceId(), row.ticketSystem(), printable(row.ticketId()),
          attemptNumber, status);
    } else if (permanent || attemptNumber >= maxAttempts) {
      outbox.recordAttempt(row, attempt, State.FAILED, null);
      log.warn("callback {} of run {} to {} (ticket {}) FAILED after {} attempt(s): {}",
          row.event(), row.processInstanceId(), row.ticketSystem(), printable(row.ticketId()),
          attemptNumber, printable(attempt.error()));
    } else {
      Instant next = ended.plus(system.getBackoff().after(attemptNumber));
      outbox.recordAttempt(row, attempt, State.PENDING, next);
      log.info("callback {} of run {} to {}: attempt {} of {} failed ({}), next at {}",
          row.event(), row.processInstanceId(), row.ticketSystem(), attemptNumber, maxAttempts,
          printable(attempt.error()), next);
      scheduleScan(Duration.between(Instant.now(), next));
    }
  }

  private HttpRequest request(TicketSystem system, Row row) {
    String body = CallbackTemplates.body(system.getBodyTemplate(), row.values(),
        system.getContentType());
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create(CallbackTemplates.url(system.getUrlTemplate(), row.values())))
        .timeout(system.getTimeout())
        .header("Content-Type", system.getContentType())
        .header("Accept", "application/json")
        .method(system.getMethod().toUpperCase(Locale.ROOT),
            HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    String reference = system.getAuthorization();
    if (reference != null && !reference.isBlank()) {
      request.header("Authorization", secrets.resolve(reference));
    }
    return request.build();
  }

  /** The start of an answer, for the attempt record (masked by the caller); the rest is dropped. */
  private static String head(InputStream body) throws IOException {
    try (InputStream in = body) {
      byte[] bytes = in.readNBytes(ANSWER_LIMIT);
      return new String(bytes, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
    }
  }

  /** A value from outside (ticket id, answer) on one log line: control characters escaped. */
  private static String printable(String text) {
    return text == null ? null : text.replaceAll("\\p{Cntrl}", "?");
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
