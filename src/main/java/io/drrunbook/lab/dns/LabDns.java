package io.drrunbook.lab.dns;

import io.drrunbook.connectors.dns.TsigKeys;
import io.drrunbook.lab.LabProperties;
import io.drrunbook.lab.faults.Fault;
import io.drrunbook.lab.faults.FaultType;
import io.drrunbook.lab.faults.LabFaults;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyException;
import io.drrunbook.topology.TopologyProperties.DnsRecord;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The drill lab's authoritative DNS server: the topology's {@code lab-dns} server, serving the zone
 * of the topology's DNS records ({@code genesys.lab.}) and accepting updates signed with its TSIG key.
 * At start-up it creates the TSIG secret file if missing, restores the zone from
 * {@code <lab dir>/dns-zone.txt} (unless {@code dr.lab.reset-on-start}) or seeds each record with the
 * address of its host in {@code dr.lab.dns.initial}, and writes the zone back to that file after
 * every change. Starts in phase 0, before the step worker; stops on shutdown.
 *
 * <p>With {@code dr.lab.ephemeral-ports} it binds a free port and writes it into the topology's
 * {@code dns-servers.lab-dns.port} before anything queries it. It follows the lab's faults on
 * {@code lab-dns}: {@code unreachable} closes the server (the zone is kept) and reopens it on the same
 * port when the fault goes; {@code dns-refuse-updates} and {@code dns-servfail} turn on the server's
 * switches while they last.
 */
@Component
@Profile("lab")
public class LabDns implements SmartLifecycle {

  /** The topology's logical name of the lab's DNS server. */
  public static final String SERVER = "lab-dns";
  static final String ZONE_FILE = "dns-zone.txt";

  private static final Logger log = LoggerFactory.getLogger(LabDns.class);
  private static final int SECRET_BYTES = 32;

  private final LabProperties lab;
  private final LabDnsProperties settings;
  private final Topology topology;
  private final SecretResolver secrets;
  private final LabFaults faults;

  private volatile LabDnsServer server;

  public LabDns(LabProperties lab, LabDnsProperties settings, Topology topology,
      SecretResolver secrets, LabFaults faults) {
    this.lab = lab;
    this.settings = settings;
    this.topology = topology;
    this.secrets = secrets;
    this.faults = faults;
    faults.addListener(this::applyFaults);
  }

  /** The running server, for the lab state view and drills (fault switches). */
  public LabDnsServer server() {
    LabDnsServer current = server;
    if (current == null) {
      throw new IllegalStateException("the lab DNS server is not running");
    }
    return current;
  }

  /** Where the zone is persisted: {@code <lab dir>/dns-zone.txt}. */
  public Path zoneFile() {
    return lab.getDir().resolve(ZONE_FILE);
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      server = startServer();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the lab DNS server: " + e.getMessage(), e);
    }
    applyFaults(faults.list());
  }

  /** Puts the server in the state the faults on {@value #SERVER} ask for. */
  private synchronized void applyFaults(List<Fault> current) {
    LabDnsServer running = server;
    if (running == null) {
      return;
    }
    running.setRefuseUpdates(has(current, FaultType.DNS_REFUSE_UPDATES));
    running.setServfail(has(current, FaultType.DNS_SERVFAIL));
    boolean unreachable = has(current, FaultType.UNREACHABLE);
    if (unreachable && running.isRunning()) {
      running.close();
      log.info("Lab DNS server closed (fault: unreachable)");
    } else if (!unreachable && !running.isRunning()) {
      try {
        running.start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot reopen the lab DNS server on port "
            + running.port() + ": " + e.getMessage(), e);
      }
    }
  }

  private static boolean has(List<Fault> current, FaultType type) {
    return current.stream().anyMatch(f -> f.type() == type && SERVER.equals(f.target()));
  }

  @Override
  public synchronized void stop() {
    if (server != null) {
      server.close();
      server = null;
      log.info("Lab DNS server stopped");
    }
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  /** Before the step worker (which starts last), so steps find DNS up. */
  @Override
  public int getPhase() {
    return 0;
  }

  // ---------------------------------------------------------------- start-up

  private LabDnsServer startServer() throws IOException {
    DnsServer config = topology.dnsServer(SERVER);
    Map<String, DnsRecord> records = recordsOf(SERVER);
    Name zone = zoneOf(records);

    ensureTsigSecret(config.getTsigSecret());
    TSIG key = TsigKeys.of(config.getTsigKeyName(), config.getTsigAlgorithm(),
        secrets.resolve(config.getTsigSecret()));

    LabDnsServer started = new LabDnsServer(InetAddress.getByName(config.getAddress()),
        lab.isEphemeralPorts() ? 0 : config.getPort(), zone, key);
    Path zoneFile = zoneFile();
    boolean restored = false;
    if (!lab.isResetOnStart() && Files.isRegularFile(zoneFile)) {
      restored = restore(started, zoneFile);
    }
    seedMissing(started, records, restored);
    Files.createDirectories(zoneFile.toAbsolutePath().getParent());
    started.setChangeListener(snapshot -> persist(zone, snapshot));
    persist(zone, started.records());
    started.start();
    if (lab.isEphemeralPorts()) {
      config.setPort(started.port());
      log.info("Lab DNS server {} on ephemeral port {}", SERVER, started.port());
    }
    return started;
  }

  /** The topology's DNS records served by {@code serverName}, by logical name. */
  private Map<String, DnsRecord> recordsOf(String serverName) {
    Map<String, DnsRecord> served = new LinkedHashMap<>();
    topology.properties().getDnsRecords().forEach((name, record) -> {
      if (serverName.equals(record.getServer())) {
        served.put(name, record);
      }
    });
    if (served.isEmpty()) {
      throw new TopologyException("no DNS record of the topology is served by " + serverName
          + ": the lab DNS server needs at least one to know its zone");
    }
    return served;
  }

  private static Name zoneOf(Map<String, DnsRecord> records) {
    Set<Name> zones = new LinkedHashSet<>();
    records.values().forEach(record -> zones.add(absolute(record.getZone())));
    if (zones.size() != 1) {
      throw new TopologyException("the lab DNS server serves one zone; the topology's records of "
          + SERVER + " are in " + zones);
    }
    return zones.iterator().next();
  }

  /** Creates the TSIG secret file (32 random bytes, base64, owner read/write only) if missing. */
  void ensureTsigSecret(String reference) throws IOException {
    Path path = secrets.path(reference);
    if (Files.exists(path)) {
      return;
    }
    Path parent = path.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    byte[] random = new byte[SECRET_BYTES];
    new SecureRandom().nextBytes(random);
    String secret = Base64.getEncoder().encodeToString(random) + "\n";
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(path, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
      Files.writeString(path, secret, StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
    } else {
      Files.writeString(path, secret, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
    }
    log.info("Lab DNS: created the TSIG secret file {}", path);
  }

  private static boolean restore(LabDnsServer target, Path zoneFile) {
    List<Record> records = new ArrayList<>();
    try (Master master = new Master(zoneFile.toString(), target.zone())) {
      Record record;
      while ((record = master.nextRecord()) != null) {
        records.add(record);
      }
      target.replaceRecords(records);
      log.info("Lab DNS: restored {} records of zone {} from {}", records.size(), target.zone(),
          zoneFile);
      return true;
    } catch (IOException | IllegalArgumentException e) {
      log.warn("Lab DNS: cannot read the persisted zone {} ({}); starting from the initial records",
          zoneFile, e.getMessage());
      return false;
    }
  }

  /**
   * Gives each record its initial address from {@code dr.lab.dns.initial}: all of them when starting
   * fresh, only those without an A record after a restore (records added to the topology since).
   */
  private void seedMissing(LabDnsServer target, Map<String, DnsRecord> records, boolean restored) {
    records.forEach((logicalName, record) -> {
      Name name = absolute(record.getName());
      if (restored && !target.addresses(name).isEmpty()) {
        return;
      }
      String host = settings.getInitial().get(logicalName);
      if (host == null) {
        log.warn("Lab DNS: no dr.lab.dns.initial.{} configured; {} starts without an A record",
            logicalName, name);
        return;
      }
      String address = topology.host(host).getAddress();
      try {
        target.setA(name, InetAddress.getByName(address), record.getTtl());
      } catch (IOException e) {
        throw new TopologyException("host " + host + " has no usable address: " + address, e);
      }
      log.info("Lab DNS: {} A {} ({})", name, address, host);
    });
  }

  private void persist(Name zone, List<Record> snapshot) {
    StringBuilder text = new StringBuilder()
        .append("; zone ").append(zone).append(" of the drill lab's DNS server ").append(SERVER)
        .append(", written ").append(Instant.now()).append('\n')
        .append("$ORIGIN ").append(zone).append('\n');
    snapshot.forEach(record -> text.append(record).append('\n'));
    Path file = zoneFile();
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(temporary, text, StandardCharsets.UTF_8);
      try {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist the lab DNS zone to " + file, e);
    }
  }

  private static Name absolute(String name) {
    try {
      return Name.fromString(name, Name.root);
    } catch (TextParseException e) {
      throw new TopologyException("not a valid DNS name: '" + name + "'", e);
    }
  }

  /**
   * Puts every record of the lab zone back to its initial address (dr.lab.dns.initial) and the
   * server's switches to what the current faults ask for (none after {@code Lab.reset()}).
   */
  public synchronized void reset() {
    seedMissing(server(), recordsOf(SERVER), false);
    applyFaults(faults.list());
  }

  /** For the lab state view: the zone's A records as name -> addresses. */
  public Map<String, List<String>> aRecords() {
    Map<String, List<String>> view = new LinkedHashMap<>();
    for (Record record : server().records()) {
      if (record.getType() == Type.A) {
        view.computeIfAbsent(record.getName().toString(), n -> new ArrayList<>())
            .add(record.rdataToString());
      }
    }
    return view;
  }
}
