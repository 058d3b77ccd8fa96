package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.drrunbook.topology.Topology;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab state view of GET /lab/api/state: its JSON shape, the command window and the version. */
class LabViewBuilderTest {

  private static final Map<String, List<String>> DNS = Map.of("cs-master.genesys.lab.", List.of("127.0.1.10"));

  @TempDir
  Path dir;

  private final ObjectMapper json = JsonMapper.builder().findAndAddModules()
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
  private final LabViewBuilder builder = new LabViewBuilder();
  private LabState state;
  private LabProperties properties;

  @BeforeEach
  void initialLab() {
    properties = LabFixture.labProperties(dir);
    state = new LabState(properties, new Topology(LabFixture.topology(dir, 8053)), LabFixture.MODELS, LabFixture.CLOCK);
  }

  private LabView view() {
    return builder.build(state, DNS, databases("OPEN", "LOCKED"), List.of());
  }

  private static Map<String, String> databases(String site1, String site2) {
    Map<String, String> access = new LinkedHashMap<>();
    access.put("site1.config-db", site1);
    access.put("site2.config-db", site2);
    return access;
  }

  @Test
  void shouldShowSitesHostsComponentsDatabasesDnsAndReplicationWhenTheLabIsInItsInitialState() {
    JsonNode view = json.valueToTree(view());

    assertThat(view.get("takenAt").asText()).isEqualTo("2026-11-20T10:00:00Z");
    assertThat(view.get("version").isIntegralNumber()).isTrue();
    assertThat(view.get("sites")).extracting(site -> site.get("id").asText()).containsExactly("site1", "site2");
    JsonNode site2 = view.at("/sites/1");
    assertThat(site2.get("title").asText()).isEqualTo("Site 2");
    assertThat(site2.get("hosts")).extracting(host -> host.get("name").asText())
        .containsExactly("site2.cs-mgmt", "site2.ogg", "site2.cs-proxy-1");

    JsonNode mgmt = site2.at("/hosts/0");
    assertThat(mgmt.get("role").asText()).isEqualTo("genesys-mgmt");
    assertThat(mgmt.get("address").asText()).isEqualTo("127.0.2.10");
    assertThat(mgmt.get("components")).extracting(c -> c.get("name").asText() + "=" + c.get("state").asText())
        .containsExactly("confserv-master-pair=STOPPED", "scs-master=STOPPED", "msgserver-scs-distributed=STOPPED");
    assertThat(mgmt.at("/components/0/title").asText()).isEqualTo("Master Configuration Server pair");
    assertThat(view.at("/sites/0/hosts/0/components/0/state").asText()).isEqualTo("RUNNING");

    JsonNode replicats = site2.at("/hosts/1/components");
    assertThat(replicats).hasSize(1);
    assertThat(replicats.at("/0/name").asText()).isEqualTo("site1-to-site2");
    assertThat(replicats.at("/0/state").asText()).isEqualTo("RUNNING");
    assertThat(json.convertValue(replicats.at("/0/attributes"), Map.class)).containsExactly(
        Map.entry("from", "site1"), Map.entry("to", "site2"),
        Map.entry("replicats", "RCFG12, RLOG12"), Map.entry("lagSeconds", "0"),
        Map.entry("lastStarted", "2026-11-20T10:00:00Z"));

    JsonNode proxy = site2.at("/hosts/2/components");
    assertThat(proxy).hasSize(1);
    assertThat(proxy.at("/0/name").asText()).isEqualTo("cs-proxy");
    assertThat(proxy.at("/0/state").asText()).isEqualTo("normal");
    assertThat(json.convertValue(proxy.at("/0/attributes"), Map.class)).containsExactly(
        Map.entry("master", "cs-master.genesys.lab"), Map.entry("cachedAddress", "127.0.1.10"),
        Map.entry("connectedTo", "127.0.1.10"));

    assertThat(view.at("/sites/0/databases/0").toString())
        .isEqualTo("{\"name\":\"site1.config-db\",\"role\":\"PRIMARY\",\"access\":\"OPEN\"}");
    assertThat(site2.at("/databases/0").toString())
        .isEqualTo("{\"name\":\"site2.config-db\",\"role\":\"STANDBY\",\"access\":\"LOCKED\"}");
    assertThat(view.at("/dns/records/cs-master.genesys.lab./0").asText()).isEqualTo("127.0.1.10");
    assertThat(view.get("replication").toString()).isEqualTo("["
        + "{\"direction\":\"site1-to-site2\",\"from\":\"site1\",\"to\":\"site2\",\"status\":\"RUNNING\",\"lagSeconds\":0},"
        + "{\"direction\":\"site2-to-site1\",\"from\":\"site2\",\"to\":\"site1\",\"status\":\"STOPPED\",\"lagSeconds\":0}]");
    assertThat(view.get("faults").isArray()).isTrue();
    assertThat(view.get("faults")).isEmpty();
  }

  @Test
  void shouldShowTheLastTenCommandsNewestLastWhenAHostReceivedMore() {
    for (int i = 1; i <= 12; i++) {
      state.recordCommand("site2.cs-mgmt", "command " + i, i == 12 ? 3 : 0, null);
    }
    state.recordCommand("site2.cs-mgmt", "/opt/dr/bin/genesys-ctl start scs-master", 0, "genesys-ctl start scs-master");

    LabView.Host host = view().sites().get(1).hosts().get(0);

    assertThat(host.lastCommands()).hasSize(LabViewBuilder.LAST_COMMANDS);
    assertThat(host.lastCommands().get(0).command()).isEqualTo("command 4");
    assertThat(host.lastCommands().get(8)).isEqualTo(
        new LabView.Command(LabFixture.CLOCK.instant(), "command 12", 3));
    assertThat(host.lastCommands().get(9).command()).isEqualTo("/opt/dr/bin/genesys-ctl start scs-master");
    assertThat(host.actionCounts()).containsExactly(Map.entry("genesys-ctl start scs-master", 1));
  }

  @Test
  void shouldKeepTheVersionWhenOnlyTheTimeOfTheViewChanges() {
    // the same lab, read back an hour later by a state with a later clock
    LabState later = new LabState(properties, new Topology(LabFixture.topology(dir, 8053)), LabFixture.MODELS,
        Clock.fixed(Instant.parse("2026-11-20T11:00:00Z"), ZoneOffset.UTC));

    LabView first = builder.build(state, DNS, databases("OPEN", "LOCKED"), List.of());
    LabView second = builder.build(later, DNS, databases("OPEN", "LOCKED"), List.of());

    assertThat(second.takenAt()).isNotEqualTo(first.takenAt());
    assertThat(second.version()).isEqualTo(first.version());
  }

  @Test
  void shouldShowTheCurrentScnOfAnInfoMartDatabaseWithoutChangingTheVersionAsItGrows() {
    LabView without = builder.build(state, DNS, databases("OPEN", "LOCKED"), List.of());
    LabView first = builder.build(state, DNS, databases("OPEN", "LOCKED"),
        Map.of("site2.config-db", 2_000_000_000_123L), List.of(), List.of());
    LabView later = builder.build(state, DNS, databases("OPEN", "LOCKED"),
        Map.of("site2.config-db", 2_000_000_009_999L), List.of(), List.of());

    assertThat(database(first, "site2.config-db").currentScn()).isEqualTo(2_000_000_000_123L);
    assertThat(database(later, "site2.config-db").currentScn()).isEqualTo(2_000_000_009_999L);
    assertThat(database(first, "site1.config-db").currentScn()).isNull();
    assertThat(json.valueToTree(database(first, "site1.config-db")).has("currentScn"))
        .as("no SCN, no field").isFalse();
    assertThat(later.version()).isEqualTo(first.version()).isEqualTo(without.version());
  }

  private static LabView.Database database(LabView view, String name) {
    return view.sites().stream().flatMap(site -> site.databases().stream())
        .filter(db -> db.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void shouldChangeTheVersionWhenAnythingInTheLabChanges() {
    long initial = view().version();

    state.set("site2.cs-mgmt", "confserv-master-pair", null, "RUNNING");
    long appStarted = view().version();
    state.recordCommand("site2.cs-mgmt", "/opt/dr/bin/genesys-ctl status scs-master", 0, null);
    long commandReceived = view().version();
    long dnsSwitched = builder.build(state,
        Map.of("cs-master.genesys.lab.", List.of("127.0.2.10")), databases("OPEN", "LOCKED"), List.of()).version();
    long databaseOpened = builder.build(state, DNS, databases("OPEN", "OPEN"), List.of()).version();
    long faulted = builder.build(state, DNS, databases("OPEN", "LOCKED"),
        List.of(Map.of("id", "f1", "type", "unreachable", "target", "site2.cs-mgmt"))).version();

    assertThat(List.of(initial, appStarted, commandReceived, dnsSwitched, databaseOpened, faulted))
        .doesNotHaveDuplicates()
        .allSatisfy(version -> assertThat(version).isBetween(0L, (1L << 53) - 1));
    assertThat(view().version()).isEqualTo(commandReceived);
  }
}
