package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.topology.Topology;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's keys: generated once, kept across restarts, known_hosts in OpenSSH form. */
class LabKeysTest {

  @TempDir
  Path dir;

  private LabKeys keys() {
    return new LabKeys(LabFixture.labProperties(dir), new Topology(LabFixture.topology(dir, 8053)));
  }

  @Test
  void shouldGenerateOpenSshClientKeyOwnerOnlyWhenMissing() throws Exception {
    LabKeys keys = keys();

    assertThat(Files.readString(keys.privateKeyFile())).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.privateKeyFile())))
        .isEqualTo("rw-------");
    assertThat(Files.readString(keys.publicKeyFile()))
        .startsWith("ecdsa-sha2-nistp256 ")
        .contains(PublicKeyEntry.toString(keys.clientPublicKey()).split(" ")[1]);
    assertThat(keys.privateKeyFile().getParent().resolve("hosts/site1.cs-mgmt.key")).exists();
  }

  @Test
  void shouldKeepClientAndHostKeysWhenLabRestarts() {
    LabKeys first = keys();
    LabKeys second = keys();

    assertThat(KeyUtils.compareKeys(first.clientPublicKey(), second.clientPublicKey())).isTrue();
    for (String host : LabFixture.labProperties(dir).getRoles().keySet()) {
      assertThat(KeyUtils.compareKeys(first.hostPublicKey(host), second.hostPublicKey(host))).as(host).isTrue();
    }
    assertThat(KeyUtils.compareKeys(first.hostPublicKey("site1.cs-mgmt"), first.hostPublicKey("site2.cs-mgmt")))
        .isFalse();
  }

  @Test
  void shouldWriteOneBracketedLinePerHostWhenKnownHostsIsWritten() throws Exception {
    LabKeys keys = keys();
    Map<String, InetSocketAddress> endpoints = new LinkedHashMap<>();
    endpoints.put("site1.cs-mgmt", InetSocketAddress.createUnresolved("127.0.0.1", 2211));
    endpoints.put("site2.cs-mgmt", InetSocketAddress.createUnresolved("127.0.0.1", 2221));

    keys.writeKnownHosts(endpoints);

    assertThat(keys.knownHostsFile()).isEqualTo(dir.resolve("lab/keys/known_hosts").toAbsolutePath());
    assertThat(Files.readAllLines(keys.knownHostsFile())).containsExactly(
        "[127.0.0.1]:2211 " + PublicKeyEntry.toString(keys.hostPublicKey("site1.cs-mgmt")),
        "[127.0.0.1]:2221 " + PublicKeyEntry.toString(keys.hostPublicKey("site2.cs-mgmt")));
    assertThat(Files.readAllLines(keys.knownHostsFile()).get(0)).startsWith("[127.0.0.1]:2211 ecdsa-sha2-nistp256 ");
  }
}
