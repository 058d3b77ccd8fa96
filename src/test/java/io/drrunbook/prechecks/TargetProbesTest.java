package io.drrunbook.prechecks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.connectors.dns.DnsConnector;
import io.drrunbook.connectors.http.HttpRequestConnector;
import io.drrunbook.connectors.sql.TargetDatabases;
import io.drrunbook.connectors.ssh.SshCommandRunner;
import io.drrunbook.connectors.ssh.SshFixture;
import io.drrunbook.lab.dns.LabDnsServer;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties;
import io.drrunbook.topology.TopologyProperties.Database;
import io.drrunbook.topology.TopologyProperties.DnsRecord;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import io.drrunbook.topology.TopologyProperties.Endpoint;
import io.drrunbook.topology.TopologyProperties.Site;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TSIG;

/**
 * Probes of every target kind against real servers started by the test: the embedded SSH server,
 * an H2 database, the lab's DNS server (TSIG) and a JDK HTTP server. No Spring.
 */
class TargetProbesTest {

  private static final Duration LIMIT = Duration.ofSeconds(2);
  private static final String HOST = SshFixture.HOST;
  private static final Name ZONE = Name.fromConstantString("genesys.lab.");
  private static final String AUTHORIZATION = "Bearer probe-" + UUID.randomUUID();

  @TempDir
  static Path dir;
  private static SshFixture ssh;
  private static HttpServer http;
  private static final List<String> authorizationsReceived =
      Collections.synchronizedList(new ArrayList<>());

  private final String tsigSecret = randomSecret();
  private final String dbPassword = "pw-" + UUID.randomUUID();
  private final String dbUrl = "jdbc:h2:mem:probe-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  private LabDnsServer dns;
  /** The topology of the probes built last (tests change it to break one thing). */
  private Topology topology;
  private Connection keepDatabase;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void startServers() throws Exception {
    ssh = SshFixture.start(dir);
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/api", exchange -> {
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      authorizationsReceived.add(authorization == null ? "" : authorization);
      int status = AUTHORIZATION.equals(authorization) ? 200 : 401;
      byte[] body = (status == 200 ? "{\"ok\":true}" : "unauthorized")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    http.start();
  }

  @AfterAll
  static void stopServers() throws Exception {
    http.stop(0);
    ssh.close();
  }

  @BeforeEach
  void startDnsAndDatabase() throws Exception {
    dns = new LabDnsServer(InetAddress.getLoopbackAddress(), 0, ZONE,
        new TSIG(TSIG.HMAC_SHA256, "dr-runbook-key.", tsigSecret));
    dns.start();
    keepDatabase = DriverManager.getConnection(dbUrl, "dr_ops", dbPassword);
    authorizationsReceived.clear();
  }

  @AfterEach
  void stopDnsAndDatabase() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    dns.close();
    keepDatabase.close();
  }

  // ---------------------------------------------------------------- host

  @Test
  void shouldPassWhenTheHostKeyIsKnownAndTheKeyIsAccepted() {
    ProbeResult result = probes(ssh.knownHosts, ssh.clientKey, ssh.server.port())
        .probe(TargetKind.HOST, HOST);

    assertThat(result.ok()).isTrue();
    assertThat(result.kind()).isEqualTo(TargetKind.HOST);
    assertThat(result.target()).isEqualTo(HOST);
    assertThat(result.check()).isEqualTo(ProbeResult.REACHABLE);
    assertThat(result.detail()).isEqualTo("host " + HOST + " (127.0.0.1:" + ssh.server.port()
        + "): reachable, host key known, authenticated as genesys");
  }

  @Test
  void shouldRunNoCommandWhenProbingAHost() {
    List<String> before = ssh.server.receivedCommands();

    probes(ssh.knownHosts, ssh.clientKey, ssh.server.port()).probe(TargetKind.HOST, HOST);

    assertThat(ssh.server.receivedCommands()).isEqualTo(before);
  }

  @Test
  void shouldReportConnectionRefusedWhenNothingListensOnTheSshPort() throws Exception {
    int closed = closedTcpPort();

    ProbeResult result = probes(ssh.knownHosts, ssh.clientKey, closed).probe(TargetKind.HOST, HOST);

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.CONNECTION);
    assertThat(result.detail()).isEqualTo("host " + HOST + " (127.0.0.1:" + closed
        + "): connection refused");
  }

  @Test
  void shouldReportTheHostKeyWhenItIsNotInKnownHosts() throws Exception {
    Path empty = Files.writeString(dir.resolve("known_hosts.empty"), "");

    ProbeResult result = probes(empty, ssh.clientKey, ssh.server.port())
        .probe(TargetKind.HOST, HOST);

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.HOST_KEY);
    assertThat(result.detail()).startsWith("host " + HOST + " (127.0.0.1:" + ssh.server.port()
        + "): host key not in known_hosts");
    assertThat(Files.readString(empty)).isEmpty();
  }

  @Test
  void shouldReportRefusedCredentialsWhenTheClientKeyIsNotAuthorized() throws Exception {
    Path stranger = SshFixture.writePrivateKey(dir.resolve("id_stranger"),
        SshFixture.newEcKeyPair());

    ProbeResult result = probes(ssh.knownHosts, stranger, ssh.server.port())
        .probe(TargetKind.HOST, HOST);

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.CREDENTIALS);
    assertThat(result.detail()).contains(HOST + " (127.0.0.1:" + ssh.server.port() + ")")
        .contains("authentication failed for user 'genesys'");
  }

  @Test
  void shouldGiveUpWithinTheLimitWhenTheSshServerNeverSpeaks() throws Exception {
    ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    toClose.add(silent);

    ProbeResult result = probes(ssh.knownHosts, ssh.clientKey, silent.getLocalPort(),
        Duration.ofSeconds(1)).probe(TargetKind.HOST, HOST);

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).as(result.detail()).isEqualTo(ProbeResult.CONNECTION);
    assertThat(result.detail()).isEqualTo("host " + HOST + " (127.0.0.1:" + silent.getLocalPort()
        + "): no SSH handshake within 1 s (the port answers, but not as an SSH server)");
    assertThat(result.durationMs()).isLessThan(3000);
  }

  @Test
  void shouldNameTheUnknownHostWhenTheTopologyDoesNotDefineIt() {
    ProbeResult result = defaultProbes().probe(TargetKind.HOST, "lab.nope");

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.CONFIGURATION);
    assertThat(result.detail()).startsWith("host lab.nope: ").contains("nope").contains("[box]");
  }

  // ---------------------------------------------------------------- database

  @Test
  void shouldPassWhenTheDatabaseAcceptsTheLogin() {
    ProbeResult result = defaultProbes().probe(TargetKind.DATABASE, "lab.config-db");

    assertThat(result.ok()).isTrue();
    assertThat(result.check()).isEqualTo(ProbeResult.REACHABLE);
    assertThat(result.detail()).isEqualTo("database lab.config-db ("
        + dbUrl.substring(0, dbUrl.indexOf(';')) + "): reachable, logged in as dr_ops");
  }

  @Test
  void shouldReportLoginRefusedWhenTheDatabasePasswordIsWrong() throws Exception {
    TargetProbes probes = defaultProbes();
    Path wrong = Files.writeString(dir.resolve("wrong-db.password"), "not-" + dbPassword);
    topology.properties().getSites().get("lab").getDatabases().get("config-db")
        .setPassword("file:" + wrong);

    ProbeResult result = probes.probe(TargetKind.DATABASE, "lab.config-db");

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.CREDENTIALS);
    assertThat(result.detail()).startsWith("database lab.config-db (jdbc:h2:mem:probe-")
        .endsWith("): login refused for user dr_ops")
        .doesNotContain(dbPassword);
  }

  @Test
  void shouldNameTheUnknownDatabaseWhenTheTopologyDoesNotDefineIt() {
    ProbeResult result = defaultProbes().probe(TargetKind.DATABASE, "lab.nope-db");

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.CONFIGURATION);
    assertThat(result.detail()).startsWith("database lab.nope-db: ").contains("[config-db]");
  }

  // ---------------------------------------------------------------- DNS server

  @Test
  void shouldPassWhenTheDnsServerAnswersTheSoaOfItsZoneToASignedQuery() {
    ProbeResult result = defaultProbes().probe(TargetKind.DNS_SERVER, "lab-dns");

    assertThat(result.ok()).isTrue();
    assertThat(result.check()).isEqualTo(ProbeResult.REACHABLE);
    assertThat(result.detail()).isEqualTo("DNS server lab-dns (127.0.0.1:" + dns.port()
        + "): reachable, SOA genesys.lab. serial " + serial()
        + " (TSIG key dr-runbook-key accepted)");
    assertThat(dns.updatesReceived()).isZero();
  }

  @Test
  void shouldReportRefusedCredentialsWhenTheTsigKeyIsWrong() throws Exception {
    TargetProbes probes = defaultProbes();
    String wrongSecret = randomSecret();
    Path wrong = Files.writeString(dir.resolve("wrong-tsig.key"), wrongSecret);
    topology.dnsServer("lab-dns").setTsigSecret("file:" + wrong);

    ProbeResult result = probes.probe(TargetKind.DNS_SERVER, "lab-dns");

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.CREDENTIALS);
    assertThat(result.detail()).isEqualTo("DNS server lab-dns (127.0.0.1:" + dns.port()
        + "): TSIG key dr-runbook-key refused (NOTAUTH, TSIG BADSIG) for SOA genesys.lab.")
        .doesNotContain(wrongSecret).doesNotContain(tsigSecret);
  }

  @Test
  void shouldPassUnsignedWhenTheDnsServerHasNoTsigKeyConfigured() {
    TargetProbes probes = defaultProbes();
    DnsServer server = topology.dnsServer("lab-dns");
    server.setTsigKeyName(null);
    server.setTsigSecret(null);

    ProbeResult result = probes.probe(TargetKind.DNS_SERVER, "lab-dns");

    assertThat(result.ok()).isTrue();
    assertThat(result.detail()).endsWith("reachable, SOA genesys.lab. serial " + serial());
  }

  @Test
  void shouldFailWithinTheLimitWhenNoDnsServerListens() throws Exception {
    TargetProbes probes = defaultProbes();
    int closed;
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    topology.dnsServer("lab-dns").setPort(closed);

    ProbeResult result = probes.probe(TargetKind.DNS_SERVER, "lab-dns");

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.CONNECTION);
    assertThat(result.detail()).isEqualTo("DNS server lab-dns (127.0.0.1:" + closed
        + "): nothing listens there (port unreachable) for SOA genesys.lab.");
    assertThat(result.durationMs()).isLessThan(LIMIT.plusSeconds(1).toMillis());
  }

  @Test
  void shouldGiveUpWithinTheLimitWhenTheDnsServerNeverAnswers() throws Exception {
    TargetProbes probes = defaultProbes();
    DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    toClose.add(silent);
    topology.dnsServer("lab-dns").setPort(silent.getLocalPort());

    ProbeResult result = probes.probe(TargetKind.DNS_SERVER, "lab-dns");

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.CONNECTION);
    assertThat(result.detail()).isEqualTo("DNS server lab-dns (127.0.0.1:" + silent.getLocalPort()
        + "): no answer for SOA genesys.lab. within 2 s");
    assertThat(result.durationMs()).isBetween(LIMIT.toMillis() - 100, LIMIT.plusSeconds(1).toMillis());
  }

  @Test
  void shouldReportRefusedWhenTheDnsServerIsNotAuthoritativeForTheZone() {
    TargetProbes probes = defaultProbes();
    topology.dnsRecord("cs-master").setZone("other.lab.");

    ProbeResult result = probes.probe(TargetKind.DNS_SERVER, "lab-dns");

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.ANSWER);
    assertThat(result.detail()).isEqualTo("DNS server lab-dns (127.0.0.1:" + dns.port()
        + "): answered REFUSED for SOA other.lab.");
  }

  // ---------------------------------------------------------------- endpoint

  @Test
  void shouldPassWithItsAuthorizationWhenTheEndpointAnswers200() {
    ProbeResult result = defaultProbes().probe(TargetKind.ENDPOINT, "lab.api");

    assertThat(result.ok()).isTrue();
    assertThat(result.check()).isEqualTo(ProbeResult.REACHABLE);
    assertThat(result.detail()).isEqualTo("endpoint lab.api (127.0.0.1:" + httpPort()
        + "): reachable (HTTP 200)");
    assertThat(authorizationsReceived).containsExactly(AUTHORIZATION);
  }

  @Test
  void shouldReportRefusedCredentialsWhenTheEndpointAnswers401() throws Exception {
    TargetProbes probes = defaultProbes();
    Path wrong = Files.writeString(dir.resolve("wrong.authorization"), "Bearer wrong-token");
    topology.endpoint("lab.api").setAuthorization("file:" + wrong);

    ProbeResult result = probes.probe(TargetKind.ENDPOINT, "lab.api");

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.CREDENTIALS);
    assertThat(result.detail()).isEqualTo("endpoint lab.api (127.0.0.1:" + httpPort()
        + "): credentials refused (HTTP 401)");
    assertThat(authorizationsReceived).containsExactly("Bearer wrong-token");
  }

  @Test
  void shouldCountTheEndpointReachableWhenItAnswers404() {
    TargetProbes probes = defaultProbes();
    topology.endpoint("lab.api").setUrl("http://127.0.0.1:" + httpPort() + "/nothing-here");

    ProbeResult result = probes.probe(TargetKind.ENDPOINT, "lab.api");

    assertThat(result.ok()).isTrue();
    assertThat(result.detail()).isEqualTo("endpoint lab.api (127.0.0.1:" + httpPort()
        + "): reachable (HTTP 404)");
  }

  @Test
  void shouldReportConnectionRefusedWhenNothingListensOnTheEndpointPort() throws Exception {
    TargetProbes probes = defaultProbes();
    int closed = closedTcpPort();
    topology.endpoint("lab.api").setUrl("http://127.0.0.1:" + closed + "/api");

    ProbeResult result = probes.probe(TargetKind.ENDPOINT, "lab.api");

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.CONNECTION);
    assertThat(result.detail()).isEqualTo("endpoint lab.api (127.0.0.1:" + closed
        + "): connection refused");
  }

  @Test
  void shouldGiveUpWithinTheLimitWhenTheEndpointNeverAnswers() throws Exception {
    TargetProbes probes = defaultProbes();
    ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    toClose.add(silent);
    topology.endpoint("lab.api")
        .setUrl("http://127.0.0.1:" + silent.getLocalPort() + "/api");

    ProbeResult result = probes.probe(TargetKind.ENDPOINT, "lab.api");

    assertThat(result.ok()).isFalse();
    assertThat(result.check()).isEqualTo(ProbeResult.CONNECTION);
    assertThat(result.detail()).isEqualTo("endpoint lab.api (127.0.0.1:" + silent.getLocalPort()
        + "): no answer within 2 s");
    assertThat(result.durationMs()).isLessThan(LIMIT.plusSeconds(1).toMillis());
  }

  // ---------------------------------------------------------------- kinds

  @Test
  void shouldMapKindIdsBothWays() {
    for (TargetKind kind : TargetKind.values()) {
      assertThat(TargetKind.of(kind.id())).isEqualTo(kind);
    }
    assertThat(TargetKind.DNS_SERVER.id()).isEqualTo("dns-server");
    assertThatThrownBy(() -> TargetKind.of("printer"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("printer")
        .hasMessageContaining("[host, database, dns-server, endpoint]");
  }

  // ---------------------------------------------------------------- fixtures

  private TargetProbes defaultProbes() {
    return probes(ssh.knownHosts, ssh.clientKey, ssh.server.port());
  }

  private TargetProbes probes(Path knownHosts, Path clientKey, int sshPort) {
    return probes(knownHosts, clientKey, sshPort, LIMIT);
  }

  /**
   * Probes over a topology with the SSH fixture's host {@code lab.box}, the database
   * {@code lab.config-db} (H2), the DNS server {@code lab-dns} with the record {@code cs-master} in
   * zone genesys.lab., and the endpoint {@code lab.api}; secrets in files.
   */
  private TargetProbes probes(Path knownHosts, Path clientKey, int sshPort, Duration limit) {
    try {
      topology = ssh.topology(knownHosts, clientKey, sshPort);
      TopologyProperties properties = topology.properties();
      Site site = properties.getSites().get("lab");

      Database database = new Database();
      database.setUrl(dbUrl);
      database.setUsername("dr_ops");
      database.setPassword("file:" + Files.writeString(
          Files.createTempFile(dir, "db", ".password"), dbPassword));
      site.getDatabases().put("config-db", database);

      DnsServer server = new DnsServer();
      server.setAddress("127.0.0.1");
      server.setPort(dns.port());
      server.setTsigKeyName("dr-runbook-key");
      server.setTsigSecret("file:" + Files.writeString(
          Files.createTempFile(dir, "tsig", ".key"), tsigSecret + "\n"));
      properties.getDnsServers().put("lab-dns", server);
      DnsRecord record = new DnsRecord();
      record.setZone("genesys.lab.");
      record.setName("cs-master.genesys.lab.");
      record.setServer("lab-dns");
      properties.getDnsRecords().put("cs-master", record);

      Endpoint endpoint = new Endpoint();
      endpoint.setUrl("http://127.0.0.1:" + httpPort() + "/api/v1");
      endpoint.setAuthorization("file:" + Files.writeString(
          Files.createTempFile(dir, "api", ".authorization"), AUTHORIZATION + "\n"));
      site.getEndpoints().put("api", endpoint);

      SecretResolver secrets = new SecretResolver(ssh.masker);
      SshCommandRunner runner = new SshCommandRunner(topology, secrets);
      TargetProbes probes = new TargetProbes(topology, runner, new TargetDatabases(topology, secrets),
          new DnsConnector(topology, secrets), new HttpRequestConnector(topology, secrets),
          ssh.masker, limit);
      toClose.add(probes);
      toClose.add(runner);
      return probes;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The SOA serial the DNS server has now (its zone's records come SOA first). */
  private long serial() {
    return ((SOARecord) dns.records().get(0)).getSerial();
  }

  private static int httpPort() {
    return http.getAddress().getPort();
  }

  private static int closedTcpPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }
}
