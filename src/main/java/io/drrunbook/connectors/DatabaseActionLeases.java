package io.drrunbook.connectors;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@link ActionLeases} in the engine database every node shares (table {@code DR_ACTION_LEASE}):
 * one row per action under way, inserted by the node that takes it (the primary key lets one
 * through), renewed every third of {@code dr.actions.lease-duration} (30 s) while the action runs,
 * deleted when it ends. A node that died holding one leaves it to expire; the next taker replaces
 * an expired row. Each statement is its own short transaction, never part of the engine's (a
 * remote step does not run inside a database transaction). Times are the nodes' clocks, as the
 * engine's own job and external-task locks are: keep them in step (NTP).
 */
@Component
@DependsOnDatabaseInitialization
public class DatabaseActionLeases implements ActionLeases, DisposableBean {

  static final String TABLE = "DR_ACTION_LEASE";
  private static final Logger log = LoggerFactory.getLogger(DatabaseActionLeases.class);
  private static final long POLL_MILLIS = 200;

  private final JdbcTemplate jdbc;
  private final Duration leaseDuration;
  private final Clock clock;
  private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "dr-action-lease-renewal");
    thread.setDaemon(true);
    return thread;
  });

  @Autowired
  public DatabaseActionLeases(DataSource dataSource,
      @Value("${dr.actions.lease-duration:30s}") Duration leaseDuration) {
    this(dataSource, leaseDuration, Clock.systemUTC());
  }

  DatabaseActionLeases(DataSource dataSource, Duration leaseDuration, Clock clock) {
    this.jdbc = new JdbcTemplate(dataSource);
    this.leaseDuration = leaseDuration;
    this.clock = clock;
  }

  @Override
  public Lease acquire(String key, String text) {
    String id = sha256(key);
    String owner = UUID.randomUUID().toString();
    String shown = text.length() > 300 ? text.substring(0, 300) : text;
    boolean said = false;
    while (!take(id, shown, owner)) {
      if (!said) {
        log.info("action {} is under way in another node's step: waiting for it to end", shown);
        said = true;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for action " + shown
            + ", under way in another node's step", e);
      }
    }
    long renewEvery = Math.max(1, leaseDuration.toMillis() / 3);
    ScheduledFuture<?> renewal = renewals.scheduleAtFixedRate(() -> renew(id, owner, shown),
        renewEvery, renewEvery, TimeUnit.MILLISECONDS);
    return () -> {
      renewal.cancel(false);
      jdbc.update("DELETE FROM " + TABLE + " WHERE ACTION_KEY = ? AND OWNER = ?", id, owner);
    };
  }

  /** Inserts the lease, or replaces an expired one; false while another holder's is current. */
  private boolean take(String id, String text, String owner) {
    Timestamp now = Timestamp.from(clock.instant());
    Timestamp expires = Timestamp.from(clock.instant().plus(leaseDuration));
    try {
      jdbc.update("INSERT INTO " + TABLE + " (ACTION_KEY, ACTION_TEXT, OWNER, EXPIRES_AT) VALUES (?, ?, ?, ?)",
          id, text, owner, expires);
      return true;
    } catch (DataIntegrityViolationException held) {
      return jdbc.update("UPDATE " + TABLE + " SET OWNER = ?, ACTION_TEXT = ?, EXPIRES_AT = ?"
          + " WHERE ACTION_KEY = ? AND EXPIRES_AT < ?", owner, text, expires, id, now) == 1;
    }
  }

  private void renew(String id, String owner, String text) {
    try {
      if (jdbc.update("UPDATE " + TABLE + " SET EXPIRES_AT = ? WHERE ACTION_KEY = ? AND OWNER = ?",
          Timestamp.from(clock.instant().plus(leaseDuration)), id, owner) == 0) {
        log.warn("lease of action {} was lost (expired and taken by another node?)", text);
      }
    } catch (RuntimeException e) {
      log.warn("lease of action {} could not be renewed: {}", text, e.getMessage());
    }
  }

  private static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void destroy() {
    renewals.shutdownNow();
  }
}
