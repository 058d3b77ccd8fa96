package io.drrunbook.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.TopologyProperties.SshAccess;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the key a host authenticates with, from the host's secret references. */
class SshKeyLoaderTest {

  private static final String HOST = "lab.box (127.0.0.1:2222)";

  @TempDir
  Path dir;
  private final SecretMasker masker = new SecretMasker();
  private final SshKeyLoader loader = new SshKeyLoader(new SecretResolver(masker));

  @Test
  void shouldLoadTheKeyPairWhenTheFileHoldsAnOpenSshKey() throws Exception {
    KeyPair pair = SshFixture.newEcKeyPair();
    Path file = SshFixture.writePrivateKey(dir.resolve("id_ecdsa"), pair);

    KeyPair loaded = loader.load(HOST, access("file:" + file, null));

    assertThat(KeyUtils.compareKeys(loaded.getPublic(), pair.getPublic())).isTrue();
    assertThat(KeyUtils.compareKeys(loaded.getPrivate(), pair.getPrivate())).isTrue();
  }

  @Test
  void shouldLoadTheKeyPairWhenTheKeyIsEncryptedAndThePassphraseIsGiven() throws Exception {
    KeyPair pair = SshFixture.newEcKeyPair();
    Path file = writeEncrypted(dir.resolve("id_encrypted"), pair, "s3cret-passphrase");
    Path passphrase = Files.writeString(dir.resolve("passphrase"), "s3cret-passphrase\n");

    KeyPair loaded = loader.load(HOST, access("file:" + file, "file:" + passphrase));

    assertThat(KeyUtils.compareKeys(loaded.getPublic(), pair.getPublic())).isTrue();
    assertThat(masker.mask("passphrase s3cret-passphrase")).doesNotContain("s3cret-passphrase");
  }

  @Test
  void shouldSuspectThePassphraseWhenAnEncryptedKeyIsGivenWithoutOne() throws Exception {
    Path file = writeEncrypted(dir.resolve("id_encrypted"), SshFixture.newEcKeyPair(), "s3cret");

    assertThatThrownBy(() -> loader.load(HOST, access("file:" + file, null)))
        .isInstanceOf(SshCommandException.class)
        .hasMessageStartingWith(HOST + ": cannot load the private key from " + file + " (")
        .hasMessageEndingWith("; encrypted key without the right ssh.passphrase?)");
  }

  @Test
  void shouldNameTheFileAndTheExceptionTypeWhenTheKeyFileIsMissing() {
    Path missing = dir.resolve("no-such-key");

    assertThatThrownBy(() -> loader.load(HOST, access("file:" + missing, null)))
        .isInstanceOf(SshCommandException.class)
        .hasMessage(HOST + ": cannot read the private key file " + missing
            + " (NoSuchFileException)")
        .hasCauseInstanceOf(NoSuchFileException.class);
  }

  @Test
  void shouldNameTheFileWhenTheKeyFileCannotBeRead() {
    // a directory cannot be read as a file, whoever runs the test (root reads any plain file)
    assertThatThrownBy(() -> loader.load(HOST, access("file:" + dir, null)))
        .isInstanceOf(SshCommandException.class)
        .hasMessageStartingWith(HOST + ": cannot read the private key file " + dir + " (");
  }

  @Test
  void shouldSayNoKeyWasFoundWhenTheFileHoldsNoKey() throws Exception {
    Path notAKey = Files.writeString(dir.resolve("not-a-key"), "just some text\n");

    assertThatThrownBy(() -> loader.load(HOST, access("file:" + notAKey, null)))
        .isInstanceOf(SshCommandException.class)
        .hasMessage(HOST + ": no private key found in " + notAKey);
  }

  @Test
  void shouldSayThePrivateKeyIsMissingWhenTheTopologyGivesNone() {
    assertThatThrownBy(() -> loader.load(HOST, access(" ", null)))
        .isInstanceOf(SshCommandException.class)
        .hasMessage(HOST + ": the topology gives no ssh.private-key");
  }

  private static SshAccess access(String privateKey, String passphrase) {
    SshAccess ssh = new SshAccess();
    ssh.setPrivateKey(privateKey);
    ssh.setPassphrase(passphrase);
    return ssh;
  }

  private static Path writeEncrypted(Path file, KeyPair pair, String passphrase) throws Exception {
    OpenSSHKeyEncryptionContext encryption = new OpenSSHKeyEncryptionContext();
    encryption.setPassword(passphrase);
    encryption.setCipherName("AES");
    encryption.setCipherMode("CTR");
    encryption.setCipherType("256");
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "dr-runbook-test", encryption, out);
    }
    return file;
  }
}
