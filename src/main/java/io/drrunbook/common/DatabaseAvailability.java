package io.drrunbook.common;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up, before the product schema and the engine touch the engine database: waits until it
 * answers and accepts writes, saying in one log line per attempt what is wrong (cannot be reached,
 * refuses the login, is read-only, e.g. a standby not yet promoted) and when it tries again, with a
 * delay that doubles from {@code first} up to {@code max}. A node started before its database, or
 * against the standby of a site switch, waits for it instead of ending in a stack trace.
 *
 * <p>The probe opens its own connection with the pool's URL and credentials (a pool waits its whole
 * connection timeout for each attempt) and asks the server whether it is read-only: PostgreSQL's
 * {@code transaction_read_only} (on for a hot standby), Oracle's {@code V$DATABASE.OPEN_MODE} where
 * the user may read it, otherwise the driver's {@code isReadOnly}.
 */
public final class DatabaseAvailability {

  private static final Logger log = LoggerFactory.getLogger(DatabaseAvailability.class);

  private final Duration first;
  private final Duration max;

  public DatabaseAvailability(Duration first, Duration max) {
    this.first = first;
    this.max = max.compareTo(first) < 0 ? first : max;
  }

  /** Returns once the database accepts writes; retries for as long as it takes. */
  public void awaitWritable(DataSource dataSource) {
    String url = url(dataSource);
    Duration delay = first;
    for (int attempt = 1; ; attempt++) {
      String problem = problem(dataSource);
      if (problem == null) {
        if (attempt > 1) {
          log.info("engine database {} answers and accepts writes (attempt {})", url, attempt);
        }
        return;
      }
      log.warn("engine database {} {}: waiting for it, attempt {}, next in {} s", url, problem, attempt,
          delay.toSeconds());
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the engine database " + url, e);
      }
      delay = delay.multipliedBy(2).compareTo(max) > 0 ? max : delay.multipliedBy(2);
    }
  }

  /** What keeps the database from being used now, or null. */
  static String problem(DataSource dataSource) {
    try (Connection connection = open(dataSource)) {
      return readOnly(connection) ? "is read-only (a standby not promoted yet?)" : null;
    } catch (SQLException e) {
      return "cannot be used (" + firstLine(e) + ")";
    }
  }

  private static Connection open(DataSource dataSource) throws SQLException {
    if (dataSource instanceof HikariDataSource pool && pool.getJdbcUrl() != null) {
      return DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
    }
    return dataSource.getConnection();
  }

  private static boolean readOnly(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    try (Statement sql = connection.createStatement()) {
      if (product.contains("postgresql")) {
        try (ResultSet rows = sql.executeQuery("SHOW transaction_read_only")) {
          return rows.next() && "on".equalsIgnoreCase(rows.getString(1));
        }
      }
      if (product.contains("oracle")) {
        try (ResultSet rows = sql.executeQuery("SELECT OPEN_MODE FROM V$DATABASE")) {
          return rows.next() && rows.getString(1).toUpperCase(Locale.ROOT).startsWith("READ ONLY");
        } catch (SQLException notAllowed) {
          // the user may not read V$DATABASE: the driver's answer below
        }
      }
    }
    return connection.isReadOnly();
  }

  private static String url(DataSource dataSource) {
    if (dataSource instanceof HikariDataSource pool && pool.getJdbcUrl() != null) {
      String jdbc = pool.getJdbcUrl();
      int parameters = jdbc.indexOf('?');
      return parameters < 0 ? jdbc : jdbc.substring(0, parameters);
    }
    return dataSource.getClass().getSimpleName();
  }

  private static String firstLine(SQLException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
