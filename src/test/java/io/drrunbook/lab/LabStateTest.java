package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.lab.model.LabModelException;
import io.drrunbook.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's simulated systems without SSH: initial state from the models, persistence, derived values. */
class LabStateTest {

  private static final List<String> APPS = List.of("confserv-master-pair", "scs-master", "msgserver-scs-distributed");

  @TempDir
  Path dir;

  private final LabProperties properties = LabFixture.labProperties(Path.of("unused"));

  private LabState state() {
    properties.setDir(dir.resolve("lab"));
    return new LabState(properties, new Topology(LabFixture.topology(dir, 8053)), LabFixture.MODELS, LabFixture.CLOCK);
  }

  @Test
  void shouldDescribeLabBeforeFailoverWhenStartedWithoutStateFile() {
    LabState state = state();

    assertThat(state.componentNames("site1.cs-mgmt")).containsExactlyElementsOf(APPS);
    assertThat(APPS).allSatisfy(app -> {
      assertThat(state.state("site1.cs-mgmt", app)).isEqualTo("RUNNING");
      assertThat(state.state("site2.cs-mgmt", app)).isEqualTo("STOPPED");
    });
    LabState.ComponentView replication = state.component("site2.ogg", "site1-to-site2");
    assertThat(replication.state()).isEqualTo("RUNNING");
    assertThat(replication.kind()).isEqualTo("replication");
    assertThat(replication.title()).isEqualTo("Replication site1 -> site2");
    assertThat(replication.attributes())
        .containsEntry("from", "site1").containsEntry("to", "site2")
        .containsEntry("replicats", List.of("RCFG12", "RLOG12"))
        .containsEntry("lagSeconds", 0)
        .containsEntry("lastStarted", "2026-11-20T10:00:00Z");
    assertThat(state.componentNames("site2.ogg")).containsExactly("site1-to-site2");
    assertThat(state.componentNames("site1.ogg")).containsExactly("site2-to-site1");
    assertThat(state.state("site1.ogg", "site2-to-site1")).isEqualTo("STOPPED");
    assertThat(state.attribute("site1.ogg", "site2-to-site1", "replicats")).isEqualTo(List.of("RCFG21", "RLOG21"));
    LabState.ComponentView proxy = state.component("site2.cs-proxy-1", "cs-proxy");
    assertThat(proxy.state()).isEqualTo("normal");
    assertThat(proxy.attributes())
        .containsEntry("master", "cs-master.genesys.lab")
        .containsEntry("cachedAddress", "127.0.1.10")
        .containsEntry("connectedTo", "127.0.1.10");
    assertThat(Files.exists(properties.stateFile())).isTrue();
  }

  @Test
  void shouldIgnorePersistedStateWhenResetOnStartIsSet() {
    state().set("site2.cs-mgmt", "scs-master", null, "RUNNING");
    assertThat(state().state("site2.cs-mgmt", "scs-master")).isEqualTo("RUNNING");

    properties.setResetOnStart(true);

    assertThat(state().state("site2.cs-mgmt", "scs-master")).isEqualTo("STOPPED");
  }

  @Test
  void shouldResumeStoredAttributesWhenRestartedOnSameFolder() {
    state().set("site1.cs-proxy-1", "cs-proxy", "cachedAddress", "127.0.2.10");

    LabState resumed = state();

    assertThat(resumed.attribute("site1.cs-proxy-1", "cs-proxy", "cachedAddress")).isEqualTo("127.0.2.10");
    assertThat(resumed.state("site1.cs-proxy-1", "cs-proxy")).isEqualTo("limited");
  }

  @Test
  void shouldStartFromInitialStateWhenStateFileIsCorrupt() throws Exception {
    state().set("site2.cs-mgmt", "scs-master", null, "RUNNING");
    Files.writeString(properties.stateFile(), "{not json");

    assertThat(state().state("site2.cs-mgmt", "scs-master")).isEqualTo("STOPPED");
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

    state.set("site1.cs-mgmt", "confserv-master-pair", null, "STOPPED");
    LabState.ComponentView whileDown = state.component("site1.cs-proxy-1", "cs-proxy");
    state.set("site1.cs-mgmt", "confserv-master-pair", null, "RUNNING");

    assertThat(whileDown.state()).isEqualTo("limited");
    assertThat(whileDown.attributes()).containsEntry("cachedAddress", "127.0.1.10").containsEntry("connectedTo", "none");
    assertThat(state.state("site1.cs-proxy-1", "cs-proxy")).isEqualTo("normal");
    assertThat(state.attribute("site1.cs-proxy-1", "cs-proxy", "connectedTo")).isEqualTo("127.0.1.10");
  }

  @Test
  void shouldRefuseToSetDerivedValueWhenAskedTo() {
    LabState state = state();

    assertThatThrownBy(() -> state.set("site1.cs-proxy-1", "cs-proxy", null, "normal"))
        .isInstanceOf(LabModelException.class)
        .hasMessageContaining("derived");
    assertThatThrownBy(() -> state.set("site1.cs-proxy-1", "cs-proxy", "connectedTo", "x"))
        .isInstanceOf(LabModelException.class)
        .hasMessageContaining("derived");
  }

  @Test
  void shouldNameHostAndComponentsWhenComponentIsUnknown() {
    LabState state = state();

    assertThatThrownBy(() -> state.state("site1.cs-mgmt", "nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("site1.cs-mgmt").hasMessageContaining("confserv-master-pair");
    assertThatThrownBy(() -> state.state("site9.x", "nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no simulated host 'site9.x'");
  }
}
