package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.connectors.sql.TargetDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** {@code PUT /lab/api/state/{host}/{component}/{attribute}}: rehearsal set-up through the lab API. */
@DrillContext
class LabStateApiTest {

  @Autowired TestRestTemplate http;
  @Autowired Lab lab;
  @Autowired TargetDatabases databases;

  @BeforeEach
  @AfterEach
  void resetLab() {
    lab.reset();
  }

  @Test
  void shouldShowTheInfoMartDatabasesCurrentScnAsTheDatabaseAnswersItAndNoneOnceTheSiteIsLost()
      throws Exception {
    long before = currentScn("site2.gim-db");
    JsonNode shown = database(stateAs("operator"), "site2.gim-db");
    long after = currentScn("site2.gim-db");
    // what a person reads there is what SELECT CURRENT_SCN FROM V$DATABASE answers at that moment
    assertThat(shown.path("currentScn").asLong()).isBetween(before, after);
    assertThat(database(stateAs("operator"), "site1.config-db").has("currentScn"))
        .as("a Configuration Database has no SCN to export").isFalse();

    ResponseEntity<String> down = http.withBasicAuth("operator", "operator")
        .postForEntity("/lab/api/sites/site2/down", null, String.class);
    assertThat(down.getStatusCode()).as(down.getBody()).isEqualTo(HttpStatus.OK);
    JsonNode lost = database(stateAs("operator"), "site2.gim-db");
    assertThat(lost.path("access").asText()).isEqualTo("LOST");
    assertThat(lost.has("currentScn")).isFalse();
  }

  private long currentScn(String database) throws Exception {
    try (Connection connection = databases.open(database);
        ResultSet rows = connection.createStatement().executeQuery("SELECT CURRENT_SCN FROM V$DATABASE")) {
      assertThat(rows.next()).isTrue();
      return rows.getLong(1);
    }
  }

  private JsonNode stateAs(String user) throws Exception {
    ResponseEntity<String> view = http.withBasicAuth(user, user).getForEntity("/lab/api/state", String.class);
    assertThat(view.getStatusCode()).as(view.getBody()).isEqualTo(HttpStatus.OK);
    return new ObjectMapper().readTree(view.getBody());
  }

  private static JsonNode database(JsonNode view, String name) {
    return view.findValues("databases").stream()
        .flatMap(list -> StreamSupport.stream(list.spliterator(), false))
        .filter(db -> db.path("name").asText().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no database " + name + " in " + view));
  }

  @Test
  void shouldSetAStoredAttributeAndRefuseWhatCannotBeSet() {
    ResponseEntity<String> set = put("operator", "/lab/api/state/site2.gim/gim-server/schemaVersion", "\"8.5.114.08\"");

    assertThat(set.getStatusCode()).as(set.getBody()).isEqualTo(HttpStatus.OK);
    assertThat(lab.state().attribute("site2.gim", "gim-server", "schemaVersion")).isEqualTo("8.5.114.08");
    // the derived migration state follows
    assertThat(lab.state().attribute("site2.gim", "gim-server", "migrationState")).isEqualTo(true);

    assertThat(put("operator", "/lab/api/state/site2.gim/gim-server/migrationState", "false").getStatusCode())
        .isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(put("operator", "/lab/api/state/site9.gim/gim-server/schemaVersion", "\"x\"").getStatusCode())
        .isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(put("operator", "/lab/api/state/site2.gim/gim-server/schemaVersion", "{\"a\": 1}").getStatusCode())
        .isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(put(null, "/lab/api/state/site2.gim/gim-server/schemaVersion", "\"1\"").getStatusCode())
        .isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(lab.state().attribute("site2.gim", "gim-server", "schemaVersion")).isEqualTo("8.5.114.08");
  }

  @Test
  void shouldSetAComponentsStateAndRefuseADerivedOne() {
    ResponseEntity<String> stopped = put("operator", "/lab/api/state/site2.gim-ogg/REPGIM/state", "\"STOPPED\"");

    assertThat(stopped.getStatusCode()).as(stopped.getBody()).isEqualTo(HttpStatus.OK);
    assertThat(lab.state().state("site2.gim-ogg", "REPGIM")).isEqualTo("STOPPED");
    assertThat(lab.state().attribute("site2.gim-ogg", "REPGIM", "state")).isNull();
    // the folders' state is derived from their contents
    assertThat(put("operator", "/lab/api/state/site2.gim-ogg/folders/state", "\"CLEAN\"").getStatusCode())
        .isEqualTo(HttpStatus.BAD_REQUEST);
  }

  private ResponseEntity<String> put(String user, String path, String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    TestRestTemplate client = user == null ? http : http.withBasicAuth(user, user);
    return client.exchange(path, HttpMethod.PUT, new HttpEntity<>(body, headers), String.class);
  }
}
