package io.drrunbook.connectors.ssh;

import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.TopologyProperties.SshAccess;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Loads the key pair a host authenticates with: the host's {@code ssh.private-key} secret reference
 * (a {@code file:} path read here, or another reference resolved to the key text), decrypted with
 * the optional {@code ssh.passphrase} reference. Every failure is an {@link SshCommandException}
 * that names the host and where the key was read from, never key material. Used by
 * {@link SshCommandRunner} for each session.
 */
final class SshKeyLoader {

  private final SecretResolver secrets;

  SshKeyLoader(SecretResolver secrets) {
    this.secrets = secrets;
  }

  /**
   * The first key pair of the host's private key.
   *
   * @param host the host as messages name it, {@code <logical name> (<address>:<port>)}
   */
  KeyPair load(String host, SshAccess ssh) {
    String reference = ssh.getPrivateKey();
    if (reference == null || reference.isBlank()) {
      throw new SshCommandException(host + ": the topology gives no ssh.private-key");
    }
    FilePasswordProvider passphrase = ssh.getPassphrase() == null || ssh.getPassphrase().isBlank()
        ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(secrets.resolve(ssh.getPassphrase()));
    String source;
    byte[] keyData;
    if (reference.startsWith("file:")) {
      Path path = secrets.path(reference);
      source = path.toString();
      try {
        keyData = Files.readAllBytes(path);
      } catch (IOException e) {
        throw new SshCommandException(host + ": cannot read the private key file "
            + path + " (" + e.getClass().getSimpleName() + ")", e);
      }
    } else {
      source = "the secret " + reference.substring(0, Math.max(0, reference.indexOf(':') + 1))
          + "...";
      keyData = secrets.resolve(reference).getBytes(StandardCharsets.UTF_8);
    }
    try (InputStream in = new ByteArrayInputStream(keyData)) {
      Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(
          null, NamedResource.ofName(source), in, passphrase);
      Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
      if (it == null || !it.hasNext()) {
        throw new SshCommandException(host + ": no private key found in " + source);
      }
      return it.next();
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      if (e instanceof SshCommandException sshFailure) {
        throw sshFailure;
      }
      // the exception text of a key parser may quote key material; give only its type
      throw new SshCommandException(host + ": cannot load the private key from "
          + source + " (" + e.getClass().getSimpleName()
          + "; encrypted key without the right ssh.passphrase?)", e);
    }
  }
}
