package io.drrunbook.lab;

import io.drrunbook.lab.faults.Fault;
import io.drrunbook.lab.faults.FaultType;
import io.drrunbook.lab.faults.LabFaults;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Host;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The drill lab's simulated SSH hosts: one Apache MINA SSHD server per topology host that has a role
 * in {@code dr.lab.roles}, listening on its {@code ssh.host:ssh.port}, with its own host key. Only
 * public-key authentication, only the lab client key and only the host's {@code ssh.user}; no
 * password, no shell, no forwarding: exec commands, run by {@link LabShell}, and the SFTP
 * subsystem over the host's own files ({@link LabFileSystems}, as its unprivileged user). A
 * command whose model asks ({@code prompt}/{@code read} steps, e.g. the OCMS replication scripts)
 * reads its answers from the channel's standard input, one line each.
 *
 * <p>Starts in phase -100, before the step worker, and writes known_hosts once every host listens.
 * A configured port 0 binds a free port; with {@code dr.lab.ephemeral-ports} every host does, and
 * the bound port is written into the topology ({@code ssh.port}) before known_hosts is written.
 * {@link #endpoint(String)} tells where a host listens.
 *
 * <p>Faults ({@link LabFaults}): {@code unreachable} stops the host's server (connection refused)
 * and {@code host-key-changed} restarts it with a freshly generated host key (known_hosts is not
 * touched); when the fault goes, the host listens again on the same port with its own key.
 * {@code command-fails} answers matching commands with the fault's exit code and output (recorded in
 * the command log, the lab shell never sees them), {@code command-hangs} answers them only when the
 * fault goes (then runs them) or the client closes the channel, {@code slow} runs them after the
 * fault's delay.
 */
@Component
@Profile("lab")
public class LabSshHosts implements SmartLifecycle {

  public static final int PHASE = -100;
  /** The longest input line a simulated command reads (the rest of a longer line is dropped). */
  static final int MAX_INPUT_LINE = 4096;

  private static final Logger log = LoggerFactory.getLogger(LabSshHosts.class);

  private final LabProperties properties;
  private final Topology topology;
  private final LabKeys keys;
  private final LabShell shell;
  private final LabState state;
  private final LabFaults faults;
  private final LabFileSystems files;
  /** The servers that listen now, by host. */
  private final Map<String, SshServer> servers = new LinkedHashMap<>();
  /** Where each host listens, kept while a fault stops it so that it comes back on the same port. */
  private final Map<String, InetSocketAddress> endpoints = new LinkedHashMap<>();
  /** What each host's server does now (normal, stopped, other host key). */
  private final Map<String, Mode> modes = new LinkedHashMap<>();
  private ExecutorService executor;
  private volatile boolean running;

  private enum Mode { NORMAL, STOPPED, OTHER_HOST_KEY }

  private final Map<String, java.util.concurrent.atomic.AtomicInteger> sessionsOpened =
      new java.util.concurrent.ConcurrentHashMap<>();

  public LabSshHosts(LabProperties properties, Topology topology, LabKeys keys, LabShell shell,
      LabState state, LabFaults faults, LabFileSystems files) {
    this.properties = properties;
    this.files = files;
    this.topology = topology;
    this.keys = keys;
    this.shell = shell;
    this.state = state;
    this.faults = faults;
    faults.addListener(this::applyFaults);
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    executor = Executors.newCachedThreadPool(threadFactory());
    try {
      files.prepare(properties.isResetOnStart());
      for (String host : properties.getRoles().keySet()) {
        if (state.isEndpoint(host)) {
          continue;
        }
        Host topologyHost = topology.host(host);
        int port = properties.isEphemeralPorts() ? 0 : topologyHost.getSsh().getPort();
        startHost(host, port, keys.hostKeyProvider(host));
        modes.put(host, Mode.NORMAL);
        if (properties.isEphemeralPorts()) {
          topologyHost.getSsh().setPort(endpoints.get(host).getPort());
        }
      }
    } catch (IOException | RuntimeException e) {
      stopServers();
      throw new IllegalStateException("cannot start the lab's simulated SSH hosts: " + e.getMessage(), e);
    }
    keys.writeKnownHosts(endpoints);
    running = true;
    log.info("Lab SSH hosts listening: {}", endpoints);
    applyFaults(faults.list());
  }

  /**
   * Puts every host's server in the state the faults ask for: stopped while the host is
   * unreachable, with another host key while its key "changed", else normal; a server that changes
   * state is stopped (its sessions end) and started again on the same port.
   */
  private synchronized void applyFaults(List<Fault> current) {
    if (!running) {
      return;
    }
    for (String host : List.copyOf(modes.keySet())) {
      Mode wanted = has(current, FaultType.UNREACHABLE, host) ? Mode.STOPPED
          : has(current, FaultType.HOST_KEY_CHANGED, host) ? Mode.OTHER_HOST_KEY : Mode.NORMAL;
      if (modes.get(host) == wanted) {
        continue;
      }
      stopHost(host);
      modes.put(host, Mode.STOPPED);
      if (wanted == Mode.STOPPED) {
        log.info("Lab SSH host {} stopped (fault: unreachable)", host);
        continue;
      }
      int port = endpoints.get(host).getPort();
      try {
        startHost(host, port, wanted == Mode.NORMAL ? keys.hostKeyProvider(host) : otherHostKey());
      } catch (IOException | RuntimeException e) {
        log.error("Lab SSH host {} cannot listen again on port {}: {}", host, port, e.getMessage());
        continue;
      }
      modes.put(host, wanted);
      log.info("Lab SSH host {} listening on port {}{}", host, port,
          wanted == Mode.OTHER_HOST_KEY ? " with a new host key (fault: host-key-changed)" : "");
    }
  }

  private static boolean has(List<Fault> current, FaultType type, String host) {
    return current.stream().anyMatch(f -> f.type() == type && host.equals(f.target()));
  }

  /** A freshly generated host key of the same type as the lab's (EC P-256), never written anywhere. */
  private static KeyPairProvider otherHostKey() {
    try {
      return KeyPairProvider.wrap(KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a host key: " + e.getMessage(), e);
    }
  }

  private void stopHost(String host) {
    SshServer server = servers.remove(host);
    if (server != null) {
      try {
        server.stop(true);
      } catch (IOException e) {
        log.warn("Lab SSH host {} did not stop cleanly: {}", host, e.getMessage());
      }
    }
  }

  private void startHost(String host, int port, KeyPairProvider hostKey) throws IOException {
    Host topologyHost = topology.host(host);
    String bindAddress = topologyHost.getSsh().getHost() != null
        ? topologyHost.getSsh().getHost() : topologyHost.getAddress();
    String user = topologyHost.getSsh().getUser();
    PublicKey clientKey = keys.clientPublicKey();

    SshServer server = SshServer.setUpDefaultServer();
    server.setHost(bindAddress);
    server.setPort(port);
    server.setKeyPairProvider(hostKey);
    server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    server.setPublickeyAuthenticator((username, key, session) ->
        user != null && user.equals(username) && KeyUtils.compareKeys(clientKey, key));
    server.setPasswordAuthenticator(null);
    server.setKeyboardInteractiveAuthenticator(null);
    server.setGSSAuthenticator(null);
    server.setHostBasedAuthenticator(null);
    server.setShellFactory(null);
    server.setSubsystemFactories(List.of(files.sftp(host, state, faults)));
    server.setFileSystemFactory(files.fileSystem(host));
    server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
    server.setAgentFactory(null);
    server.setCommandFactory((channel, commandLine) -> new LabCommand(host, commandLine));
    // MINA writes each SSH packet of a reply apart (OpenSSH's sshd writes them together): without
    // TCP_NODELAY, Nagle holds the last ones until the client's delayed ACK, ~40 ms a command
    org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(server, true);
    server.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
      @Override
      public void sessionCreated(org.apache.sshd.common.session.Session session) {
        sessionsOpened.computeIfAbsent(host, h -> new java.util.concurrent.atomic.AtomicInteger())
            .incrementAndGet();
      }
    });
    servers.put(host, server);
    server.start();
    endpoints.put(host, InetSocketAddress.createUnresolved(bindAddress, server.getPort()));
  }

  /** SSH connections each host accepted since start-up (a dry-run must open none). */
  public Map<String, Integer> sessionsOpened() {
    Map<String, Integer> counts = new java.util.TreeMap<>();
    sessionsOpened.forEach((host, count) -> counts.put(host, count.get()));
    return counts;
  }

  @Override
  public synchronized void stop() {
    stopServers();
    running = false;
  }

  private void stopServers() {
    servers.forEach((host, server) -> {
      try {
        server.stop(true);
      } catch (IOException e) {
        log.warn("Lab SSH host {} did not stop cleanly: {}", host, e.getMessage());
      }
    });
    servers.clear();
    endpoints.clear();
    modes.clear();
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** Where a simulated host listens (its bound port, also when configured with port 0), or would. */
  public synchronized InetSocketAddress endpoint(String host) {
    InetSocketAddress endpoint = endpoints.get(host);
    if (endpoint == null) {
      throw new IllegalArgumentException("simulated host '" + host + "' is not listening");
    }
    return endpoint;
  }

  public synchronized int port(String host) {
    return endpoint(host).getPort();
  }

  private static ThreadFactory threadFactory() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "lab-ssh-exec-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** One exec request: runs the command line through the lab shell off the SSH I/O threads. */
  private final class LabCommand implements Command {
    private final String host;
    private final String commandLine;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exitCallback;
    private Future<?> execution;
    /** Characters of stdout already sent by prompts. */
    private int sent;

    LabCommand(String host, String commandLine) {
      this.host = host;
      this.commandLine = commandLine;
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exitCallback = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      ExecutorService current = executor;
      if (current == null) {
        exitCallback.onExit(1, "lab stopped");
        return;
      }
      execution = current.submit(this::run);
    }

    private void run() {
      LabShell.Result injected;
      try {
        injected = injectedResult();
      } catch (InterruptedException e) {
        log.debug("Lab SSH host {}: [{}] ended while held by a fault", host, commandLine);
        return;
      }
      int exitCode;
      try {
        LabShell.Result result = injected != null ? injected
            : shell.execute(host, commandLine, this::readLine);
        exitCode = result.exitCode();
        write(out, result.stdout().substring(Math.min(sent, result.stdout().length())));
        write(err, result.stderr());
      } catch (IOException e) {
        log.debug("Lab SSH host {}: client went away before the output of [{}] was sent", host, commandLine);
        exitCode = 1;
      } catch (RuntimeException e) {
        log.warn("Lab SSH host {} failed on [{}]", host, commandLine, e);
        exitCode = 1;
        try {
          write(err, "lab shell: internal error: " + e.getMessage() + "\n");
        } catch (IOException ignored) {
          // the client is gone as well
        }
      }
      exitCallback.onExit(exitCode);
    }

    /**
     * Acts out the command fault on this command, if any: the result of a failing command, or
     * {@code null} when the command is to run (no fault, or a hanging or slow one let it go).
     *
     * @throws InterruptedException the channel closed while the command was held
     */
    private LabShell.Result injectedResult() throws InterruptedException {
      Optional<Fault> fault = faults.commandFault(host, commandLine);
      if (fault.isEmpty()) {
        return null;
      }
      Fault f = fault.get();
      switch (f.type()) {
        case COMMAND_FAILS -> {
          log.info("Lab SSH host {}: [{}] fails with exit {} (fault {})", host, commandLine,
              f.exitCode(), f.id());
          state.recordCommand(host, commandLine, f.exitCode(), null);
          return new LabShell.Result(f.exitCode(), nullToEmpty(f.stdout()), nullToEmpty(f.stderr()));
        }
        case COMMAND_HANGS -> {
          log.info("Lab SSH host {}: [{}] hangs (fault {})", host, commandLine, f.id());
          faults.awaitGone(f.id(), null);
        }
        case SLOW -> {
          log.info("Lab SSH host {}: [{}] delayed by {} (fault {})", host, commandLine, f.delay(),
              f.id());
          faults.awaitGone(f.id(), f.delay());
        }
        default -> throw new IllegalStateException("not a command fault: " + f.type());
      }
      return null;
    }

    /** A model's prompt: sends the output so far, then reads one line of the client's input. */
    private String readLine(String output) {
      try {
        write(out, output);
        sent += output.length();
        if (in == null) {
          return null;
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b = in.read();
        if (b < 0) {
          return null; // end of input: the client closed it
        }
        for (; b >= 0 && b != '\n'; b = in.read()) {
          if (line.size() < MAX_INPUT_LINE) {
            line.write(b);
          }
        }
        return line.toString(StandardCharsets.UTF_8).replaceAll("\r$", "");
      } catch (IOException e) {
        return null;
      }
    }

    private static String nullToEmpty(String text) {
      return text == null ? "" : text;
    }

    private static void write(OutputStream stream, String text) throws IOException {
      if (!text.isEmpty()) {
        stream.write(text.getBytes(StandardCharsets.UTF_8));
        stream.flush();
      }
    }

    @Override
    public void destroy(ChannelSession channel) {
      if (execution != null) {
        execution.cancel(true);
      }
    }
  }
}
