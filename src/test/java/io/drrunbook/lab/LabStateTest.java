package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.drrunbook.lab.LabState.ProxyMode;
import io.drrunbook.lab.LabState.ProxyState;
import io.drrunbook.lab.LabState.Replication;
import io.drrunbook.lab.LabState.RunState;
import io.drrunbook.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's simulated systems without SSH: initial state, persistence, proxies following the master. */
class LabStateTest {

  @TempDir
  Path dir;

  private final LabProperties properties = LabFixture.labProperties(Path.of("unused"));

  private LabState state() {
    properties.setDir(dir.resolve("lab"));
    return new LabState(properties, new Topology(LabFixture.topology(dir, 8053)), LabFixture.CLOCK);
  }

  @Test
  void shouldDescribeLabBeforeFailoverWhenStartedWithoutStateFile() {
    LabState state = state();

    assertThat(LabState.APPS).allSatisfy(app -> {
      assertThat(state.appState("site1.cs-mgmt", app)).isEqualTo(RunState.RUNNING);
      assertThat(state.appState("site2.cs-mgmt", app)).isEqualTo(RunState.STOPPED);
    });
    assertThat(state.replication("site1-to-site2")).isEqualTo(new Replication("site1-to-site2", RunState.RUNNING,
        "site2.ogg", List.of("RCFG12", "RLOG12"), 0, Instant.parse("2026-11-20T10:00:00Z")));
    assertThat(state.replication("site2-to-site1").status()).isEqualTo(RunState.STOPPED);
    assertThat(state.replication("site2-to-site1").host()).isEqualTo("site1.ogg");
    assertThat(state.replication("site2-to-site1").replicats()).containsExactly("RCFG21", "RLOG21");
    assertThat(state.proxy("site2.cs-proxy-1"))
        .isEqualTo(new ProxyState(ProxyMode.NORMAL, "cs-master.genesys.lab", "127.0.1.10", "127.0.1.10"));
    assertThat(Files.exists(properties.stateFile())).isTrue();
  }

  @Test
  void shouldIgnorePersistedStateWhenResetOnStartIsSet() {
    state().setAppState("site2.cs-mgmt", "scs-master", RunState.RUNNING);
    assertThat(state().appState("site2.cs-mgmt", "scs-master")).isEqualTo(RunState.RUNNING);

    properties.setResetOnStart(true);

    assertThat(state().appState("site2.cs-mgmt", "scs-master")).isEqualTo(RunState.STOPPED);
  }

  @Test
  void shouldStartFromInitialStateWhenStateFileIsCorrupt() throws Exception {
    state().setAppState("site2.cs-mgmt", "scs-master", RunState.RUNNING);
    Files.writeString(properties.stateFile(), "{not json");

    assertThat(state().appState("site2.cs-mgmt", "scs-master")).isEqualTo(RunState.STOPPED);
  }

  @Test
  void shouldKeepOnlyLastFiftyCommandsWhenHostReceivesMore() {
    LabState state = state();
    for (int i = 1; i <= 60; i++) {
      state.recordCommand("site1.ogg", "command " + i, 0, null);
    }

    List<LabState.CommandRecord> log = state().commandLog("site1.ogg");

    assertThat(log).hasSize(LabState.COMMAND_LOG_SIZE);
    assertThat(log.get(0).command()).isEqualTo("command 11");
    assertThat(log.get(49).command()).isEqualTo("command 60");
  }

  @Test
  void shouldDropProxiesToLimitedModeWhenTheirMasterStopsAndReconnectWhenItStarts() {
    LabState state = state();

    state.setAppState("site1.cs-mgmt", LabState.CONFIG_SERVER_APP, RunState.STOPPED);
    ProxyState whileDown = state.proxy("site1.cs-proxy-1");
    state.setAppState("site1.cs-mgmt", LabState.CONFIG_SERVER_APP, RunState.RUNNING);

    assertThat(whileDown)
        .isEqualTo(new ProxyState(ProxyMode.LIMITED, "cs-master.genesys.lab", "127.0.1.10", LabState.NOT_CONNECTED));
    assertThat(state.proxy("site1.cs-proxy-1").mode()).isEqualTo(ProxyMode.NORMAL);
    assertThat(state.proxy("site1.cs-proxy-1").connectedTo()).isEqualTo("127.0.1.10");
  }

  @Test
  void shouldShowSitesSideBySideWhenSnapshotIsSerialised() throws Exception {
    LabState state = state();
    state.recordCommand("site2.cs-mgmt", "/opt/dr/bin/genesys-ctl start scs-master", 0, "genesys-ctl start scs-master");
    ObjectMapper json = JsonMapper.builder().findAndAddModules()
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    JsonNode snapshot = json.valueToTree(state.snapshot());

    assertThat(snapshot.get("sites").fieldNames()).toIterable().containsExactly("site1", "site2");
    JsonNode site2 = snapshot.get("sites").get("site2").get("hosts");
    assertThat(site2.fieldNames()).toIterable().containsExactly("site2.cs-mgmt", "site2.ogg", "site2.cs-proxy-1");
    assertThat(site2.at("/site2.cs-mgmt/apps/confserv-master-pair").asText()).isEqualTo("STOPPED");
    assertThat(site2.at("/site2.cs-mgmt/lastCommands/0/command").asText())
        .isEqualTo("/opt/dr/bin/genesys-ctl start scs-master");
    assertThat(site2.at("/site2.cs-mgmt/actionCounts/genesys-ctl start scs-master").asInt()).isEqualTo(1);
    assertThat(site2.at("/site2.ogg/replication/0/direction").asText()).isEqualTo("site1-to-site2");
    assertThat(site2.at("/site2.ogg/replication/0/status").asText()).isEqualTo("RUNNING");
    assertThat(site2.at("/site2.cs-proxy-1/proxy/mode").asText()).isEqualTo("normal");
    assertThat(site2.at("/site2.cs-proxy-1/proxy/connectedTo").asText()).isEqualTo("127.0.1.10");
  }
}
