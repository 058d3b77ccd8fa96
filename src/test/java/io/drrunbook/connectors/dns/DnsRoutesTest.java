package io.drrunbook.connectors.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.lab.dns.LabDnsServer;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.DnsRecord;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.Site;
import io.drrunbook.topology.TopologyProperties;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;

/** The two YAML routes, loaded as the application loads them, calling the connector bean. */
class DnsRoutesTest {

  private static final Name CS_MASTER = Name.fromConstantString("cs-master.genesys.lab.");

  @TempDir
  Path dir;

  private LabDnsServer server;
  private CamelContext camel;
  private ProducerTemplate producer;

  @BeforeEach
  void start() throws Exception {
    String secret = Base64.getEncoder().encodeToString(new byte[32]);
    server = new LabDnsServer(InetAddress.getLoopbackAddress(), 0,
        Name.fromConstantString("genesys.lab."),
        new TSIG(TSIG.HMAC_SHA256, "dr-runbook-key.", secret));
    server.setA(CS_MASTER, InetAddress.getByName("127.0.1.10"), 60);
    server.start();
    Path secretFile = dir.resolve("tsig.key");
    Files.writeString(secretFile, secret);

    camel = new DefaultCamelContext();
    camel.getRegistry().bind("dnsConnector", new DnsConnector(
        new Topology(topology(server.port(), "file:" + secretFile)),
        new SecretResolver(new SecretMasker())));
    for (String route : List.of("dns-switch-a-record", "dns-resolve")) {
      PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveMandatoryResource(
          camel, "classpath:connectors/" + route + ".camel.yaml"));
    }
    camel.start();
    producer = camel.createProducerTemplate();
  }

  @AfterEach
  void stop() {
    camel.stop();
    server.close();
  }

  @Test
  void shouldSwitchAndResolveWhenCalledThroughTheRoutes() {
    @SuppressWarnings("unchecked")
    Map<String, Object> switched = producer.requestBody("direct:dns-switch-a-record",
        Map.of("route", "dns-switch-a-record", "record", "cs-master",
            "targetHost", "site2.cs-mgmt"), Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> resolved = producer.requestBody("direct:dns-resolve",
        Map.of("route", "dns-resolve", "record", "cs-master", "expectHost", "site2.cs-mgmt"),
        Map.class);

    assertThat(switched).containsEntry("changed", true)
        .containsEntry("previousAddresses", List.of("127.0.1.10"));
    assertThat(resolved).containsEntry("addresses", List.of("127.0.2.10"));
    assertThat(camel.getRoutes()).extracting(r -> r.getRouteId())
        .containsExactlyInAnyOrder("dns-switch-a-record", "dns-resolve");
  }

  private static TopologyProperties topology(int port, String secretReference) {
    TopologyProperties properties = new TopologyProperties();
    DnsServer server = new DnsServer();
    server.setAddress("127.0.0.1");
    server.setPort(port);
    server.setTsigKeyName("dr-runbook-key.");
    server.setTsigSecret(secretReference);
    properties.getDnsServers().put("lab-dns", server);
    DnsRecord record = new DnsRecord();
    record.setZone("genesys.lab.");
    record.setName("cs-master.genesys.lab.");
    record.setServer("lab-dns");
    properties.getDnsRecords().put("cs-master", record);
    for (String site : List.of("site1", "site2")) {
      Host host = new Host();
      host.setAddress(site.equals("site1") ? "127.0.1.10" : "127.0.2.10");
      Site s = new Site();
      s.getHosts().put("cs-mgmt", host);
      properties.getSites().put(site, s);
    }
    return properties;
  }
}
