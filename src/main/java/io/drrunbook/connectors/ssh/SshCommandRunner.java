package io.drrunbook.connectors.ssh;

import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.SshAccess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs ONE command line on a host of the topology over SSH (Apache MINA SSHD client, one shared
 * {@link SshClient}, TCP_NODELAY on). Used by {@link SshExecConnector} (route {@code ssh-exec}).
 * Every command is its own exec channel on an authenticated session that the {@link SshSessionPool}
 * keeps per host ({@code dr.topology.ssh.pool.*}), so the check, act and verify of a step, and the
 * following steps on the same host, share one session and one key exchange. A command that fails in
 * any way closes its session; a refused host key closes every pooled session of the host; a pooled
 * session on which no channel opens any more is replaced by a new one once, before its command was
 * sent.
 *
 * <p>Security: the server's host key must be in the topology's known_hosts file
 * ({@code dr.topology.ssh.known-hosts}); an unknown, changed or revoked key is refused and the file
 * is never written ({@link StrictKnownHostsVerifier}). Only public-key authentication is offered,
 * with the host's {@code ssh.private-key} (and optional {@code ssh.passphrase}) secret reference
 * ({@link SshKeyLoader}). Secrets are never logged. stdout and stderr are captured separately, each
 * bounded to its first {@value #MAX_OUTPUT_BYTES} bytes ({@link BoundedOutputStream}); a command
 * that outlives its time limit has its channel closed and raises
 * {@link SshCommandTimeoutException}. Every failure is a technical {@link SshCommandException}
 * naming the logical host, address:port and the reason. This class keeps the session set-up, the
 * exec channel and the time limit.
 */
@Component
public class SshCommandRunner implements AutoCloseable {

  public static final int MAX_OUTPUT_BYTES = 64 * 1024;

  private static final Logger log = LoggerFactory.getLogger(SshCommandRunner.class);

  private final Topology topology;
  private final SshKeyLoader keys;
  private final SecretResolver secrets;
  private SshClient client;
  private SshSessionPool pool;
  private volatile StrictKnownHostsVerifier verifier;

  public SshCommandRunner(Topology topology, SecretResolver secrets) {
    this.topology = topology;
    this.keys = new SshKeyLoader(secrets);
    this.secrets = secrets;
  }

  /**
   * Runs {@code commandLine} on the host {@code hostName} and returns its exit status and output,
   * whatever the exit status is.
   *
   * @param hostName logical host name, {@code <site>.<host>}
   * @param commandKey the catalog key, for messages and logs
   * @param commandLine the rendered command line (arguments already quoted)
   * @param timeLimit how long the command may run once started
   */
  public CommandResult run(String hostName, String commandKey, String commandLine,
      Duration timeLimit) {
    return run(hostName, commandKey, commandLine, timeLimit, null);
  }

  /**
   * Like {@link #run(String, String, String, Duration)}, answering the prompts of {@code dialog}
   * over the command's standard input (none: the command gets no input). The result's stdout is the
   * dialog's transcript (each answer after its prompt, secrets as ****).
   *
   * @throws SshPromptException the dialog went differently from what the catalog declares (the
   *     channel is closed); it carries the transcript and stderr so far
   */
  CommandResult run(String hostName, String commandKey, String commandLine, Duration timeLimit,
      PromptDialog dialog) {
    Duration connectTimeout = topology.properties().getSsh().getConnectTimeout();
    return withSession(hostName, connectTimeout, (session, target) ->
        execute(session, target, commandKey, commandLine, timeLimit, connectTimeout, dialog));
  }

  /**
   * Opens an SFTP session on {@code hostName} (the same host-key verification and key
   * authentication as {@link #run}) and hands its client to {@code work}. Failures to connect are
   * {@link SshCommandException}s as for {@link #run}; what {@code work} throws is passed on.
   */
  public <T> T sftp(String hostName, SftpWork<T> work) {
    Duration connectTimeout = topology.properties().getSsh().getConnectTimeout();
    return withSession(hostName, connectTimeout, (session, target) -> {
      try (SftpClient client = SftpClientFactory.instance().createSftpClient(session)) {
        return work.in(client, target.describe());
      }
    });
  }

  /** What is done with an open SFTP client; {@code host} names the host for messages. */
  @FunctionalInterface
  public interface SftpWork<T> {
    T in(SftpClient client, String host) throws IOException;
  }

  /**
   * Reads the secret {@code name} of the host from its topology reference
   * ({@code hosts.<host>.secrets.<name>}); the value is registered for masking.
   */
  String hostSecret(String hostName, String name) {
    String reference = topology.host(hostName).getSecrets().get(name);
    if (reference == null) {
      throw new SshCommandException(describe(hostName) + ": the topology gives no secret '" + name
          + "' (hosts." + hostName.substring(hostName.indexOf('.') + 1) + ".secrets."
          + name + ")");
    }
    return secrets.resolve(reference);
  }

  /**
   * Checks that the host {@code hostName} can be worked on, read-only: connects, verifies its host
   * key against known_hosts, authenticates with the configured key and closes, without running
   * anything. Used by the prechecks. Fails with the same {@link SshCommandException} (and messages)
   * as {@link #run}.
   *
   * @param limit how long connecting, and then authenticating, may each take
   */
  public void probe(String hostName, Duration limit) {
    // a new session, not a pooled one: the precheck proves the host answers now
    withSession(hostName, limit, true, (session, target) -> {
      log.debug("ssh probe of {}: host key known, authenticated", target.describe());
      return null;
    });
  }

  @Override
  public synchronized void close() {
    if (pool != null) {
      pool.close();
      pool = null;
    }
    if (client != null) {
      client.stop();
      client = null;
    }
  }

  /**
   * Leases an authenticated session to {@code hostName} (host key verified) from the pool, hands it
   * to {@code work} and gives it back, or closes it when {@code work} failed. A reused session on
   * which the channel does not open is closed and the work runs once more on a new session (it had
   * not started).
   */
  private <T> T withSession(String hostName, Duration connectTimeout, SessionWork<T> work) {
    return withSession(hostName, connectTimeout, false, work);
  }

  /** With {@code fresh}: on a new session, closed after {@code work}, whatever the pool holds. */
  private <T> T withSession(String hostName, Duration connectTimeout, boolean fresh,
      SessionWork<T> work) {
    SshAccess ssh = topology.host(hostName).getSsh();
    Target target = target(hostName);
    String address = target.address();
    if (address == null || address.isBlank()) {
      throw new SshCommandException(target.describe() + ": the topology gives no ssh.host or address");
    }
    if (ssh.getUser() == null || ssh.getUser().isBlank()) {
      throw new SshCommandException(target.describe() + ": the topology gives no ssh.user");
    }
    String key = ssh.getUser() + "@" + target.describe() + " " + ssh.getPrivateKey();
    SshSessionPool sessions = pool();
    SshSessionPool.Opener opener = () -> open(key, target, ssh, connectTimeout);
    if (fresh) {
      ClientSession session = opener.open();
      try {
        return work.in(session, target);
      } catch (IOException e) {
        throw new SshCommandException(target.describe() + ": " + reason(e), e);
      } finally {
        SshSessionPool.closeQuietly(session);
      }
    }
    for (int attempt = 1; ; attempt++) {
      SshSessionPool.Lease lease = sessions.acquire(key, target.describe(), opener, this::trusted);
      boolean healthy = false;
      try {
        T result = work.in(lease.session(), target);
        healthy = true;
        return result;
      } catch (ChannelNotOpenedException e) {
        if (!lease.reused() || attempt > 1) {
          throw new SshCommandException(target.describe() + ": " + reason(e.getCause()), e);
        }
        log.debug("ssh: no channel opened on the pooled session to {}; trying a new session",
            target.describe());
      } catch (IOException e) {
        throw new SshCommandException(target.describe() + ": " + reason(e), e);
      } finally {
        lease.release(healthy);
      }
    }
  }

  /** A new session: connected, host key verified, authenticated with the host's key. */
  private ClientSession open(String key, Target target, SshAccess ssh, Duration connectTimeout) {
    KeyPair identity = keys.load(target.describe(), ssh);
    ClientSession session = connect(target, ssh.getUser(), connectTimeout);
    try {
      session.addPublicKeyIdentity(identity);
      authenticate(session, target, connectTimeout);
      return session;
    } catch (HostKeyRefusedException e) {
      SshSessionPool.closeQuietly(session);
      pool().evict(key, target.describe());
      throw e;
    } catch (RuntimeException e) {
      SshSessionPool.closeQuietly(session);
      throw e;
    }
  }

  /** Whether known_hosts (read again if it changed) still accepts the key of a pooled session. */
  private boolean trusted(ClientSession session) {
    boolean accepted = verifier.verifyServerKey(session, session.getConnectAddress(),
        session.getServerKey());
    verifier.problemOf(session);
    return accepted;
  }

  /** The host as messages name it: {@code <logical name> (<ssh address>:<port>)}. */
  public String describe(String hostName) {
    return target(hostName).describe();
  }

  private Target target(String hostName) {
    Host host = topology.host(hostName);
    SshAccess ssh = host.getSsh();
    String address = ssh.getHost() != null && !ssh.getHost().isBlank() ? ssh.getHost()
        : host.getAddress();
    return new Target(hostName, address, ssh.getPort());
  }

  /** What is done in an open, authenticated session. */
  @FunctionalInterface
  private interface SessionWork<T> {
    T in(ClientSession session, Target target) throws IOException;
  }

  private ClientSession connect(Target target, String user, Duration timeout) {
    ConnectFuture future;
    try {
      future = client().connect(user, target.address(), target.port());
    } catch (IOException e) {
      throw new SshCommandException(target.describe() + ": " + reason(e), e);
    }
    try {
      return future.verify(timeout).getClientSession();
    } catch (IOException e) {
      future.cancel();
      throw new SshCommandException(target.describe() + ": " + reason(e), e);
    }
  }

  private void authenticate(ClientSession session, Target target, Duration timeout) {
    try {
      session.auth().verify(timeout);
    } catch (IOException e) {
      String hostKeyProblem = verifier.problemOf(session);
      if (hostKeyProblem != null) {
        throw new HostKeyRefusedException(target.describe() + ": " + hostKeyProblem, e);
      }
      if (session.isOpen() && session.getServerKey() == null && isTimeout(e)) {
        // not a refused key: the server never got through the SSH handshake
        throw new SshCommandException(target.describe() + ": no SSH handshake within "
            + format(timeout) + " (the port answers, but not as an SSH server)", e);
      }
      if (!session.isOpen() && e.getMessage() != null
          && e.getMessage().contains("did not validate")) {
        throw new HostKeyRefusedException(target.describe() + ": host key refused", e);
      }
      if (session.isOpen() || isAuthFailure(e)) {
        throw new SshCommandException(target.describe() + ": authentication failed for user '"
            + session.getUsername() + "' with the configured private key", e);
      }
      throw new SshCommandException(target.describe() + ": " + reason(e), e);
    }
  }

  private CommandResult execute(ClientSession session, Target target, String commandKey,
      String commandLine, Duration timeLimit, Duration openTimeout, PromptDialog dialog)
      throws IOException {
    BoundedOutputStream stdout = new BoundedOutputStream(MAX_OUTPUT_BYTES);
    BoundedOutputStream stderr = new BoundedOutputStream(MAX_OUTPUT_BYTES);
    log.debug("ssh {} on {}: {}{}", commandKey, target.describe(), commandLine,
        dialog == null ? "" : " (" + dialog.size() + " prompts to answer)");
    long started = System.nanoTime();
    try (ChannelExec channel = newExecChannel(session, commandLine)) {
      channel.setOut(dialog == null ? stdout : dialog.watch(stdout));
      channel.setErr(stderr);
      try {
        channel.open().verify(openTimeout);
      } catch (IOException e) {
        throw new ChannelNotOpenedException(e);
      }
      if (dialog != null) {
        converse(channel, target, commandKey, dialog, started, timeLimit, stderr);
      } else {
        // no prompts declared: the command reads end of file, it cannot wait for input
        channel.getInvertedIn().close();
      }
      long left = timeLimit.toMillis() - Duration.ofNanos(System.nanoTime() - started).toMillis();
      Set<ClientChannelEvent> events =
          channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Math.max(1, left));
      Duration duration = Duration.ofNanos(System.nanoTime() - started);
      if (events.contains(ClientChannelEvent.TIMEOUT)) {
        channel.close(true);
        log.warn("ssh {} on {} exceeded its time limit of {}", commandKey, target.describe(),
            format(timeLimit));
        throw new SshCommandTimeoutException("command '" + commandKey + "' on "
            + target.describe() + " exceeded its time limit of " + format(timeLimit)
            + "; the channel was closed", timeLimit);
      }
      Integer exitStatus = channel.getExitStatus();
      if (exitStatus == null) {
        String signal = channel.getExitSignal();
        throw new SshCommandException("command '" + commandKey + "' on " + target.describe()
            + " ended without an exit status"
            + (signal == null ? " (connection lost?)" : " (killed by signal " + signal + ")"));
      }
      log.info("ssh {} on {}: exit {} in {} ms", commandKey, target.describe(), exitStatus,
          duration.toMillis());
      return new CommandResult(exitStatus, dialog == null ? stdout.text() : dialog.transcript(),
          stderr.text(), duration);
    }
  }

  private static ChannelExec newExecChannel(ClientSession session, String commandLine)
      throws ChannelNotOpenedException {
    try {
      return session.createExecChannel(commandLine);
    } catch (IOException | IllegalStateException e) {
      throw new ChannelNotOpenedException(e);
    }
  }

  /** No channel could be opened on the session: its command was not sent. */
  private static final class ChannelNotOpenedException extends IOException {
    ChannelNotOpenedException(Exception cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** The server's host key was refused: the host's pooled sessions are closed. */
  private static final class HostKeyRefusedException extends SshCommandException {
    HostKeyRefusedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private void converse(ChannelExec channel, Target target, String commandKey,
      PromptDialog dialog, long started, Duration timeLimit, BoundedOutputStream stderr)
      throws IOException {
    try {
      dialog.converse(channel.getInvertedIn(),
          () -> channel.isClosing() || channel.isClosed() || channel.getExitStatus() != null,
          started + timeLimit.toNanos(), timeLimit, commandKey);
      log.debug("ssh {} on {}: {} prompts answered", commandKey, target.describe(), dialog.size());
    } catch (PromptDialog.Failure e) {
      channel.close(true);
      // the reason quotes the command's output: it is masked and recorded by the connector, not logged here
      log.warn("ssh {} on {}: dialog failed after {} of {} prompts answered", commandKey,
          target.describe(), dialog.answered(), dialog.size());
      throw new SshPromptException("command '" + commandKey + "' on " + target.describe() + ": "
          + e.getMessage(), dialog.transcript(), stderr.text());
    } catch (SshCommandTimeoutException e) {
      channel.close(true);
      log.warn("ssh {} on {} exceeded its time limit of {} in its dialog", commandKey,
          target.describe(), format(timeLimit));
      throw new SshCommandTimeoutException(e.getMessage().replace("command '" + commandKey + "'",
          "command '" + commandKey + "' on " + target.describe()), timeLimit);
    }
  }

  /** The one client, started on first use (the lab writes known_hosts at start-up). */
  private synchronized SshClient client() {
    if (client == null) {
      String knownHosts = topology.knownHostsFile();
      if (knownHosts == null || knownHosts.isBlank()) {
        throw new SshCommandException("dr.topology.ssh.known-hosts is not set: SSH steps need a"
            + " known_hosts file to verify every host key against");
      }
      verifier = new StrictKnownHostsVerifier(Path.of(knownHosts));
      SshClient built = ClientBuilder.builder()
          .serverKeyVerifier(verifier)
          .build();
      built.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
      // only the key the topology names for the host: no ~/.ssh keys, no passwords
      built.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
      built.setPasswordIdentityProvider(PasswordIdentityProvider.EMPTY_PASSWORDS_PROVIDER);
      // one exec round trip is a few small packets: no Nagle delay on them
      CoreModuleProperties.TCP_NODELAY.set(built, true);
      built.setKeyExchangeFactories(postQuantumFirst(built.getKeyExchangeFactories()));
      built.start();
      client = built;
    }
    return client;
  }

  /** The key exchange the client asks for first: ML-KEM hybrid, OpenSSH 10's default. */
  static final String PREFERRED_KEX = "mlkem768x25519-sha256";

  /**
   * MINA's key exchanges with {@link #PREFERRED_KEX} first, the rest in MINA's order. Both of the
   * first two are post-quantum hybrids; MINA lists sntrup761x25519 first, whose key generation in
   * pure Java was nine tenths of the CPU samples of 50 new sessions opened in parallel (the lab's
   * fan-out benchmark, FanOutBenchmarkTest: 2.6-4.7 s with it, 1.2 s with ML-KEM). A server without
   * ML-KEM (OpenSSH before 9.9) still agrees on sntrup761.
   */
  static List<KeyExchangeFactory> postQuantumFirst(List<KeyExchangeFactory> factories) {
    List<KeyExchangeFactory> ordered = new ArrayList<>(factories.size());
    factories.stream().filter(f -> PREFERRED_KEX.equals(f.getName())).forEach(ordered::add);
    factories.stream().filter(f -> !PREFERRED_KEX.equals(f.getName())).forEach(ordered::add);
    return ordered;
  }

  /** The session pool of the one client, made with it. */
  private synchronized SshSessionPool pool() {
    client();
    if (pool == null) {
      pool = new SshSessionPool(topology.properties().getSsh().getPool(),
          topology.properties().getSsh().getConnectTimeout());
    }
    return pool;
  }

  /** Sessions the pool keeps open now (idle or in use), all hosts together. */
  public int pooledSessions() {
    SshSessionPool current;
    synchronized (this) {
      current = pool;
    }
    return current == null ? 0 : current.openSessions();
  }

  private static boolean isAuthFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && (message.contains("No more authentication methods")
          || message.contains("authentication"))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException
          || (t.getMessage() != null && t.getMessage().contains("timeout"))) {
        return true;
      }
    }
    return false;
  }

  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof NoRouteToHostException) {
        return "no route to host";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host name";
      }
      if (t.getMessage() != null && t.getMessage().contains("timeout")) {
        return "connection timed out";
      }
    }
    return "connection failed (" + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
  }

  static String format(Duration duration) {
    if (duration.toMillis() % 1000 != 0) {
      return duration.toMillis() + " ms";
    }
    return duration.toSeconds() + " s";
  }

  private record Target(String hostName, String address, int port) {
    String describe() {
      return hostName + " (" + address + ":" + port + ")";
    }
  }

  /**
   * Where a command for {@code hostName} would go, {@code user@host (address:port)}, read from the
   * topology without contacting anything (dry-run plans).
   *
   * @throws SshCommandException when the topology gives no address or user for the host
   */
  public String destination(String hostName) {
    Target target = target(hostName);
    String user = topology.host(hostName).getSsh().getUser();
    if (target.address() == null || target.address().isBlank() || user == null || user.isBlank()) {
      throw new SshCommandException(target.describe() + ": the topology gives no ssh address or ssh.user");
    }
    return user + "@" + target.describe();
  }
}
