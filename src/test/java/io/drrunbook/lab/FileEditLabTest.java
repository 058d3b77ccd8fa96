package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.file.FileEditConnector;
import io.drrunbook.connectors.ssh.SshCommandException;
import io.drrunbook.connectors.ssh.SshCommandRunner;
import io.drrunbook.lab.faults.FaultRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Route file-edit's bean over real SFTP: the lab's simulated OCMS nodes (MINA SSHD with the SFTP
 * subsystem over their own files, seeded with seed 003's opmn.xml, edgeproxy.xml, sys.odbc.ini).
 * Asserts the files as the host has them afterwards, the backup, and what was (not) written.
 */
class FileEditLabTest {

  private static final String EDGE_PROXY = "/opt/oracle/ocms/sdp/edgeproxy/conf/edgeproxy.xml";
  private static final String OPMN = "/opt/oracle/ocms/opmn/conf/opmn.xml";
  private static final String ODBC = "/opt/oracle/timesten/info/sys.odbc.ini";

  @TempDir
  Path dir;

  private TestDnsResponder dns;
  private LabFixture lab;
  private SshCommandRunner runner;
  private FileEditConnector connector;

  @BeforeEach
  void startLab() throws Exception {
    dns = new TestDnsResponder();
    lab = new LabFixture(dir, dns.port(), Map.of(), true);
    SecretMasker masker = new SecretMasker();
    runner = lab.connectorRunner(masker);
    connector = new FileEditConnector(runner, masker);
  }

  @AfterEach
  void stopLab() throws Exception {
    runner.close();
    lab.close();
    dns.close();
  }

  /** The file as the host has it (its SFTP root in the lab). */
  private Path onHost(String path) {
    return lab.files.root(LabFixture.OCMS1).resolve(path.substring(1));
  }

  private String content(String path) throws Exception {
    return Files.readString(onHost(path));
  }

  private List<Path> besides(String path) throws Exception {
    try (Stream<Path> files = Files.list(onHost(path).getParent())) {
      return files.filter(file -> !file.equals(onHost(path))).toList();
    }
  }

  private static Map<String, Object> step(String path, Object... keysAndValues) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("host", LabFixture.OCMS1);
    inputs.put("path", path);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      inputs.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return inputs;
  }

  private static Map<String, Object> natTraversalOff() {
    return step(EDGE_PROXY, "operation", "set", "xpath", "/edge-proxy/nat-traverse/@enabled",
        "value", "false");
  }

  @Test
  void shouldChangeOnlyTheAttributeAndKeepABackupWhenNatTraversalIsDisabled() throws Exception {
    String before = content(EDGE_PROXY);

    Map<String, Object> result = connector.execute(natTraversalOff());

    assertThat(content(EDGE_PROXY)).isEqualTo(before.replace(
        "<nat-traverse enabled=\"true\"/>", "<nat-traverse enabled=\"false\"/>"));
    String backup = (String) result.get("backup");
    assertThat(backup).matches("\\Q" + EDGE_PROXY + "\\E\\.\\d{8}T\\d{6}Z\\.bak");
    assertThat(onHost(backup)).hasContent(before);
    assertThat(besides(EDGE_PROXY)).containsExactly(onHost(backup));
    assertThat(result).containsEntry("changed", true).containsEntry("path", EDGE_PROXY);
    assertThat((String) result.get("diff")).contains(
        "-     <nat-traverse enabled=\"true\"/>\n+     <nat-traverse enabled=\"false\"/>\n")
        .contains("@@ -3,5 +3,5 @@");
    assertThat(lab.state.actionCount(LabFixture.OCMS1, "sftp replace " + EDGE_PROXY)).isEqualTo(1);
  }

  @Test
  void shouldWriteNothingWhenTheAttributeIsAlreadySet() throws Exception {
    connector.execute(natTraversalOff());
    String after = content(EDGE_PROXY);
    List<Path> files = besides(EDGE_PROXY);

    Map<String, Object> again = connector.execute(natTraversalOff());

    assertThat(again).containsEntry("changed", false).containsEntry("diff", "");
    assertThat(again.get("backup")).isNull();
    assertThat(content(EDGE_PROXY)).isEqualTo(after);
    assertThat(besides(EDGE_PROXY)).isEqualTo(files);
    assertThat(lab.state.actionCount(LabFixture.OCMS1, "sftp replace " + EDGE_PROXY)).isEqualTo(1);
  }

  @Test
  void shouldTakeTheNodeOutOfTheClusterAndBackWhenTopologyIsCommentedAndUncommented() throws Exception {
    String before = content(OPMN);
    Map<String, Object> topology = step(OPMN, "operation", "comment",
        "xpath", "/opmn/notification-server/topology");

    connector.execute(topology);
    assertThat(content(OPMN)).contains("<!-- <topology>\n         <discover list=\"*225.0.0.20:6200\"/>\n"
        + "      </topology> -->");
    assertThat(connector.execute(topology)).containsEntry("changed", false);

    connector.execute(step(OPMN, "operation", "uncomment", "xpath", "/opmn/notification-server/topology"));
    assertThat(content(OPMN)).isEqualTo(before);
  }

  @Test
  void shouldAddTheMissingElementOnItsOwnLineWhenOc4jPingIsIncluded() throws Exception {
    Map<String, Object> ping = step(EDGE_PROXY, "operation", "set", "xpath", "/edge-proxy/oc4j-ping",
        "value", "<oc4j-ping interval=\"1\" allowed-miss-count=\"2\"/>");

    connector.execute(ping);

    assertThat(content(EDGE_PROXY)).contains("     </sip-stack>\n     <oc4j-ping interval=\"1\""
        + " allowed-miss-count=\"2\"/>\n</edge-proxy>");
    assertThat(connector.execute(ping)).containsEntry("changed", false);
  }

  @Test
  void shouldSetPermSizeAndForceConnectInTheDataStoreSectionWhenSysOdbcIniIsEdited() throws Exception {
    connector.execute(step(ODBC, "operation", "set", "section", "ocmsdb", "key", "PermSize", "value", "512"));
    connector.execute(step(ODBC, "operation", "uncomment", "section", "ocmsdb", "key", "ForceConnect"));

    assertThat(content(ODBC)).contains("\nPermSize=512\nTempSize=64\nForceConnect=1\n")
        .doesNotContain("PermSize=256").doesNotContain("#ForceConnect");
    assertThatThrownBy(() -> connector.execute(step(ODBC, "operation", "set", "section", "nodb",
        "key", "PermSize", "value", "512")))
        .isInstanceOfSatisfying(StepBusinessException.class,
            e -> assertThat(e.errorCode()).isEqualTo("DR_EDIT_TARGET_NOT_FOUND"));
  }

  @Test
  void shouldKeepTheFilesPermissionsOnTheNewFileAndTheBackupWhenOnlyItsOwnerMayReadIt() throws Exception {
    Files.setPosixFilePermissions(onHost(ODBC), PosixFilePermissions.fromString("rw-------"));

    Map<String, Object> result = connector.execute(step(ODBC, "operation", "set", "section", "ocmsdb",
        "key", "PermSize", "value", "512"));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(onHost(ODBC)))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(onHost((String) result.get("backup")))))
        .isEqualTo("rw-------");
  }

  @Test
  void shouldRaiseDrVerifyFailedAndKeepTheBackupWhenTheHostPutsTheFileBack() throws Exception {
    String before = content(EDGE_PROXY);
    lab.faults.add(new FaultRequest("file-reverts", LabFixture.OCMS1, null, null, null, null, null,
        null, "edgeproxy\\.xml$"));

    assertThatThrownBy(() -> connector.execute(natTraversalOff()))
        .isInstanceOfSatisfying(StepBusinessException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("DR_VERIFY_FAILED");
          assertThat(e.getMessage()).contains("not what was written")
              .contains("-     <nat-traverse enabled=\"false\"/>\n+     <nat-traverse enabled=\"true\"/>");
          assertThat(onHost((String) e.result().get("backup"))).hasContent(before);
        });
    assertThat(content(EDGE_PROXY)).isEqualTo(before);
  }

  @Test
  void shouldRaiseDrFileNotFoundWhenTheFileIsMissing() {
    assertThatThrownBy(() -> connector.execute(step("/opt/oracle/ocms/opmn/conf/opmn.xml.orig",
        "format", "xml", "operation", "comment", "xpath", "/opmn/notification-server/topology")))
        .isInstanceOfSatisfying(StepBusinessException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("DR_FILE_NOT_FOUND");
          assertThat(e.getMessage()).contains(LabFixture.OCMS1).contains("opmn.xml.orig");
        });
  }

  @Test
  void shouldFailTechnicallyAndLeaveTheFileWhenTheFolderIsNotWritable() throws Exception {
    String before = content(EDGE_PROXY);
    Files.setPosixFilePermissions(onHost(EDGE_PROXY).getParent(), PosixFilePermissions.fromString("r-xr-xr-x"));

    assertThatThrownBy(() -> connector.execute(natTraversalOff()))
        .isInstanceOf(SshCommandException.class)
        .isNotInstanceOf(StepBusinessException.class)
        .hasMessageContaining(LabFixture.OCMS1)
        .hasMessageContaining("permission denied writing " + EDGE_PROXY + ".");
    assertThat(content(EDGE_PROXY)).isEqualTo(before);
    assertThat(besides(EDGE_PROXY)).isEmpty();
  }

  @Test
  void shouldRefuseTheHostAndTouchNothingWhenItsHostKeyChanged() throws Exception {
    String before = content(EDGE_PROXY);
    lab.faults.add(FaultRequest.of("host-key-changed", LabFixture.OCMS1));

    assertThatThrownBy(() -> connector.execute(natTraversalOff()))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining(LabFixture.OCMS1)
        .hasMessageContaining("host key");
    assertThat(content(EDGE_PROXY)).isEqualTo(before);
    assertThat(besides(EDGE_PROXY)).isEmpty();
  }

  @Test
  void shouldRaiseDrEditTargetNotFoundWhenTheElementIsNotThere() {
    assertThatThrownBy(() -> connector.execute(step(EDGE_PROXY, "operation", "set",
        "xpath", "/edge-proxy/nat-traversal/@enabled", "value", "false")))
        .isInstanceOfSatisfying(StepBusinessException.class,
            e -> assertThat(e.errorCode()).isEqualTo("DR_EDIT_TARGET_NOT_FOUND"));
  }

  @Test
  void shouldReturnTheFilesRealDiffAndWriteNothingWhenPreviewed() throws Exception {
    String before = content(EDGE_PROXY);
    Map<String, Object> preview = natTraversalOff();
    preview.put("preview", "true");

    Map<String, Object> result = connector.execute(preview);

    assertThat(result).containsEntry("changed", true);
    assertThat(result.get("backup")).isNull();
    assertThat((String) result.get("diff")).contains(
        "-     <nat-traverse enabled=\"true\"/>\n+     <nat-traverse enabled=\"false\"/>\n");
    assertThat(content(EDGE_PROXY)).isEqualTo(before);
    assertThat(besides(EDGE_PROXY)).isEmpty();
    assertThat(lab.state.commandLog(LabFixture.OCMS1)).isEmpty();
  }

  @Test
  void shouldShowTheEditTheBackupAndTheRenameWithoutConnectingWhenPlanned() {
    StepPlan plan = connector.plan("file-edit", natTraversalOff());

    assertThat(plan.actions()).hasSize(4);
    assertThat(plan.actions().get(1)).contains("set /edge-proxy/nat-traverse/@enabled to 'false'")
        .contains("+/edge-proxy/nat-traverse/@enabled = false");
    assertThat(plan.actions().get(2)).contains(EDGE_PROXY + ".<UTC time>.bak").contains("rename");
    assertThat(plan.actions().get(0)).startsWith("sftp oracle@" + LabFixture.OCMS1);
    assertThat(lab.hosts.sessionsOpened().getOrDefault(LabFixture.OCMS1, 0)).isZero();
  }
}
