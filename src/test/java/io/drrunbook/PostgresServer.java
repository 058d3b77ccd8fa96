package io.drrunbook;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.FileSystemUtils;

/**
 * A PostgreSQL server of the test's own: Debian's {@code postgresql} binaries
 * ({@code /usr/lib/postgresql/<version>/bin}), a cluster in a temporary directory, listening on
 * 127.0.0.1 on a free port, user {@value #USER} without password. Run as the user {@code nobody}
 * when the tests run as root (initdb refuses root). Fails with what to install when PostgreSQL is
 * missing. Start with {@link #start()}, stop with {@link #close()}.
 */
public final class PostgresServer implements AutoCloseable {

  public static final String USER = "dr";
  private static final Path DEBIAN_BINARIES = Path.of("/usr/lib/postgresql");
  private static final String RUN_AS = "nobody";
  private static final long COMMAND_SECONDS = 120;

  private final Path bin;
  private final Path dir;
  private final int port;

  private PostgresServer(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
  }

  /** Creates a cluster in a new temporary directory and starts its server. */
  public static PostgresServer start() {
    Path bin = binaries();
    try {
      Path dir = Files.createTempDirectory("dr-postgres-");
      if (root()) {
        UserPrincipal nobody = dir.getFileSystem().getUserPrincipalLookupService()
            .lookupPrincipalByName(RUN_AS);
        Files.setOwner(dir, nobody);
      }
      PostgresServer server = new PostgresServer(bin, dir, freePort());
      server.run(List.of(bin.resolve("initdb").toString(), "-D", server.data().toString(), "-U", USER,
          "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"));
      server.startServer();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare a PostgreSQL server: " + e.getMessage(), e);
    }
  }

  /**
   * A synchronous streaming standby of this server, as a second site's database server would be: a
   * base backup of this cluster ({@code pg_basebackup -R}, the replication connection on 127.0.0.1)
   * started as a hot standby on a free port, then named this server's synchronous standby (a commit
   * returns once the standby has it). Promote it with {@link #promote()}.
   */
  public PostgresServer startStandby() {
    try {
      Path standbyDir = Files.createTempDirectory("dr-postgres-standby-");
      if (root()) {
        Files.setOwner(standbyDir, standbyDir.getFileSystem().getUserPrincipalLookupService()
            .lookupPrincipalByName(RUN_AS));
      }
      PostgresServer standby = new PostgresServer(bin, standbyDir, freePort());
      standby.run(List.of(bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port),
          "-U", USER, "-D", standby.data().toString(), "-R", "-X", "stream", "--no-sync"));
      standby.startServer("-c hot_standby=on");
      try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
          Statement sql = connection.createStatement()) {
        sql.execute("ALTER SYSTEM SET synchronous_standby_names = '*'");
        sql.execute("SELECT pg_reload_conf()");
      }
      return standby;
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("cannot start a standby of the PostgreSQL server: " + e.getMessage(), e);
    }
  }

  /** Whether this server's replication has a synchronous standby streaming from it now. */
  public boolean hasSynchronousStandby() {
    try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
        Statement sql = connection.createStatement();
        var rows = sql.executeQuery("SELECT count(*) FROM pg_stat_replication"
            + " WHERE state = 'streaming' AND sync_state = 'sync'")) {
      return rows.next() && rows.getInt(1) > 0;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the replication state: " + e.getMessage(), e);
    }
  }

  /** Stops the server as a power loss would ({@code pg_ctl stop -m immediate}: no checkpoint). */
  public void crash() {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w",
        "-t", "60", "stop"));
  }

  /** Promotes this standby to a primary ({@code pg_ctl promote}), waiting until it takes writes. */
  public void promote() {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-w", "-t", "60", "promote"));
  }

  /**
   * Starts the server of the cluster again (after {@link #stopServer}), with extra settings such as
   * {@code -c default_transaction_read_only=on}.
   */
  public void startServer(String... settings) {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l",
        dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off "
            + String.join(" ", settings), "start"));
  }

  /** Stops the server (fast shutdown) and keeps its cluster: {@link #startServer} starts it again. */
  public void stopServer() {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "fast", "-w",
        "-t", "60", "stop"));
  }

  public int port() {
    return port;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** A new empty database of this server. */
  public DataSource createDatabase(String database) {
    if (!Pattern.matches("[a-z][a-z0-9_]*", database)) {
      throw new IllegalArgumentException("not a plain database name: " + database);
    }
    try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
        Statement sql = connection.createStatement()) {
      sql.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the database " + database + ": " + e.getMessage(), e);
    }
    return dataSource(database);
  }

  public DataSource dataSource(String database) {
    return new DriverManagerDataSource(jdbcUrl(database), USER, "");
  }

  /** Stops the server (fast shutdown; nothing to do once crashed) and deletes its directory. */
  @Override
  public void close() {
    try {
      if (Files.exists(data().resolve("postmaster.pid"))) {
        stopServer();
      }
    } finally {
      FileSystemUtils.deleteRecursively(dir.toFile());
    }
  }

  private Path data() {
    return dir.resolve("data");
  }

  private void run(List<String> command) {
    List<String> full = new ArrayList<>();
    if (root()) {
      full.addAll(List.of("runuser", "-u", RUN_AS, "--"));
    }
    full.addAll(command);
    Path output = dir.resolve("command.log");
    try {
      Process process = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", full) + " took more than " + COMMAND_SECONDS
            + " s: " + log(output));
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", full) + " failed (exit " + process.exitValue()
            + "): " + log(output) + log(dir.resolve("server.log")));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + full + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + full, e);
    }
  }

  private static String log(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "(" + file + " unreadable: " + e.getMessage() + ")";
    }
  }

  /** The newest installed version's binaries; fails saying what to install when there are none. */
  private static Path binaries() {
    if (Files.isDirectory(DEBIAN_BINARIES)) {
      try (Stream<Path> versions = Files.list(DEBIAN_BINARIES)) {
        var found = versions.map(v -> v.resolve("bin"))
            .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
            .max(Comparator.comparing((Path b) -> version(b.getParent().getFileName().toString())));
        if (found.isPresent()) {
          return found.get();
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot list " + DEBIAN_BINARIES + ": " + e.getMessage(), e);
      }
    }
    throw new IllegalStateException("PostgreSQL is not installed: no " + DEBIAN_BINARIES
        + "/<version>/bin/initdb. Install Debian's package: apt-get install -y postgresql"
        + " (.ci/run does it)");
  }

  private static int version(String name) {
    return name.matches("\\d+") ? Integer.parseInt(name) : -1;
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
