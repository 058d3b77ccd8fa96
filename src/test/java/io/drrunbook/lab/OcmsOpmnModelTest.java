package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPMN of the lab's OCMS nodes (model oracle-ocms, seed 003 L71-257 and L659-711) through the lab
 * shell: the status table, the cluster OPMN forms from the discover list it has read from the node's
 * own opmn.xml at a reload, startall / stopall / startproc / stopproc and what they do to TimesTen.
 */
class OcmsOpmnModelTest {

  private static final String OPMNCTL = "/opt/oracle/ocms/opmn/bin/opmnctl";
  private static final String OPMN_XML = "opt/oracle/ocms/opmn/conf/opmn.xml";

  @TempDir
  Path dir;

  private TestDnsResponder dns;
  private LabFixture lab;

  @BeforeEach
  void startLab() throws Exception {
    dns = new TestDnsResponder();
    lab = new LabFixture(dir, dns.port(), Map.of(), true);
  }

  @AfterEach
  void stopLab() throws Exception {
    lab.close();
    dns.close();
  }

  private LabShell.Result run(String host, String command) {
    return lab.shell.execute(host, command);
  }

  private void discover(String host, String list) throws Exception {
    Path file = lab.files.root(host).resolve(OPMN_XML);
    Files.writeString(file, Files.readString(file).replaceFirst("discover list=\"[^\"]*\"", "discover list=\"" + list + "\""));
  }

  @Test
  void shouldPrintEachManagedProcessAliveWhenTheNodeRuns() {
    LabShell.Result status = run(LabFixture.OCMS1, OPMNCTL + " status");

    assertThat(status.exitCode()).isZero();
    assertThat(status.stdout()).startsWith("Processes in Instance: ocms.ocms-1.site1.ocms.lab\n")
        .contains("ias-component                    | process-type       |     pid | status")
        .containsPattern("(?m)^TIMESTEN +\\| TimesTen +\\| +\\d+ \\| Alive$")
        .containsPattern("(?m)^OC4J +\\| ocms +\\| +\\d+ \\| Alive$")
        .containsPattern("(?m)^EdgeProxy +\\| EdgeProxy +\\| +\\d+ \\| Alive$");
  }

  @Test
  void shouldListTheNodesOfOneDiscoverListWhenEachHasReloadedItsOpmnXml() throws Exception {
    assertThat(run(LabFixture.OCMS1, "opmnctl @cluster status").stdout())
        .contains("Processes in Instance: ocms.ocms-1.site1.ocms.lab")
        .contains("Processes in Instance: ocms.ocms-2.site1.ocms.lab");

    discover(LabFixture.OCMS1, "*239.192.0.10:6201");
    assertThat(run(LabFixture.OCMS1, OPMNCTL + " status").stdout()).as("not read before the reload")
        .contains("ocms-1");
    assertThat(lab.state.attribute(LabFixture.OCMS1, "opmn", "discover")).isEqualTo("*225.0.0.20:6200");
    assertThat(run(LabFixture.OCMS1, OPMNCTL + " reload").stdout()).isEqualTo("opmnctl reload: reloading opmn...\n");
    assertThat(lab.state.attribute(LabFixture.OCMS1, "opmn", "discover")).isEqualTo("*239.192.0.10:6201");
    assertThat(run(LabFixture.OCMS1, "opmnctl @cluster status").stdout())
        .doesNotContain("ocms-2.site1.ocms.lab");

    discover(LabFixture.OCMS2, "*239.192.0.10:6201");
    run(LabFixture.OCMS2, OPMNCTL + " reload");
    run(LabFixture.OCMS2, OPMNCTL + " reload");
    assertThat(run(LabFixture.OCMS1, "opmnctl @cluster status").stdout())
        .contains("Processes in Instance: ocms.ocms-2.site1.ocms.lab");
    assertThat(lab.state.actionCount(LabFixture.OCMS2, "opmnctl reload")).as("a reload of an unchanged file")
        .isEqualTo(1);
  }

  @Test
  void shouldStopAndStartEveryProcessAndTheTimesTenDaemonWhenStopallAndStartallRun() {
    lab.state.set(LabFixture.OCMS1, "timesten", "replicationScheme", "OCMS_REP.REPSCHEME");
    lab.state.set(LabFixture.OCMS1, "timesten", "repPolicy", "always");

    assertThat(run(LabFixture.OCMS1, OPMNCTL + " stopall").stdout())
        .isEqualTo("opmnctl stopall: stopping opmn and all managed processes...\n");
    assertThat(run(LabFixture.OCMS1, OPMNCTL + " status").stdout()).isEqualTo("Unable to connect to opmn.\nOpmn may not be up.\n");
    assertThat(run(LabFixture.OCMS2, "opmnctl @cluster status").stdout()).doesNotContain("ocms-1.site1");
    assertThat(run(LabFixture.OCMS1, OPMNCTL + " reload").exitCode()).isEqualTo(2);
    assertThat(lab.state.attribute(LabFixture.OCMS1, "timesten", "daemon")).isEqualTo("STOPPED");

    run(LabFixture.OCMS1, OPMNCTL + " startall");
    assertThat(lab.state.state(LabFixture.OCMS1, "proc-ocms")).isEqualTo("Alive");
    assertThat(lab.state.attribute(LabFixture.OCMS1, "timesten", "replicationAgent"))
        .as("repPolicy always starts the agent with TimesTen").isEqualTo("RUNNING");
    assertThat(lab.state.actionCount(LabFixture.OCMS1, "opmnctl startall")).isEqualTo(1);
  }

  @Test
  void shouldStopOneProcessByTypeOrComponentWhenStopprocRuns() {
    assertThat(run(LabFixture.OCMS2, "opmnctl stopproc process-type=ocms")).isEqualTo(new LabShell.Result(0, "opmnctl stopproc: stopping opmn managed processes...\n", ""));
    assertThat(run(LabFixture.OCMS2, "opmnctl stopproc ias-component=TIMESTEN").exitCode()).isZero();

    assertThat(run(LabFixture.OCMS2, "opmnctl status").stdout())
        .containsPattern("(?m)^OC4J +\\| ocms +\\| +N/A \\| Down$")
        .containsPattern("(?m)^EdgeProxy +\\| EdgeProxy +\\| +\\d+ \\| Alive$");
    assertThat(lab.state.attribute(LabFixture.OCMS2, "timesten", "daemon")).isEqualTo("STOPPED");
    assertThat(run(LabFixture.OCMS2, "opmnctl stopproc process-type=nothing").exitCode()).isEqualTo(2);
    run(LabFixture.OCMS2, "opmnctl startproc ias-component=TIMESTEN");
    assertThat(lab.state.state(LabFixture.OCMS2, "proc-timesten")).isEqualTo("Alive");
    assertThat(lab.state.actionCount(LabFixture.OCMS2, "opmnctl stopproc process-type=ocms")).isEqualTo(1);
  }
}
