package io.drrunbook.lab.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.dns.DnsConnector;
import io.drrunbook.lab.LabProperties;
import io.drrunbook.lab.faults.LabFaults;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.DnsRecord;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.Site;
import io.drrunbook.topology.TopologyProperties;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/** The lab's DNS component with a hand-built topology; its server listens on a free port. */
class LabDnsTest {

  private static final Name CS_MASTER = Name.fromConstantString("cs-master.genesys.lab.");

  @TempDir
  Path dir;

  private LabProperties lab;
  private Topology topology;
  private SecretResolver secrets;
  private LabDns labDns;

  @BeforeEach
  void configure() {
    lab = new LabProperties();
    lab.setDir(dir.resolve("lab"));
    topology = new Topology(topology("file:" + dir.resolve("lab/secrets/tsig.key")));
    secrets = new SecretResolver(new SecretMasker());
  }

  @AfterEach
  void stop() {
    if (labDns != null) {
      labDns.stop();
    }
  }

  @Test
  void shouldCreateAnOwnerOnlyTsigSecretWhenNoneExists() throws IOException {
    labDns = start();

    Path secretFile = dir.resolve("lab/secrets/tsig.key");
    assertThat(Base64.getDecoder().decode(Files.readString(secretFile).strip())).hasSize(32);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile)))
        .isEqualTo("rw-------");
  }

  @Test
  void shouldKeepTheTsigSecretWhenItExists() throws IOException {
    Path secretFile = dir.resolve("lab/secrets/tsig.key");
    Files.createDirectories(secretFile.getParent());
    String existing = Base64.getEncoder().encodeToString(new byte[32]);
    Files.writeString(secretFile, existing);

    labDns = start();

    assertThat(Files.readString(secretFile)).isEqualTo(existing);
  }

  @Test
  void shouldSeedTheInitialAddressAndWriteTheZoneFileWhenStartingFresh() throws IOException {
    labDns = start();

    assertThat(labDns.isRunning()).isTrue();
    assertThat(labDns.server().addresses(CS_MASTER))
        .containsExactly(InetAddress.getByName("127.0.1.10"));
    assertThat(labDns.aRecords()).containsEntry("cs-master.genesys.lab.", List.of("127.0.1.10"));
    assertThat(Files.readString(dir.resolve("lab/dns-zone.txt")))
        .contains("$ORIGIN genesys.lab.")
        .containsPattern("cs-master\\.genesys\\.lab\\.\\s+60\\s+IN\\s+A\\s+127\\.0\\.1\\.10");
  }

  @Test
  void shouldPersistAndRestoreTheSwitchedRecordWhenRestarted() throws IOException {
    labDns = start();
    Map<String, Object> result = new DnsConnector(topology, secrets)
        .switchARecord(Map.of("record", "cs-master", "targetHost", "site2.cs-mgmt"));
    assertThat(result).containsEntry("changed", true);
    assertThat(Files.readString(dir.resolve("lab/dns-zone.txt"))).contains("127.0.2.10")
        .doesNotContain("127.0.1.10");
    labDns.stop();

    labDns = start();

    assertThat(labDns.server().addresses(CS_MASTER))
        .containsExactly(InetAddress.getByName("127.0.2.10"));
    assertThat(labDns.server().records()).anySatisfy(
        r -> assertThat(r.rdataToString()).contains("ns1.genesys.lab."));
  }

  @Test
  void shouldStartFromTheInitialAddressWhenResetOnStart() throws IOException {
    labDns = start();
    labDns.server().setA(CS_MASTER, InetAddress.getByName("127.0.2.10"), 60);
    labDns.stop();
    lab.setResetOnStart(true);

    labDns = start();

    assertThat(labDns.server().addresses(CS_MASTER))
        .containsExactly(InetAddress.getByName("127.0.1.10"));
  }

  @Test
  void shouldSeedTheInitialAddressWhenThePersistedZoneIsUnreadable() throws IOException {
    Files.createDirectories(dir.resolve("lab"));
    Files.writeString(dir.resolve("lab/dns-zone.txt"), "this is not a zone file {\n");

    labDns = start();

    assertThat(labDns.server().addresses(CS_MASTER))
        .containsExactly(InetAddress.getByName("127.0.1.10"));
  }

  @Test
  void shouldBindAFreePortAndWriteItIntoTheTopologyWhenEphemeralPortsAreOn() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      DnsServer config = topology.dnsServer(LabDns.SERVER);
      config.setPort(taken.getLocalPort());
      lab.setEphemeralPorts(true);
      LabDnsProperties settings = new LabDnsProperties();
      settings.getInitial().put("cs-master", "site1.cs-mgmt");
      labDns = new LabDns(lab, settings, topology, secrets,
          new LabFaults(List::of, topology, Clock.systemUTC()));

      labDns.start();

      assertThat(config.getPort()).isNotEqualTo(taken.getLocalPort())
          .isEqualTo(labDns.server().port());
      assertThat(new DnsConnector(topology, secrets).resolve(Map.of("record", "cs-master")))
          .containsEntry("addresses", List.of("127.0.1.10"));
    }
  }

  private LabDns start() {
    // a free port each time: a port just released by a stopped server may be taken meanwhile
    topology.dnsServer(LabDns.SERVER).setPort(0);
    LabDnsProperties settings = new LabDnsProperties();
    settings.getInitial().put("cs-master", "site1.cs-mgmt");
    LabDns started = new LabDns(lab, settings, topology, secrets,
        new LabFaults(List::of, topology, Clock.systemUTC()));
    started.start();
    // the connector reaches the server on its actual port
    topology.dnsServer(LabDns.SERVER).setPort(started.server().port());
    return started;
  }

  private static TopologyProperties topology(String secretReference) {
    TopologyProperties properties = new TopologyProperties();
    DnsServer server = new DnsServer();
    server.setAddress("127.0.0.1");
    server.setPort(0);
    server.setTsigKeyName("dr-runbook-key.");
    server.setTsigAlgorithm("hmac-sha256");
    server.setTsigSecret(secretReference);
    properties.getDnsServers().put(LabDns.SERVER, server);
    DnsRecord record = new DnsRecord();
    record.setZone("genesys.lab.");
    record.setName("cs-master.genesys.lab.");
    record.setServer(LabDns.SERVER);
    record.setTtl(60);
    properties.getDnsRecords().put("cs-master", record);
    properties.getSites().put("site1", site("127.0.1.10"));
    properties.getSites().put("site2", site("127.0.2.10"));
    return properties;
  }

  private static Site site(String address) {
    Host host = new Host();
    host.setAddress(address);
    Site site = new Site();
    site.getHosts().put("cs-mgmt", host);
    return site;
  }
}
