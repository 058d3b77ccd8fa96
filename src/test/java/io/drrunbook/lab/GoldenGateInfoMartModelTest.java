package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.Site;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab model oracle-goldengate-infomart through the lab shell (no SSH, no Spring): the initial
 * state before the disaster, GGSCI-style answers of ggsci-exec, and what each command changes.
 */
class GoldenGateInfoMartModelTest {

  @TempDir
  Path dir;

  private LabState state;
  private LabShell shell;

  @BeforeEach
  void threeSites() {
    TopologyProperties topology = new TopologyProperties();
    LabProperties lab = new LabProperties();
    lab.setDir(dir);
    for (int n = 1; n <= 3; n++) {
      Site site = new Site();
      site.setTitle("Site " + n);
      Host host = new Host();
      host.setAddress("127.0." + n + ".41");
      site.getHosts().put("gim-ogg", host);
      topology.getSites().put("site" + n, site);
      lab.getRoles().put("site" + n + ".gim-ogg", "goldengate-gim");
    }
    state = new LabState(lab, new Topology(topology), LabFixture.MODELS, LabFixture.CLOCK);
    shell = new LabShell(state, lab);
  }

  @Test
  void shouldStartWithSite1SourceSite2TargetAndSite3NotStartedWhenLabIsNew() {
    assertThat(state.state("site1.gim-ogg", "EXTGIM")).isEqualTo("RUNNING");
    assertThat(state.state("site1.gim-ogg", "PMPGIM")).isEqualTo("RUNNING");
    assertThat(state.attribute("site1.gim-ogg", "PMPGIM", "target")).isEqualTo("site2");
    assertThat(state.state("site1.gim-ogg", "REPGIM")).isEqualTo("STOPPED");
    assertThat(state.state("site2.gim-ogg", "REPGIM")).isEqualTo("RUNNING");
    assertThat(state.attribute("site2.gim-ogg", "REPGIM", "source")).isEqualTo("site1");
    assertThat(state.state("site2.gim-ogg", "EXTGIM")).isEqualTo("STOPPED");
    assertThat(state.state("site2.gim-ogg", "folders")).isEqualTo("IN USE");
    for (String group : new String[] {"EXTGIM", "PMPGIM", "REPGIM"}) {
      assertThat(state.state("site3.gim-ogg", group)).as(group).isEqualTo("STOPPED");
    }
    assertThat(state.attribute("site3.gim-ogg", "PMPGIM", "target")).isEqualTo("site2");
    assertThat(state.state("site3.gim-ogg", "folders")).isEqualTo("CLEAN");
  }

  @Test
  void shouldPrintGgsciStyleStatusWhenInfoAndLagAreAsked() {
    LabShell.Result all = shell.execute("site1.gim-ogg", "/opt/dr/bin/ggsci-exec 'INFO ALL'");
    LabShell.Result info = shell.execute("site2.gim-ogg", "/opt/dr/bin/ggsci-exec INFO REPLICAT repgim");
    LabShell.Result lag = shell.execute("site2.gim-ogg", "ggsci-exec 'LAG REPLICAT REPGIM'");
    LabShell.Result never = shell.execute("site3.gim-ogg", "ggsci-exec INFO EXTRACT EXTGIM");

    assertThat(all.exitCode()).isZero();
    assertThat(all.stdout()).contains("MANAGER     RUNNING")
        .containsPattern("(?m)^EXTRACT\\s+RUNNING\\s+EXTGIM\\s+00:00:00")
        .containsPattern("(?m)^EXTRACT\\s+RUNNING\\s+PMPGIM")
        .containsPattern("(?m)^REPLICAT\\s+STOPPED\\s+REPGIM");
    assertThat(info.stdout()).containsPattern(
        "(?m)^REPLICAT\\s+REPGIM\\s+Last Started 2026-11-20 10:00\\s+Status RUNNING$");
    assertThat(lag.stdout()).contains("Sending GETLAG request to REPLICAT REPGIM ...",
        "Last record lag 0 seconds.");
    assertThat(never.stdout()).containsPattern("(?m)^EXTRACT\\s+EXTGIM\\s+Initialized\\s.*Status STOPPED$");
  }

  @Test
  void shouldAnswerErrorLikeGgsciWhenGroupIsUnknownOrStoppedOrCommandInvalid() {
    assertThat(shell.execute("site2.gim-ogg", "ggsci-exec 'INFO EXTRACT NOPE'"))
        .isEqualTo(new LabShell.Result(1, "ERROR: EXTRACT NOPE does not exist.\n", ""));
    assertThat(shell.execute("site2.gim-ogg", "ggsci-exec 'START EXTRACT REPGIM'").stdout())
        .isEqualTo("ERROR: EXTRACT REPGIM does not exist.\n");
    assertThat(shell.execute("site3.gim-ogg", "ggsci-exec 'LAG EXTRACT EXTGIM'"))
        .isEqualTo(new LabShell.Result(1, "ERROR: EXTRACT EXTGIM not currently running.\n", ""));
    assertThat(shell.execute("site2.gim-ogg", "ggsci-exec 'START EXTRACT EXTGIM, AFTERCSN 5'").stdout())
        .startsWith("ERROR: Invalid command");
    assertThat(shell.execute("site2.gim-ogg", "ggsci-exec 'SHELL rm -rf dirdat'").exitCode()).isEqualTo(1);
  }

  @Test
  void shouldStopOnceAndSayAlreadyStoppedWhenStopRunsTwice() {
    LabShell.Result first = shell.execute("site2.gim-ogg", "ggsci-exec STOP REPLICAT REPGIM");
    LabShell.Result second = shell.execute("site2.gim-ogg", "ggsci-exec STOP REPLICAT REPGIM");

    assertThat(first.stdout()).isEqualTo("Sending STOP request to REPLICAT REPGIM ...\nRequest processed.\n");
    assertThat(second).isEqualTo(new LabShell.Result(0, "REPLICAT REPGIM is already stopped.\n", ""));
    assertThat(state.state("site2.gim-ogg", "REPGIM")).isEqualTo("STOPPED");
    assertThat(state.actionCount("site2.gim-ogg", "ggsci STOP REPLICAT REPGIM")).isEqualTo(1);
  }

  @Test
  void shouldRecordStartCsnAndPointReplicatAtSite3WhenReplicatAndPumpStart() {
    shell.execute("site2.gim-ogg", "ggsci-exec STOP REPLICAT REPGIM");

    LabShell.Result started = shell.execute("site2.gim-ogg",
        "/opt/dr/bin/ggsci-exec START REPLICAT 'REPGIM', AFTERCSN '1000000012345'");
    LabShell.Result again = shell.execute("site2.gim-ogg", "ggsci-exec 'START REPLICAT REPGIM, AFTERCSN 1'");
    LabShell.Result pump = shell.execute("site3.gim-ogg", "ggsci-exec START EXTRACT PMPGIM");

    assertThat(started.stdout()).isEqualTo("Sending START request to MANAGER ...\nREPLICAT REPGIM starting\n");
    assertThat(again).isEqualTo(new LabShell.Result(1, "ERROR: REPLICAT REPGIM is already running.\n", ""));
    assertThat(pump.exitCode()).isZero();
    assertThat(state.state("site2.gim-ogg", "REPGIM")).isEqualTo("RUNNING");
    assertThat(state.attribute("site2.gim-ogg", "REPGIM", "startedAtScn")).isEqualTo("1000000012345");
    assertThat(state.attribute("site2.gim-ogg", "REPGIM", "source")).isEqualTo("site3");
    assertThat(shell.execute("site2.gim-ogg", "ggsci-exec INFO REPLICAT REPGIM").stdout())
        .contains("Start Point          AFTERCSN 1000000012345", "File ./dirdat/r3000000000");
    assertThat(state.actionCount("site2.gim-ogg", "ggsci START REPLICAT REPGIM AFTERCSN")).isEqualTo(1);
  }

  @Test
  void shouldRefuseToCleanFoldersWhileAGroupRunsAndEmptyThemWhenAllStopped() {
    LabShell.Result refused = shell.execute("site2.gim-ogg", "/opt/dr/bin/ogg-clean-folders dirchk dirdat dirrpt TRACE");
    shell.execute("site2.gim-ogg", "ggsci-exec STOP REPLICAT REPGIM");
    LabShell.Result before = shell.execute("site2.gim-ogg", "ogg-clean-folders --dry-run dirchk dirdat dirrpt TRACE");
    LabShell.Result cleaned = shell.execute("site2.gim-ogg", "ogg-clean-folders dirchk dirdat dirrpt TRACE");
    LabShell.Result after = shell.execute("site2.gim-ogg", "ogg-clean-folders --dry-run dirchk dirdat dirrpt TRACE");

    assertThat(refused.exitCode()).isEqualTo(3);
    assertThat(refused.stderr()).contains("RUNNING: REPGIM");
    assertThat(before.stdout()).contains("dirdat 12 files", "TRACE 2 files", "4 folders hold files");
    assertThat(cleaned.stdout()).contains("dirdat: removed 12 files", "TRACE: removed 2 files");
    assertThat(after.stdout()).contains("dirchk 0 files", "0 folders hold files");
    assertThat(state.state("site2.gim-ogg", "folders")).isEqualTo("CLEAN");
    assertThat(shell.execute("site2.gim-ogg", "ogg-clean-folders dirchk bin").exitCode()).isEqualTo(2);
  }
}
