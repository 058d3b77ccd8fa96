package io.drrunbook.connectors.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.lab.dns.LabDnsServer;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.DnsRecord;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.Site;
import io.drrunbook.topology.TopologyProperties;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;

/** The DNS connector against a real {@link LabDnsServer} on 127.0.0.1. */
class DnsConnectorTest {

  private static final Name ZONE = Name.fromConstantString("genesys.lab.");
  private static final Name CS_MASTER = Name.fromConstantString("cs-master.genesys.lab.");
  private static final String SITE1 = "127.0.1.10";
  private static final String SITE2 = "127.0.2.10";

  @TempDir
  Path dir;

  private final String secret = randomSecret();
  private final SecretMasker masker = new SecretMasker();
  private LabDnsServer server;
  private TopologyProperties properties;
  private DnsConnector connector;

  @BeforeEach
  void startServerAndConnector() throws IOException {
    server = new LabDnsServer(InetAddress.getLoopbackAddress(), 0, ZONE,
        new TSIG(TSIG.HMAC_SHA256, "dr-runbook-key.", secret));
    server.setA(CS_MASTER, InetAddress.getByName(SITE1), 60);
    server.start();
    Path secretFile = dir.resolve("tsig.key");
    Files.writeString(secretFile, secret + "\n");
    properties = topology(server.port(), "file:" + secretFile);
    connector = new DnsConnector(new Topology(properties), new SecretResolver(masker));
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  // ---------------------------------------------------------------- dns-switch-a-record

  @Test
  void shouldSwitchRecordAndReturnPreviousAddressWhenItPointsElsewhere() throws IOException {
    Map<String, Object> result = connector.switchARecord(switchTo("site2.cs-mgmt"));

    assertThat(result).containsEntry("record", "cs-master.genesys.lab.")
        .containsEntry("previousAddresses", List.of(SITE1))
        .containsEntry("address", SITE2)
        .containsEntry("changed", true)
        .containsEntry("rcode", "NOERROR");
    assertThat(server.addresses(CS_MASTER)).containsExactly(InetAddress.getByName(SITE2));
    assertThat(server.updatesReceived()).isEqualTo(1);
    assertThat(server.lastUpdate()).hasValueSatisfying(last -> {
      assertThat(last.keyName()).isEqualTo("dr-runbook-key.");
      assertThat(last.prerequisites()).containsExactly("cs-master.genesys.lab. IN A 127.0.1.10");
      assertThat(last.updates()).containsExactly("cs-master.genesys.lab. ANY A",
          "cs-master.genesys.lab. IN A 127.0.2.10");
    });
    assertThat(server.records()).filteredOn(r -> r.getName().equals(CS_MASTER))
        .singleElement().satisfies(r -> assertThat(r.getTTL()).isEqualTo(60));
  }

  @Test
  void shouldNotSendAnUpdateWhenTheSwitchIsRunAgain() {
    connector.switchARecord(switchTo("site2.cs-mgmt"));

    Map<String, Object> rerun = connector.switchARecord(switchTo("site2.cs-mgmt"));

    assertThat(rerun).containsEntry("changed", false)
        .containsEntry("previousAddresses", List.of(SITE2))
        .containsEntry("address", SITE2)
        .containsEntry("rcode", "NOERROR");
    assertThat(server.updatesReceived()).isEqualTo(1);
  }

  @Test
  void shouldCreateTheRecordWhenItDoesNotExistYet() throws IOException {
    DnsRecord extra = record("new-master.genesys.lab.");
    properties.getDnsRecords().put("new-master", extra);

    Map<String, Object> result = connector.switchARecord(
        Map.of("record", "new-master", "targetHost", "site2.cs-mgmt"));

    assertThat(result).containsEntry("previousAddresses", List.of())
        .containsEntry("changed", true);
    assertThat(server.addresses(Name.fromConstantString("new-master.genesys.lab.")))
        .containsExactly(InetAddress.getByName(SITE2));
    assertThat(server.lastUpdate()).hasValueSatisfying(last -> assertThat(last.prerequisites())
        .containsExactly("new-master.genesys.lab. NONE A"));
  }

  @Test
  void shouldFailClearlyAndKeepTheRecordWhenTheTsigKeyIsWrong() throws IOException {
    Path wrong = dir.resolve("wrong.key");
    Files.writeString(wrong, randomSecret());
    properties.getDnsServers().get("lab-dns").setTsigSecret("file:" + wrong);

    assertThatThrownBy(() -> connector.switchARecord(switchTo("site2.cs-mgmt")))
        .isInstanceOf(DnsException.class)
        .hasMessageContaining("DNS server lab-dns refused the update of cs-master.genesys.lab.")
        .hasMessageContaining("NOTAUTH (TSIG BADSIG)")
        .hasMessageContaining("check the TSIG key dr-runbook-key.");
    assertThat(server.addresses(CS_MASTER)).containsExactly(InetAddress.getByName(SITE1));
  }

  @Test
  void shouldFailClearlyWhenTheServerRefusesUpdates() throws IOException {
    server.setRefuseUpdates(true);

    assertThatThrownBy(() -> connector.switchARecord(switchTo("site2.cs-mgmt")))
        .isInstanceOf(DnsException.class)
        .hasMessageContaining("DNS server lab-dns refused the update of cs-master.genesys.lab.: "
            + "REFUSED");
    assertThat(server.updatesReceived()).isEqualTo(1);
    assertThat(server.addresses(CS_MASTER)).containsExactly(InetAddress.getByName(SITE1));
  }

  @Test
  void shouldFailTechnicallyWhenTheServerAnswersServfail() {
    server.setServfail(true);

    assertThatThrownBy(() -> connector.switchARecord(switchTo("site2.cs-mgmt")))
        .isInstanceOf(DnsException.class)
        .hasMessageContaining("DNS server lab-dns answered SERVFAIL to the query for "
            + "cs-master.genesys.lab./A");
    assertThat(server.updatesReceived()).isZero();
  }

  @Test
  void shouldFailForRetryWhenTheRecordChangesBetweenCheckAndUpdate() throws IOException {
    DnsClient racing = new DnsClient() {
      @Override
      Message update(String serverName, DnsServer config, Message update, TSIG key,
          Duration timeout) {
        server.setA(CS_MASTER, loopback("127.0.3.10"), 60);
        return super.update(serverName, config, update, key, timeout);
      }
    };
    DnsConnector raced = new DnsConnector(new Topology(properties), new SecretResolver(masker),
        racing);

    assertThatThrownBy(() -> raced.switchARecord(switchTo("site2.cs-mgmt")))
        .isInstanceOf(DnsException.class)
        .hasMessageContaining("changed on DNS server lab-dns between check and update")
        .hasMessageContaining("NXRRSET")
        .hasMessageContaining("will be retried");
    assertThat(server.addresses(CS_MASTER)).containsExactly(InetAddress.getByName("127.0.3.10"));
  }

  @Test
  void shouldRaiseVerifyFailedWhenTheServerDoesNotAnswerTheNewAddressAfterTheUpdate() {
    DnsClient reverting = new DnsClient() {
      @Override
      Message update(String serverName, DnsServer config, Message update, TSIG key,
          Duration timeout) {
        Message response = super.update(serverName, config, update, key, timeout);
        server.setA(CS_MASTER, loopback(SITE1), 60);
        return response;
      }
    };
    DnsConnector reverted = new DnsConnector(new Topology(properties), new SecretResolver(masker),
        reverting);

    StepBusinessException failure = catchThrowableOfType(StepBusinessException.class,
        () -> reverted.switchARecord(switchTo("site2.cs-mgmt")));

    assertThat(failure.errorCode()).isEqualTo("DR_VERIFY_FAILED");
    assertThat(failure.result()).containsEntry("addresses", List.of(SITE1))
        .containsEntry("address", SITE2);
  }

  @Test
  void shouldRegisterTheTsigSecretForMaskingWhenSigningAnUpdate() {
    connector.switchARecord(switchTo("site2.cs-mgmt"));

    assertThat(masker.mask("secret " + secret)).isEqualTo("secret " + SecretMasker.MASK);
  }

  // ---------------------------------------------------------------- dns-resolve

  @Test
  void shouldReturnAddressesWhenTheAnswerMatchesTheExpectedHost() {
    Map<String, Object> result = connector.resolve(
        Map.of("record", "cs-master", "expectHost", "site1.cs-mgmt"));

    assertThat(result).containsEntry("name", "cs-master.genesys.lab.")
        .containsEntry("addresses", List.of(SITE1))
        .containsEntry("rcode", "NOERROR")
        .containsEntry("expectedAddress", SITE1);
  }

  @Test
  void shouldRaiseDnsMismatchWithTheAnswerWhenItDiffersFromTheExpectation() {
    StepBusinessException failure = catchThrowableOfType(StepBusinessException.class,
        () -> connector.resolve(Map.of("record", "cs-master", "expectAddress", SITE2)));

    assertThat(failure.errorCode()).isEqualTo("DR_DNS_MISMATCH");
    assertThat(failure.getMessage()).contains("answers [127.0.1.10]", "expected [127.0.2.10]");
    assertThat(failure.result()).containsEntry("addresses", List.of(SITE1))
        .containsEntry("rcode", "NOERROR");
  }

  @Test
  void shouldReturnNoAddressesWhenTheNameDoesNotExist() {
    Map<String, Object> result = connector.resolve(
        Map.of("name", "nobody.genesys.lab", "server", "lab-dns"));

    assertThat(result).containsEntry("name", "nobody.genesys.lab.")
        .containsEntry("addresses", List.of())
        .containsEntry("rcode", "NXDOMAIN");
  }

  @Test
  void shouldRaiseDnsMismatchWhenAnExpectedNameDoesNotExist() {
    StepBusinessException failure = catchThrowableOfType(StepBusinessException.class,
        () -> connector.resolve(Map.of("name", "nobody.genesys.lab.",
            "expectHost", "site2.cs-mgmt")));

    assertThat(failure.errorCode()).isEqualTo("DR_DNS_MISMATCH");
    assertThat(failure.result()).containsEntry("rcode", "NXDOMAIN")
        .containsEntry("addresses", List.of());
  }

  @Test
  void shouldFailTechnicallyWhenResolvingAndTheServerAnswersServfail() {
    server.setServfail(true);

    assertThatThrownBy(() -> connector.resolve(Map.of("record", "cs-master")))
        .isInstanceOf(DnsException.class)
        .hasMessageContaining("SERVFAIL");
  }

  @Test
  void shouldFailTechnicallyWhenTheServerDoesNotAnswer() throws IOException {
    int silentPort;
    try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      silentPort = silent.getLocalPort();
      properties.getDnsServers().get("lab-dns").setPort(silentPort);
      properties.getDnsServers().get("lab-dns").setTimeout(Duration.ofMillis(500));

      assertThatThrownBy(() -> connector.resolve(Map.of("record", "cs-master")))
          .isInstanceOf(DnsException.class)
          .hasMessageContaining("DNS server lab-dns (127.0.0.1:" + silentPort
              + ") did not answer");
    }
  }

  // ---------------------------------------------------------------- fixtures

  private static Map<String, Object> switchTo(String host) {
    return Map.of("record", "cs-master", "targetHost", host, "idempotencyKey", "pi-1:act-1",
        "stepName", "Switch DNS");
  }

  private static TopologyProperties topology(int port, String secretReference) {
    TopologyProperties properties = new TopologyProperties();
    DnsServer server = new DnsServer();
    server.setAddress("127.0.0.1");
    server.setPort(port);
    server.setTsigKeyName("dr-runbook-key.");
    server.setTsigAlgorithm("hmac-sha256");
    server.setTsigSecret(secretReference);
    server.setTimeout(Duration.ofSeconds(3));
    properties.getDnsServers().put("lab-dns", server);
    properties.getDnsRecords().put("cs-master", record("cs-master.genesys.lab."));
    properties.getSites().put("site1", site("127.0.1.10"));
    properties.getSites().put("site2", site("127.0.2.10"));
    return properties;
  }

  private static DnsRecord record(String name) {
    DnsRecord record = new DnsRecord();
    record.setZone("genesys.lab.");
    record.setName(name);
    record.setServer("lab-dns");
    record.setTtl(60);
    return record;
  }

  private static Site site(String csMgmtAddress) {
    Host host = new Host();
    host.setAddress(csMgmtAddress);
    Site site = new Site();
    site.getHosts().put("cs-mgmt", host);
    return site;
  }

  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static InetAddress loopback(String address) {
    try {
      return InetAddress.getByName(address);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
