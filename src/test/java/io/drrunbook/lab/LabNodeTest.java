package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.DrillContext;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * What a node in another process needs from this lab: the addresses the lab publishes in
 * {@code lab-node.properties} (every SSH port and endpoint as bound, its databases through the
 * lab's H2 server, reaching the very data the lab's site changes act on), its sites changed over
 * HTTP by {@link RemoteLabSites}, and slow commands set while it runs. The whole set-up with two
 * nodes and the lab as child processes is {@code NodeLossIT}.
 */
@DrillContext
class LabNodeTest {

  @Autowired Lab lab;
  @Autowired LabProperties properties;
  @Autowired Topology topology;
  @Autowired SecretResolver secrets;
  @Autowired TestRestTemplate http;
  @LocalServerPort int port;

  @BeforeEach
  @AfterEach
  void resetLab() {
    lab.reset();
    properties.getCommandDelays().remove("lab-node-test");
  }

  @Test
  void shouldPublishEveryBoundAddressWithTheDatabasesThroughTheLabsServer() throws Exception {
    Properties published = new Properties();
    try (Reader file = Files.newBufferedReader(properties.getDir().resolve(LabNodeFile.FILE))) {
      published.load(file);
    }
    assertThat(published.getProperty("dr.lab.url")).isEqualTo("http://127.0.0.1:" + port);
    TopologyProperties.Site site2 = topology.properties().getSites().get("site2");
    assertThat(published.getProperty("dr.topology.sites.site2.hosts.cs-mgmt.ssh.port"))
        .isEqualTo(String.valueOf(site2.getHosts().get("cs-mgmt").getSsh().getPort()));
    assertThat(published.getProperty("dr.topology.dns-servers.lab-dns.port"))
        .isEqualTo(String.valueOf(topology.dnsServer("lab-dns").getPort()));
    assertThat(published.getProperty("dr.topology.sites.site1.endpoints.gim-admin.url"))
        .isEqualTo(topology.endpoint("site1.gim-admin").getUrl());
    assertThat(published.stringPropertyNames()).as("hosts without SSH have no port")
        .doesNotContain("dr.topology.sites.site1.hosts.oceana-aawg.ssh.port");

    // the database through the lab's server is the database the lab changes: lock it here, read it there
    String url = published.getProperty("dr.topology.sites.site2.databases.config-db.url");
    assertThat(url).startsWith("jdbc:h2:tcp://127.0.0.1:");
    assertThat(access(url)).isEqualTo("LOCKED");
    lab.sites().down("site2", "test");
    assertThat(canOpen(url)).as("a lost site's database is gone for the nodes too").isFalse();
  }

  @Test
  void shouldLoseAndRestoreTheLabsSitesOverHttp() {
    RemoteLabSites remote = new RemoteLabSites(URI.create("http://127.0.0.1:" + port), "operator", "operator");

    LabSites.SiteLoss loss = remote.down("site2", "drill");

    assertThat(loss.site()).isEqualTo("site2");
    assertThat(loss.by()).as("the lab records the node's lab user").isEqualTo("operator");
    assertThat(lab.sites().lost()).extracting(LabSites.SiteLoss::site).containsExactly("site2");
    assertThat(remote.up("site2")).isTrue();
    assertThat(lab.sites().lost()).isEmpty();
    RemoteLabSites stranger = new RemoteLabSites(URI.create("http://127.0.0.1:" + port), "operator", "wrong");
    assertThatThrownBy(() -> stranger.down("site2", "drill"))
        .hasMessageContaining("HTTP 401");
    assertThat(lab.sites().lost()).isEmpty();
  }

  @Test
  void shouldSetHowLongALabCommandTakesWhileTheLabRuns() {
    ResponseEntity<Map> set = put("\"2s\"");
    assertThat(set.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(set.getBody()).containsEntry("lab-node-test", "PT2S");
    assertThat(properties.getCommandDelays()).containsEntry("lab-node-test", Duration.ofSeconds(2));

    ResponseEntity<Map> wrong = put("\"soon\"");
    assertThat(wrong.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(wrong.getBody().toString()).contains("body").contains("soon");
    assertThat(properties.getCommandDelays()).containsEntry("lab-node-test", Duration.ofSeconds(2));
  }

  private ResponseEntity<Map> put(String json) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    return http.withBasicAuth("operator", "operator").exchange("/lab/api/command-delays/lab-node-test",
        HttpMethod.PUT, new HttpEntity<>(json, headers), Map.class);
  }

  private String access(String url) throws Exception {
    try (Connection connection = connect(url);
        PreparedStatement query = connection.prepareStatement(
            "SELECT ACCOUNT_STATUS FROM DBA_USERS WHERE USERNAME = ?")) {
      query.setString(1, "GENESYS_CFG");
      try (ResultSet rows = query.executeQuery()) {
        assertThat(rows.next()).isTrue();
        return rows.getString(1);
      }
    }
  }

  private boolean canOpen(String url) {
    try (Connection connection = connect(url)) {
      return connection.isValid(2);
    } catch (Exception e) {
      return false;
    }
  }

  private Connection connect(String url) throws Exception {
    TopologyProperties.Database spec = topology.database("site2.config-db");
    return DriverManager.getConnection(url, spec.getUsername(), secrets.resolve(spec.getPassword()));
  }
}
