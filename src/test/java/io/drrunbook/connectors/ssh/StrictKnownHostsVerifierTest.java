package io.drrunbook.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host key check of the SSH runner, against a real embedded server: a client with only this
 * verifier connects and authenticates with the authorized key, so a session that authenticates
 * proves the key was accepted and a refused key ends the session before any authentication.
 */
class StrictKnownHostsVerifierTest {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  @TempDir
  static Path dir;
  private static SshFixture ssh;
  private SshClient client;

  @BeforeAll
  static void startServer() throws Exception {
    ssh = SshFixture.start(dir);
  }

  @AfterAll
  static void stopServer() throws Exception {
    ssh.close();
  }

  @AfterEach
  void stopClient() {
    if (client != null) {
      client.stop();
    }
  }

  @Test
  void shouldAcceptTheServerWhenKnownHostsHoldsItsKey() throws Exception {
    assertThat(connectWith(ssh.knownHosts)).isEqualTo(new Outcome(true, null));
  }

  @Test
  void shouldAcceptTheServerWhenKnownHostsHoldsAHashedEntryForIt() throws Exception {
    Path hashed = Files.writeString(dir.resolve("known_hosts.hashed"),
        hashedHost("[127.0.0.1]:" + ssh.server.port()) + " "
            + PublicKeyEntry.toString(ssh.server.hostKey()) + "\n");

    assertThat(connectWith(hashed)).isEqualTo(new Outcome(true, null));
  }

  @Test
  void shouldRefuseAndNotWriteTheFileWhenTheKeyIsUnknown() throws Exception {
    Path empty = Files.writeString(dir.resolve("known_hosts.empty"), "");

    assertThat(connectWith(empty)).isEqualTo(new Outcome(false, "host key not in known_hosts ("
        + empty + "; the server presented " + KeyUtils.getFingerPrint(ssh.server.hostKey()) + ")"));
    assertThat(Files.readString(empty)).isEmpty();
  }

  @Test
  void shouldRefuseAndNotWriteTheFileWhenTheKeyChanged() throws Exception {
    PublicKey stale = SshFixture.newEcKeyPair().getPublic();
    Path file = ssh.writeKnownHosts(dir.resolve("known_hosts.stale"), stale);
    String before = Files.readString(file);

    assertThat(connectWith(file)).isEqualTo(new Outcome(false, "host key CHANGED: known_hosts"
        + " expects " + KeyUtils.getFingerPrint(stale) + " but the server presented "
        + KeyUtils.getFingerPrint(ssh.server.hostKey()) + " (possible man-in-the-middle; refused)"));
    assertThat(Files.readString(file)).isEqualTo(before);
  }

  @Test
  void shouldRefuseWhenKnownHostsMarksTheKeyRevoked() throws Exception {
    Path revoked = Files.writeString(dir.resolve("known_hosts.revoked"), "@revoked [127.0.0.1]:"
        + ssh.server.port() + " " + PublicKeyEntry.toString(ssh.server.hostKey()) + "\n");

    assertThat(connectWith(revoked))
        .isEqualTo(new Outcome(false, "host key revoked in known_hosts"));
  }

  /** Whether the session authenticated, and the verifier's reason for refusing its host key. */
  private record Outcome(boolean authenticated, String problem) { }

  /** Connects and authenticates with the authorized client key, trusting only {@code knownHosts}. */
  private Outcome connectWith(Path knownHosts) throws Exception {
    StrictKnownHostsVerifier verifier = new StrictKnownHostsVerifier(knownHosts);
    try (ClientSession session = connect(verifier)) {
      boolean authenticated;
      try {
        session.auth().verify(LIMIT);
        authenticated = true;
      } catch (IOException refused) {
        authenticated = false;
      }
      assertThat(session.isAuthenticated()).isEqualTo(authenticated);
      String problem = verifier.problemOf(session);
      assertThat(verifier.problemOf(session)).as("the reason is handed out once").isNull();
      return new Outcome(authenticated, problem);
    }
  }

  private ClientSession connect(StrictKnownHostsVerifier verifier) throws Exception {
    client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(verifier);
    client.setKeyIdentityProvider(new FileKeyPairProvider(ssh.clientKey));
    client.start();
    return client.connect("genesys", "127.0.0.1", ssh.server.port()).verify(LIMIT)
        .getClientSession();
  }

  /** An OpenSSH hashed host name ({@code ssh-keygen -H}): |1|salt|HMAC-SHA1(salt, host). */
  private static String hashedHost(String host) throws Exception {
    byte[] salt = new byte[20];
    new SecureRandom().nextBytes(salt);
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(salt, "HmacSHA1"));
    byte[] hash = mac.doFinal(host.getBytes(StandardCharsets.UTF_8));
    Base64.Encoder base64 = Base64.getEncoder();
    return "|1|" + base64.encodeToString(salt) + "|" + base64.encodeToString(hash);
  }
}
