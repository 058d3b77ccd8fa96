package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.connectors.sql.TargetDatabases;
import io.drrunbook.topology.Topology;
import java.sql.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * A site lost as a disaster loses it, through the lab API as a person rehearsing does it: its hosts
 * refuse connections, its services stop, its databases are gone; brought back, it is reachable again
 * with its services still stopped; a restart of the application keeps it lost.
 */
@DrillContext
class LabSitesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Autowired TestRestTemplate http;
  @Autowired Lab lab;
  @Autowired Topology topology;
  @Autowired TargetDatabases databases;
  @Autowired LabProperties properties;

  @BeforeEach
  @AfterEach
  void resetLab() {
    lab.reset();
  }

  @Test
  void shouldLoseEverythingOfTheSiteAndNothingElseWhenItGoesDown() throws Exception {
    assertThat(refuses("site1.cs-mgmt")).isFalse();

    ResponseEntity<String> down = operator().postForEntity("/lab/api/sites/site1/down", null, String.class);

    assertThat(down.getStatusCode()).as(down.getBody()).isEqualTo(HttpStatus.OK);
    assertThat(JSON.readTree(down.getBody()).path("by").asText()).isEqualTo("operator");
    assertThat(refuses("site1.cs-mgmt")).as("site1.cs-mgmt refuses connections").isTrue();
    assertThat(refuses("site1.cs-proxy-1")).isTrue();
    assertThat(refuses("site2.cs-mgmt")).as("Site 2 untouched").isFalse();
    assertThat(lab.state().state("site1.cs-mgmt", "confserv-master-pair")).isEqualTo("STOPPED");
    assertThat(lab.state().state("site1.gim-ogg", "EXTGIM")).isEqualTo("STOPPED");
    assertThatThrownBy(() -> databases.open("site1.config-db").close())
        .as("the database is gone, not recreated empty").hasMessageContaining("not found");
    try (Connection site2 = databases.open("site2.config-db")) {
      assertThat(site2.isValid(2)).isTrue();
    }
    // the dashboard's state shows it
    JsonNode state = JSON.readTree(operator().getForEntity("/lab/api/state", String.class).getBody());
    JsonNode site1 = site(state, "site1");
    assertThat(site1.path("down").path("by").asText()).isEqualTo("operator");
    assertThat(site1.path("databases").findValuesAsText("access")).containsOnly("LOST");
    assertThat(site(state, "site2").path("down").path("since").isMissingNode()).as("Site 2 up").isTrue();
    // a second "down" changes nothing
    assertThat(JSON.readTree(operator().postForEntity("/lab/api/sites/site1/down", null, String.class).getBody())
        .path("since").asText()).isEqualTo(JSON.readTree(down.getBody()).path("since").asText());
  }

  @Test
  void shouldBringTheSiteBackWithItsDataAndItsServicesStoppedWhenItComesUp() throws Exception {
    lab.sites().down("site1", "test");

    ResponseEntity<String> up = operator().postForEntity("/lab/api/sites/site1/up", null, String.class);

    assertThat(up.getStatusCode()).as(up.getBody()).isEqualTo(HttpStatus.NO_CONTENT);
    assertThat(refuses("site1.cs-mgmt")).isFalse();
    assertThat(lab.databases().accessStates()).containsEntry("site1.config-db", "OPEN");
    assertThat(lab.state().state("site1.cs-mgmt", "confserv-master-pair")).as("not restarted by itself")
        .isEqualTo("STOPPED");
    assertThat(lab.faults().list()).isEmpty();
  }

  @Test
  void shouldKeepTheSiteLostWhenTheApplicationRestarts() {
    lab.sites().down("site1", "test");
    LabProperties resumed = new LabProperties();
    resumed.setDir(properties.getDir());
    resumed.setDatabases(properties.getDatabases());
    resumed.setResetOnStart(false);

    LabSites afterRestart = new LabSites(resumed, topology, lab.state(), lab.faults(), lab.databases());

    assertThat(afterRestart.isDown("site1")).isTrue();
    assertThat(afterRestart.lost()).singleElement().satisfies(loss -> assertThat(loss.by()).isEqualTo("test"));
  }

  @Test
  void shouldRefuseASiteTheTopologyDoesNotHaveAndAStranger() {
    assertThat(operator().postForEntity("/lab/api/sites/site9/down", null, String.class).getStatusCode())
        .isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(http.postForEntity("/lab/api/sites/site1/down", null, String.class).getStatusCode())
        .isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(lab.sites().lost()).isEmpty();
  }

  private TestRestTemplate operator() {
    return http.withBasicAuth("operator", "operator");
  }

  private static JsonNode site(JsonNode state, String id) {
    for (JsonNode site : state.path("sites")) {
      if (site.path("id").asText().equals(id)) {
        return site;
      }
    }
    throw new AssertionError("no site " + id + " in " + state);
  }

  private boolean refuses(String host) {
    return LabPorts.refusesConnections(topology, host);
  }
}
