package io.drrunbook.lab;

import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Profile;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Where this lab can be reached, for nodes in other processes: once the lab listens, {@code
 * lab-node.properties} in the lab folder gets the lab's URL ({@code dr.lab.url}) and every address
 * of the lab topology as bound (SSH ports, HTTP endpoints, the DNS server's port, the databases
 * through {@link LabDatabaseServer}), as topology properties. A node started with the profile
 * {@code lab-node} and {@code dr.lab.dir} set to this folder imports it (README "Run it highly
 * available"); keys, {@code known_hosts} and the generated passwords it reads from the same folder.
 * Written again at every start (with ephemeral ports the addresses change), atomically.
 */
@Component
@Profile("lab")
public class LabNodeFile {

  static final String FILE = "lab-node.properties";

  private static final Logger log = LoggerFactory.getLogger(LabNodeFile.class);

  private final LabProperties properties;
  private final Topology topology;
  private final LabDatabaseServer databases;

  public LabNodeFile(LabProperties properties, Topology topology, LabDatabaseServer databases) {
    this.properties = properties;
    this.topology = topology;
    this.databases = databases;
  }

  @EventListener
  public void onReady(ApplicationReadyEvent ready) {
    String port = ready.getApplicationContext().getEnvironment().getProperty("local.server.port");
    Path file = properties.getDir().resolve(FILE).toAbsolutePath();
    write(file, addresses(port == null ? null : "http://127.0.0.1:" + port));
    log.info("lab addresses for other nodes written to {}", file);
  }

  /** The properties a node of this lab needs, by name. */
  Map<String, String> addresses(String labUrl) {
    Map<String, String> addresses = new TreeMap<>();
    if (labUrl != null) {
      addresses.put("dr.lab.url", labUrl);
    }
    TopologyProperties all = topology.properties();
    all.getDnsServers().forEach((name, server) ->
        addresses.put("dr.topology.dns-servers." + name + ".port", String.valueOf(server.getPort())));
    all.getSites().forEach((site, spec) -> {
      String prefix = "dr.topology.sites." + site;
      spec.getHosts().forEach((host, hostSpec) -> {
        if (hostSpec.getSsh() != null && hostSpec.getSsh().getHost() != null) {
          addresses.put(prefix + ".hosts." + host + ".ssh.port", String.valueOf(hostSpec.getSsh().getPort()));
        }
      });
      spec.getEndpoints().forEach((endpoint, endpointSpec) ->
          addresses.put(prefix + ".endpoints." + endpoint + ".url", endpointSpec.getUrl()));
      spec.getDatabases().forEach((database, databaseSpec) -> {
        if (databaseSpec.getUrl() != null && databaseSpec.getUrl().startsWith("jdbc:h2:file:")) {
          addresses.put(prefix + ".databases." + database + ".url", databases.networkUrl(databaseSpec.getUrl()));
        }
      });
    });
    return addresses;
  }

  private static void write(Path file, Map<String, String> addresses) {
    StringBuilder text = new StringBuilder("# written by the drill lab at start-up: where a node of this lab finds it\n");
    addresses.forEach((name, value) -> text.append(name).append('=')
        .append(value.replace("\\", "\\\\").replace(":", "\\:").replace("=", "\\=")).append('\n'));
    try {
      Files.createDirectories(file.getParent());
      Path temporary = file.resolveSibling(FILE + ".tmp");
      Files.writeString(temporary, text, StandardCharsets.ISO_8859_1);
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the lab's addresses to " + file, e);
    }
  }
}
