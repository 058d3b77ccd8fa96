package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.lab.model.LabModelException;
import io.drrunbook.lab.model.LabModels;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.Site;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model format: broken models stop the lab with the file and element named, argument patterns,
 * and the worked example of docs/lab-models.md (Oracle Data Guard's dgmgrl, printing what seed 002's
 * transcripts show) run through the lab shell.
 */
class LabModelsTest {

  @TempDir
  Path dir;

  private LabState state;

  @Test
  void shouldNameFileAndExpressionWhenTemplateDoesNotParse() {
    assertThatThrownBy(() -> LabModels.load(List.of("classpath:lab-models/broken/bad-expression.yaml")))
        .isInstanceOf(LabModelException.class)
        .hasMessageContaining("bad-expression.yaml")
        .hasMessageContaining("component widget")
        .hasMessageContaining("${site == }");
  }

  @Test
  void shouldNameFileWhenStepHasUnknownPart() {
    assertThatThrownBy(() -> LabModels.load(List.of("classpath:lab-models/broken/unknown-field.yaml")))
        .isInstanceOf(LabModelException.class)
        .hasMessageContaining("unknown-field.yaml")
        .hasMessageContaining("prnit");
  }

  @Test
  void shouldNameRoleWhenCommandUsesUndefinedRole() {
    assertThatThrownBy(() -> LabModels.load(List.of("classpath:lab-models/broken/unknown-role.yaml")).checkReferences())
        .isInstanceOf(LabModelException.class)
        .hasMessageContaining("no-such-role")
        .hasMessageContaining("/bin/widget");
  }

  @Test
  void shouldRefuseSecondDefinitionWhenTwoModelsDefineSameRole() {
    assertThatThrownBy(() -> LabModels.load(List.of("classpath:lab/models/oracle-data-guard.yaml",
        "classpath:lab/models/oracle-data-guard.yaml")))
        .isInstanceOf(LabModelException.class)
        .hasMessageContaining("role 'oracle-db' is already defined");
  }

  @Test
  void shouldRefuseReadAndStayUsableWhenDerivedValueRefersToItself() {
    TopologyProperties topology = new TopologyProperties();
    Site site = new Site();
    Host host = new Host();
    host.setAddress("127.0.1.50");
    site.getHosts().put("loop", host);
    topology.getSites().put("site1", site);
    LabProperties lab = new LabProperties();
    lab.setDir(dir);
    lab.getRoles().put("site1.loop", "loop-host");
    LabModels models = LabModels.load(List.of("classpath:lab-models/cycle.yaml")).checkReferences();
    LabState looping = new LabState(lab, new Topology(topology), models, LabFixture.CLOCK);

    assertThatThrownBy(() -> looping.state("site1.loop", "loop"))
        .isInstanceOf(LabModelException.class)
        .hasMessageContaining("cycle");
    assertThat(looping.state("site1.loop", "plain")).isEqualTo("RUNNING");
    assertThatThrownBy(() -> looping.state("site1.loop", "loop")).hasMessageContaining("cycle");
  }

  @Test
  void shouldCaptureWordsWhenArgumentsMatchPatterns() {
    assertThat(LabModels.match(List.of("{action:start|stop}", "{app}"), List.of("start", "scs")))
        .contains(Map.of("action", "start", "app", "scs"));
    assertThat(LabModels.match(List.of("{action:start|stop}", "{app}"), List.of("restart", "scs"))).isEmpty();
    assertThat(LabModels.match(List.of("{action:start|stop}", "{app}"), List.of("start"))).isEmpty();
    assertThat(LabModels.match(List.of("{action:start|stop}", "{app}"), List.of("start", "a", "b"))).isEmpty();
    assertThat(LabModels.match(List.of("hosts", "{names...}"), List.of("hosts", "a", "b")))
        .contains(Map.of("names", List.of("a", "b")));
    assertThat(LabModels.match(List.of("hosts", "{names...}"), List.of("hosts")))
        .contains(Map.of("names", List.of()));
    assertThat(LabModels.match(List.of("status"), List.of("stats"))).isEqualTo(Optional.empty());
  }

  @Test
  void shouldPrintSeedTranscriptWhenDgmgrlShowsDatabases() {
    LabShell shell = dataGuardShell();

    LabShell.Result primary = shell.execute("site1.db", "/usr/bin/dgmgrl -silent / 'show database orcl'");
    LabShell.Result standby = shell.execute("site1.db", "dgmgrl -silent / 'show database orcl_stby;'");

    assertThat(primary.exitCode()).isZero();
    assertThat(primary.stdout()).isEqualTo("""
        Database - orcl
          Role:                PRIMARY
          Intended State:      TRANSPORT-ON
          Instance(s):
            orcl
        Database Status:
        SUCCESS
        """);
    assertThat(standby.stdout()).contains("  Role:                PHYSICAL STANDBY\n")
        .contains("  Intended State:      APPLY-ON\n")
        .contains("  Transport Lag:       0 seconds (computed 1 second ago)\n");
  }

  @Test
  void shouldSwapRolesAndCountOnceWhenSwitchoverRunsTwice() {
    LabShell shell = dataGuardShell();
    LabState state = this.state;

    LabShell.Result first = shell.execute("site1.db", "dgmgrl -silent / 'SWITCHOVER TO orcl_stby;'");
    LabShell.Result second = shell.execute("site1.db", "dgmgrl -silent / 'SWITCHOVER TO orcl_stby;'");

    assertThat(first.exitCode()).isZero();
    assertThat(first.stdout()).startsWith("Performing switchover NOW, please wait...\n")
        .contains("New primary database \"orcl_stby\" is opening...\n")
        .endsWith("Switchover succeeded, new primary is \"orcl_stby\"\n");
    assertThat(second.exitCode()).isEqualTo(1);
    assertThat(second.stdout()).contains("already the primary database");
    assertThat(state.state("site2.db", "database")).isEqualTo("PRIMARY");
    assertThat(state.state("site1.db", "database")).isEqualTo("PHYSICAL STANDBY");
    assertThat(state.actionCount("site1.db", "dgmgrl switchover to orcl_stby")).isEqualTo(1);
    assertThat(state.commandLog("site1.db")).extracting(LabState.CommandRecord::exitCode).containsExactly(0, 1);
  }

  @Test
  void shouldPromoteStandbyAndDisableOldPrimaryWhenFailoverRuns() {
    LabShell shell = dataGuardShell();

    LabShell.Result first = shell.execute("site2.db", "dgmgrl -silent / 'FAILOVER TO orcl_stby;'");
    LabShell.Result second = shell.execute("site2.db", "dgmgrl -silent / 'FAILOVER TO orcl_stby;'");

    assertThat(first.exitCode()).isZero();
    assertThat(first.stdout()).isEqualTo("Performing failover NOW, please wait...\n"
        + "Failover succeeded, new primary is \"orcl_stby\"\n");
    assertThat(second.exitCode()).isEqualTo(1);
    assertThat(second.stdout()).contains("already the primary database");
    assertThat(state.state("site2.db", "database")).isEqualTo("PRIMARY");
    assertThat(state.state("site1.db", "database")).isEqualTo("DISABLED");
    assertThat(state.actionCount("site2.db", "dgmgrl failover to orcl_stby")).isEqualTo(1);
  }

  @Test
  void shouldReturnOldPrimaryToStandbyOnceWhenReinstateFollowsFailover() {
    LabShell shell = dataGuardShell();
    LabShell.Result early = shell.execute("site1.db", "dgmgrl -silent / 'REINSTATE DATABASE orcl'");
    shell.execute("site2.db", "dgmgrl -silent / 'FAILOVER TO orcl_stby;'");

    LabShell.Result reinstate = shell.execute("site1.db", "dgmgrl -silent / 'REINSTATE DATABASE orcl'");
    LabShell.Result again = shell.execute("site1.db", "dgmgrl -silent / 'REINSTATE DATABASE orcl'");

    assertThat(early.exitCode()).isEqualTo(1);
    assertThat(reinstate.exitCode()).isZero();
    assertThat(reinstate.stdout()).startsWith("Reinstating database \"orcl\", please wait...\n")
        .contains("ORACLE instance shut down.\n", "Database mounted.\n")
        .endsWith("Reinstatement of database \"orcl\" succeeded\n");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.stdout()).contains("does not need to be reinstated");
    assertThat(state.state("site1.db", "database")).isEqualTo("PHYSICAL STANDBY");
    assertThat(state.state("site2.db", "database")).isEqualTo("PRIMARY");
    assertThat(state.actionCount("site1.db", "dgmgrl reinstate database orcl")).isEqualTo(1);
    assertThat(state.attribute("site1.db", "database", "flashbackExpiresAt")).isEqualTo(0);
  }

  @Test
  void shouldShowTheOldPrimaryAsNeedingReinstateWhenFailoverLeftIt() {
    LabShell shell = dataGuardShell();
    shell.execute("site2.db", "dgmgrl -silent / 'FAILOVER TO orcl_stby;'");

    LabShell.Result old = shell.execute("site2.db", "dgmgrl -silent / 'show database orcl'");

    assertThat(old.stdout()).contains("  Role:                PHYSICAL STANDBY\n")
        .endsWith("Database Status:\nORA-16661: the standby database needs to be reinstated\n");
    assertThat(state.attribute("site1.db", "database", "flashbackExpiresAt"))
        .isEqualTo(LabFixture.CLOCK.instant().getEpochSecond() + 24 * 3600);
  }

  @Test
  void shouldRefuseSwitchoverAndReinstateButFailOverWhenTheSiteIsDown() {
    LabShell shell = dataGuardShell();
    state.set("site1.db", "database", "siteDown", true);

    LabShell.Result switchover = shell.execute("site2.db", "dgmgrl -silent / 'switchover to orcl_stby'");
    LabShell.Result failover = shell.execute("site2.db", "dgmgrl -silent / 'failover to orcl_stby'");
    LabShell.Result shown = shell.execute("site2.db", "dgmgrl -silent / 'show database orcl'");
    LabShell.Result reinstate = shell.execute("site2.db", "dgmgrl -silent / 'reinstate database orcl'");

    assertThat(switchover.exitCode()).isEqualTo(1);
    assertThat(switchover.stdout()).isEqualTo("Error: ORA-16625: cannot reach database \"orcl\"\n");
    assertThat(failover.exitCode()).isZero();
    assertThat(shown.stdout()).endsWith("Database Status:\nORA-12543: TNS:destination host unreachable\n");
    assertThat(reinstate.exitCode()).isEqualTo(1);
    assertThat(state.state("site1.db", "database")).isEqualTo("DISABLED");
    assertThat(state.actionCount("site2.db", "dgmgrl switchover to orcl_stby")).isZero();
  }

  @Test
  void shouldRefuseReinstateWhenTheFlashbackWindowExpired() {
    LabShell shell = dataGuardShell();
    shell.execute("site2.db", "dgmgrl -silent / 'failover to orcl_stby'");
    state.set("site1.db", "database", "flashbackExpiresAt", 1);

    LabShell.Result shown = shell.execute("site2.db", "dgmgrl -silent / 'show database orcl'");
    LabShell.Result reinstate = shell.execute("site1.db", "dgmgrl -silent / 'reinstate database orcl'");

    assertThat(shown.stdout()).endsWith("ORA-16795: the standby database needs to be re-created\n");
    assertThat(reinstate.exitCode()).isEqualTo(1);
    assertThat(reinstate.stdout()).contains("flashback window expired");
    assertThat(state.state("site1.db", "database")).isEqualTo("DISABLED");
    assertThat(state.actionCount("site1.db", "dgmgrl reinstate database orcl")).isZero();
  }

  @Test
  void shouldAnswerLikeRealToolsWhenCommandIsUnknownOrMalformed() {
    LabShell shell = dataGuardShell();

    assertThat(shell.execute("site1.db", "sqlplus / as sysdba"))
        .isEqualTo(new LabShell.Result(127, "", "sh: 1: sqlplus: not found\n"));
    assertThat(shell.execute("site1.db", "dgmgrl").exitCode()).isEqualTo(2);
    assertThat(shell.execute("site1.db", "dgmgrl -silent / 'show database nope'").stdout())
        .isEqualTo("Object \"nope\" was not found\n");
    assertThat(shell.execute("site1.db", "dgmgrl -silent / 'drop everything'").stdout())
        .isEqualTo("Syntax error before or at \"drop everything\"\n");
  }

  private LabShell dataGuardShell() {
    TopologyProperties topology = new TopologyProperties();
    for (int n = 1; n <= 2; n++) {
      Site site = new Site();
      Host host = new Host();
      host.setAddress("127.0." + n + ".40");
      site.getHosts().put("db", host);
      topology.getSites().put("site" + n, site);
    }
    LabProperties lab = new LabProperties();
    lab.setDir(dir);
    lab.getRoles().put("site1.db", "oracle-db");
    lab.getRoles().put("site2.db", "oracle-db");
    state = new LabState(lab, new Topology(topology), LabFixture.MODELS, LabFixture.CLOCK);
    return new LabShell(state, lab);
  }

}
