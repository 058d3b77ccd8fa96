package io.drrunbook.connectors.sql;

import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.springframework.stereotype.Component;

/**
 * Opens connections to the target databases of the topology (the systems a procedure works on),
 * never the engine's own database. The password is read from its secret reference at every
 * connection, so a rotated secret takes effect without a restart. DR steps are rare: no pool.
 */
@Component
public class TargetDatabases {

  private final Topology topology;
  private final SecretResolver secrets;

  public TargetDatabases(Topology topology, SecretResolver secrets) {
    this.topology = topology;
    this.secrets = secrets;
  }

  public Connection open(String logicalName) {
    Database database = topology.database(logicalName);
    Properties properties = new Properties();
    if (database.getUsername() != null) {
      properties.setProperty("user", database.getUsername());
    }
    if (database.getPassword() != null) {
      properties.setProperty("password", secrets.resolve(database.getPassword()));
    }
    try {
      return DriverManager.getConnection(database.getUrl(), properties);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect to database " + logicalName + " ("
          + e.getSQLState() + "): " + e.getMessage(), e);
    }
  }

  /** {@code name (url, user u)} from the topology, without connecting (dry-run plans). */
  public String describe(String logicalName) {
    Database database = topology.database(logicalName);
    return logicalName + " (" + database.getUrl()
        + (database.getUsername() == null ? "" : ", user " + database.getUsername()) + ")";
  }
}
