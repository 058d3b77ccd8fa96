package io.drrunbook.engine;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One piece of work run every {@code interval} on its own daemon thread, from {@link #start} to
 * {@link #stop}; a failing round is logged and the next one runs as planned (the engine database may
 * be briefly unavailable). Used by the components that poll the engine (dry-run walks, the
 * precheck gate).
 */
public final class PeriodicTask {

  private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

  private final String name;
  private final Duration interval;
  private final Runnable work;
  private ScheduledExecutorService timer;

  public PeriodicTask(String name, Duration interval, Runnable work) {
    this.name = name;
    this.interval = interval;
    this.work = work;
  }

  public synchronized void start() {
    if (timer != null) {
      return;
    }
    timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleWithFixedDelay(this::runSafely, interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  public synchronized void stop() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }

  private void runSafely() {
    try {
      work.run();
    } catch (RuntimeException e) {
      log.warn("{} failed: {}", name, e.getMessage());
    }
  }
}
