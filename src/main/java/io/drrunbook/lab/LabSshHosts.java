package io.drrunbook.lab;

import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Host;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
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
 * password, no shell, no SFTP, no forwarding: exec commands only, run by {@link LabShell}.
 *
 * <p>Starts in phase -100, before the step worker, and writes known_hosts once every host listens.
 * A configured port 0 binds a free port (tests); {@link #endpoint(String)} tells which.
 */
@Component
@Profile("lab")
public class LabSshHosts implements SmartLifecycle {

  public static final int PHASE = -100;

  private static final Logger log = LoggerFactory.getLogger(LabSshHosts.class);

  private final LabProperties properties;
  private final Topology topology;
  private final LabKeys keys;
  private final LabShell shell;
  private final Map<String, SshServer> servers = new LinkedHashMap<>();
  private final Map<String, InetSocketAddress> endpoints = new LinkedHashMap<>();
  private ExecutorService executor;
  private volatile boolean running;

  public LabSshHosts(LabProperties properties, Topology topology, LabKeys keys, LabShell shell) {
    this.properties = properties;
    this.topology = topology;
    this.keys = keys;
    this.shell = shell;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    executor = Executors.newCachedThreadPool(threadFactory());
    try {
      for (String host : properties.getRoles().keySet()) {
        if (!shell.isEndpoint(host)) {
          startHost(host);
        }
      }
    } catch (IOException | RuntimeException e) {
      stopServers();
      throw new IllegalStateException("cannot start the lab's simulated SSH hosts: " + e.getMessage(), e);
    }
    keys.writeKnownHosts(endpoints);
    running = true;
    log.info("Lab SSH hosts listening: {}", endpoints);
  }

  private void startHost(String host) throws IOException {
    Host topologyHost = topology.host(host);
    String bindAddress = topologyHost.getSsh().getHost() != null
        ? topologyHost.getSsh().getHost() : topologyHost.getAddress();
    String user = topologyHost.getSsh().getUser();
    PublicKey clientKey = keys.clientPublicKey();

    SshServer server = SshServer.setUpDefaultServer();
    server.setHost(bindAddress);
    server.setPort(topologyHost.getSsh().getPort());
    server.setKeyPairProvider(keys.hostKeyProvider(host));
    server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    server.setPublickeyAuthenticator((username, key, session) ->
        user != null && user.equals(username) && KeyUtils.compareKeys(clientKey, key));
    server.setPasswordAuthenticator(null);
    server.setKeyboardInteractiveAuthenticator(null);
    server.setGSSAuthenticator(null);
    server.setHostBasedAuthenticator(null);
    server.setShellFactory(null);
    server.setSubsystemFactories(List.of());
    server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
    server.setAgentFactory(null);
    server.setCommandFactory((channel, commandLine) -> new LabCommand(host, commandLine));
    servers.put(host, server);
    server.start();
    endpoints.put(host, InetSocketAddress.createUnresolved(bindAddress, server.getPort()));
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

  /** Where a simulated host listens (its bound port, also when configured with port 0). */
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
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exitCallback;
    private Future<?> execution;

    LabCommand(String host, String commandLine) {
      this.host = host;
      this.commandLine = commandLine;
    }

    @Override
    public void setInputStream(InputStream in) {
      // the lab's commands read no input
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
      int exitCode;
      try {
        LabShell.Result result = shell.execute(host, commandLine);
        exitCode = result.exitCode();
        write(out, result.stdout());
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
