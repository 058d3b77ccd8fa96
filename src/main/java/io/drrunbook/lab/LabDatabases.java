package io.drrunbook.lab;

import io.drrunbook.connectors.sql.TargetDatabases;
import io.drrunbook.lab.LabProperties.LabDatabase;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The simulated target databases of the lab sites: H2 files (Oracle mode) under the lab folder, each
 * with a generated password, the DBA_USERS view of the schema account and the enable/disable access
 * procedures; a database of kind {@code info-mart} also gets what {@link LabInfoMartDatabase}
 * installs. Created at start-up, kept across restarts unless
 * {@code dr.lab.reset-on-start}; {@link #reset()} puts back the initial state.
 */
@Component
@Profile("lab")
public class LabDatabases {

  private static final Logger log = LoggerFactory.getLogger(LabDatabases.class);

  private final LabProperties lab;
  private final Topology topology;
  private final SecretResolver secrets;
  private final TargetDatabases databases;
  private final Object resetLock = new Object();

  public LabDatabases(LabProperties lab, Topology topology, SecretResolver secrets,
      TargetDatabases databases) {
    this.lab = lab;
    this.topology = topology;
    this.secrets = secrets;
    this.databases = databases;
    prepare(lab.isResetOnStart());
  }

  /** Puts every lab database back to its initial access state. */
  public void reset() {
    synchronized (resetLock) {
      lab.getDatabases().forEach((name, spec) -> initialise(name, spec, true));
    }
  }

  /** Held while the databases are put back: the lab's replication waits for it. */
  Object resetLock() {
    return resetLock;
  }

  /**
   * What one lab database answers now: its schema user's account status ({@link #LOST} for a
   * database its site lost) and, for an Info Mart database, its SCN ({@code SELECT CURRENT_SCN FROM
   * V$DATABASE}, as the export step reads it; null otherwise and when lost).
   */
  public record Reading(String access, Long currentScn) {}

  /** Account status of the schema user of each lab database, for tests; see {@link #readings()}. */
  public Map<String, String> accessStates() {
    Map<String, String> states = new LinkedHashMap<>();
    readings().forEach((name, reading) -> states.put(name, reading.access()));
    return states;
  }

  /** What each lab database answers now, by logical name, one connection each (the state view). */
  public Map<String, Reading> readings() {
    Map<String, Reading> readings = new LinkedHashMap<>();
    lab.getDatabases().forEach((name, spec) ->
        readings.put(name, isLost(name) ? new Reading(LOST, null) : read(name, spec)));
    return readings;
  }

  private Reading read(String logicalName, LabDatabase spec) {
    try (Connection connection = databases.open(logicalName)) {
      String access = accountStatus(connection, spec.getSchemaUser());
      if (!LabDatabase.KIND_INFO_MART.equals(spec.getKind())) {
        return new Reading(access, null);
      }
      try (PreparedStatement query = connection.prepareStatement("SELECT CURRENT_SCN FROM V$DATABASE");
          ResultSet rows = query.executeQuery()) {
        return new Reading(access, rows.next() ? rows.getLong(1) : null);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("lab database " + logicalName + ": " + e.getMessage(), e);
    }
  }

  /** What {@link #accessStates()} shows for a database its site lost. */
  public static final String LOST = "LOST";

  /**
   * The database is gone with its site: its file is moved aside ({@code .site-lost}), and as the
   * lab's JDBC URLs say {@code IFEXISTS=TRUE}, every connection is refused ("Database ... not found")
   * until {@link #restore} puts it back. No-op for a database already lost.
   */
  public void lose(String logicalName) {
    synchronized (resetLock) {
      Path file = h2File(topology.database(logicalName).getUrl());
      move(file, lostCopy(file));
      log.info("lab database {} lost with its site", logicalName);
    }
  }

  /** Puts a lost database back as it was when lost; no-op for one that is not lost. */
  public void restore(String logicalName) {
    synchronized (resetLock) {
      Path file = h2File(topology.database(logicalName).getUrl());
      if (Files.exists(lostCopy(file))) {
        move(lostCopy(file), file);
        log.info("lab database {} back with its site", logicalName);
      }
    }
  }

  public boolean isLost(String logicalName) {
    Path file = h2File(topology.database(logicalName).getUrl());
    return Files.exists(lostCopy(file)) && !Files.exists(file);
  }

  private static Path lostCopy(Path file) {
    return file.resolveSibling(file.getFileName() + ".site-lost");
  }

  private static void move(Path from, Path to) {
    if (!Files.exists(from)) {
      return;
    }
    try {
      Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String accountStatus(String logicalName, String schemaUser) {
    try (Connection connection = databases.open(logicalName)) {
      return accountStatus(connection, schemaUser);
    } catch (SQLException e) {
      throw new IllegalStateException("lab database " + logicalName + ": " + e.getMessage(), e);
    }
  }

  private static String accountStatus(Connection connection, String schemaUser) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT ACCOUNT_STATUS FROM DBA_USERS WHERE USERNAME = ?")) {
      query.setString(1, schemaUser);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }


  private void prepare(boolean reset) {
    lab.getDatabases().forEach((name, spec) -> {
      Database database = topology.database(name);
      Path passwordFile = secrets.path(database.getPassword());
      Path dbFile = h2File(database.getUrl());
      if (!reset && Files.exists(passwordFile) && isLost(name)) {
        log.info("lab database {} stays lost with its site (LabSites)", name);
        return;
      }
      boolean fresh = reset || !Files.exists(passwordFile) || !Files.exists(dbFile);
      if (fresh) {
        deleteDatabaseFiles(dbFile);
        writePassword(passwordFile);
        create(database);
      }
      initialise(name, spec, fresh);
    });
  }

  private void initialise(String name, LabDatabase spec, boolean initialState) {
    try (Connection connection = databases.open(name); Statement sql = connection.createStatement()) {
      sql.execute("CREATE TABLE IF NOT EXISTS DBA_USERS (USERNAME VARCHAR(128) PRIMARY KEY,"
          + " ACCOUNT_STATUS VARCHAR(32) NOT NULL)");
      sql.execute("CREATE ALIAS IF NOT EXISTS DR_ENABLE_ACCESS FOR '"
          + LabDatabaseProcedures.class.getName() + ".enableAccess'");
      sql.execute("CREATE ALIAS IF NOT EXISTS DR_DISABLE_ACCESS FOR '"
          + LabDatabaseProcedures.class.getName() + ".disableAccess'");
      if (initialState) {
        try (PreparedStatement merge = connection.prepareStatement(
            "MERGE INTO DBA_USERS (USERNAME, ACCOUNT_STATUS) KEY (USERNAME) VALUES (?, ?)")) {
          merge.setString(1, spec.getSchemaUser());
          merge.setString(2, spec.getAccess());
          merge.executeUpdate();
        }
        log.info("lab database {}: {} is {}", name, spec.getSchemaUser(), spec.getAccess());
      }
      switch (spec.getKind()) {
        case LabDatabase.KIND_CONFIGURATION -> { }
        case LabDatabase.KIND_INFO_MART -> LabInfoMartDatabase.install(connection, spec,
            scnBase(name), initialState);
        default -> throw new IllegalStateException("lab database " + name + ": unknown kind '"
            + spec.getKind() + "' (configuration, info-mart)");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot prepare lab database " + name + ": " + e.getMessage(), e);
    }
  }

  /** A distinct SCN range per lab database: its position in dr.lab.databases times 10^12. */
  private long scnBase(String name) {
    return (1L + List.copyOf(lab.getDatabases().keySet()).indexOf(name)) * 1_000_000_000_000L;
  }

  /** Creates the empty database file (the topology's URL says IFEXISTS=TRUE: it opens only that). */
  private void create(Database database) {
    String url = database.getUrl().replaceAll("(?i);IFEXISTS=TRUE", "");
    try (Connection created = DriverManager.getConnection(url, database.getUsername(),
        secrets.resolve(database.getPassword()))) {
      log.debug("lab database file created: {}", created.getMetaData().getURL());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create lab database " + url + ": " + e.getMessage(), e);
    }
  }

  static Path h2File(String url) {
    String prefix = "jdbc:h2:file:";
    if (!url.startsWith(prefix)) {
      throw new IllegalStateException("lab databases are H2 files, got " + url);
    }
    String path = url.substring(prefix.length());
    int options = path.indexOf(';');
    return Path.of((options < 0 ? path : path.substring(0, options)) + ".mv.db");
  }

  private static void deleteDatabaseFiles(Path mvFile) {
    String base = mvFile.getFileName().toString().replace(".mv.db", "");
    Path dir = mvFile.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith(base + ".")).toList()) {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writePassword(Path file) {
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
      LabFiles.ownerOnly(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
