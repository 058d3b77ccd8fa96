package io.drrunbook.lab;

import java.sql.SQLException;
import org.h2.tools.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The lab's databases over the network: an H2 TCP server on 127.0.0.1 (other hosts are refused)
 * for the folder of the lab's database files, opening only databases that exist, so that nodes of
 * the lab in other processes (profile {@code lab-node}) reach the same databases the lab's own
 * site changes act on. In this process the lab and its SQL steps keep their file URLs: H2 serves
 * a database to both from one open instance. Port {@code dr.lab.database-port} (9192; a free one
 * with {@code dr.lab.ephemeral-ports}); the URL a node uses is in {@code lab-node.properties}
 * ({@link LabNodeFile}).
 */
@Component
@Profile("lab")
public class LabDatabaseServer implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(LabDatabaseServer.class);

  private final Server server;

  /** After {@link LabDatabases}: the files it creates are the only databases served. */
  public LabDatabaseServer(LabProperties properties, LabDatabases databases,
      @Value("${dr.lab.database-port:9192}") int port) throws SQLException {
    int bind = properties.isEphemeralPorts() ? 0 : port;
    this.server = Server.createTcpServer("-tcpPort", String.valueOf(bind),
        "-baseDir", properties.databasesDir().toAbsolutePath().toString(), "-ifExists").start();
    log.info("lab databases served to the lab's nodes on 127.0.0.1:{}", server.getPort());
  }

  public int port() {
    return server.getPort();
  }

  /**
   * The URL a node in another process uses for the lab database whose URL here is {@code fileUrl}
   * ({@code jdbc:h2:file:<folder>/<name>;<options>}): the same database through this server.
   */
  public String networkUrl(String fileUrl) {
    String name = LabDatabases.h2File(fileUrl).getFileName().toString().replaceFirst("\\.mv\\.db$", "");
    int options = fileUrl.indexOf(';');
    return "jdbc:h2:tcp://127.0.0.1:" + port() + "/" + name + (options < 0 ? "" : fileUrl.substring(options));
  }

  @Override
  public void destroy() {
    server.stop();
  }
}
