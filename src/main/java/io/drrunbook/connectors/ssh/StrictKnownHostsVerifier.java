package io.drrunbook.connectors.ssh;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * Accepts a server only if known_hosts holds its exact key; never asks, never writes the file, and
 * keeps the reason of a refusal for the error message (not as a session attribute: MINA clears
 * those when it closes the refused session, which races with reading them). The host key verifier
 * of {@link SshCommandRunner}'s client.
 */
final class StrictKnownHostsVerifier extends KnownHostsServerKeyVerifier {

  private final Map<ClientSession, String> problems = Collections.synchronizedMap(new WeakHashMap<>());

  StrictKnownHostsVerifier(Path knownHosts) {
    super(RejectAllServerKeyVerifier.INSTANCE, knownHosts);
    setModifiedServerKeyAcceptor((session, remote, entry, expected, actual) -> false);
  }

  /** Why the host key of this session was refused (once), or null. */
  String problemOf(ClientSession session) {
    return problems.remove(session);
  }

  @Override
  protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote,
      PublicKey serverKey) {
    problems.put(session, "host key not in known_hosts (" + getPath()
        + "; the server presented " + KeyUtils.getFingerPrint(serverKey) + ")");
    return false;
  }

  @Override
  public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote,
      KnownHostEntry entry, PublicKey expected, PublicKey actual) {
    problems.put(session, "host key CHANGED: known_hosts expects "
        + KeyUtils.getFingerPrint(expected) + " but the server presented "
        + KeyUtils.getFingerPrint(actual) + " (possible man-in-the-middle; refused)");
    return false;
  }

  @Override
  protected void handleRevokedKey(ClientSession session, SocketAddress remote,
      PublicKey serverKey) {
    problems.put(session, "host key revoked in known_hosts");
    super.handleRevokedKey(session, remote, serverKey);
  }

  @Override
  protected boolean acceptIncompleteHostKeys(ClientSession session, SocketAddress remote,
      PublicKey serverKey, Throwable reason) {
    problems.put(session, "cannot read known_hosts (" + getPath() + ": "
        + reason.getClass().getSimpleName() + ")");
    return false;
  }
}
