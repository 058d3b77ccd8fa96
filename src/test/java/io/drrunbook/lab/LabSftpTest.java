package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated hosts' SFTP subsystem over their own files: seeded per role, the host user's rights, reset. */
class LabSftpTest {

  private static final String OPMN = "/opt/oracle/ocms/opmn/conf/opmn.xml";

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

  private <T> T sftp(String host, SftpWork<T> work) throws Exception {
    try (ClientSession session = lab.client.connect(LabFixture.OCMS_USER, "127.0.0.1", lab.hosts.port(host))
        .verify(LabFixture.TIMEOUT).getSession()) {
      session.addPublicKeyIdentity(lab.clientKey());
      session.auth().verify(LabFixture.TIMEOUT);
      try (SftpClient client = SftpClientFactory.instance().createSftpClient(session)) {
        return work.in(client);
      }
    }
  }

  private interface SftpWork<T> {
    T in(SftpClient client) throws Exception;
  }

  private static String read(SftpClient client, String path) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var in = client.read(path)) {
      in.transferTo(out);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldServeTheSeedFilesOfTheRoleWhenAnOcmsNodeIsRead() throws Exception {
    String opmn = this.<String>sftp(LabFixture.OCMS1, client -> read(client, OPMN));

    assertThat(opmn).contains("<discover list=\"*225.0.0.20:6200\"/>");
    assertThat(this.<String>sftp(LabFixture.OCMS2, client -> read(client, "/opt/oracle/timesten/info/sys.odbc.ini")))
        .contains("[ocmsdb]").contains("PermSize=256");
    assertThat(this.<String>sftp(LabFixture.OCMS1, client -> read(client,
        "/opt/oracle/ocms/sdp/edgeproxy/conf/edgeproxy.xml"))).contains("<nat-traverse enabled=\"true\"/>");
  }

  @Test
  void shouldRefusePermissionWhenTheFolderHasNoOwnerWriteBitEvenForRoot() throws Exception {
    Path conf = lab.files.root(LabFixture.OCMS1).resolve("opt/oracle/ocms/opmn/conf");
    Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("r-xr-xr-x"));

    assertThatThrownBy(() -> sftp(LabFixture.OCMS1, client -> {
      try (OutputStream out = client.write(OPMN + ".new")) {
        out.write(1);
      }
      return null;
    })).isInstanceOfSatisfying(SftpException.class,
        e -> assertThat(e.getStatus()).isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED));
    assertThat(conf.resolve("opmn.xml.new")).doesNotExist();
  }

  @Test
  void shouldKeepAnEditUntilTheLabIsResetWhenAFileIsReplaced() throws Exception {
    sftp(LabFixture.OCMS1, client -> {
      try (OutputStream out = client.write(OPMN + ".tmp")) {
        out.write("<opmn/>\n".getBytes(StandardCharsets.UTF_8));
      }
      client.rename(OPMN + ".tmp", OPMN, SftpClient.CopyMode.Overwrite);
      return null;
    });
    assertThat(this.<String>sftp(LabFixture.OCMS1, client -> read(client, OPMN))).isEqualTo("<opmn/>\n");
    assertThat(lab.state.actionCount(LabFixture.OCMS1, "sftp replace " + OPMN)).isEqualTo(1);

    lab.files.reset();

    assertThat(this.<String>sftp(LabFixture.OCMS1, client -> read(client, OPMN))).contains("<notification-server");
  }
}
