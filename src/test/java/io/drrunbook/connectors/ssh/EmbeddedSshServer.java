package io.drrunbook.connectors.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * A real SSH server for connector tests: MINA SSHD on 127.0.0.1 (free port) with a generated EC
 * host key, accepting only one client public key, running every exec request through a REAL
 * {@code /bin/sh -c <command>} (the channel's input piped to its stdin) and recording each command
 * string it received.
 */
public final class EmbeddedSshServer implements AutoCloseable {

  private final SshServer server;
  private final PublicKey hostKey;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final Set<Process> running = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sessionsOpened = new AtomicInteger();
  private final AtomicInteger sessionsOpen = new AtomicInteger();
  private final AtomicInteger sessionsPeak = new AtomicInteger();
  private final List<String> keyExchanges = new CopyOnWriteArrayList<>();
  private final ExecutorService pumps = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "test-sshd-pump");
    thread.setDaemon(true);
    return thread;
  });

  private EmbeddedSshServer(Path dir, PublicKey authorizedClientKey) throws Exception {
    SimpleGeneratorHostKeyProvider hostKeys =
        new SimpleGeneratorHostKeyProvider(dir.resolve("host-key.ser"));
    hostKeys.setAlgorithm(KeyUtils.EC_ALGORITHM);
    hostKeys.setKeySize(256);
    KeyPair hostKeyPair = hostKeys.loadKeys(null).iterator().next();
    hostKey = hostKeyPair.getPublic();

    server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    server.setKeyPairProvider(hostKeys);
    server.setPasswordAuthenticator(null);
    server.setKeyboardInteractiveAuthenticator(null);
    server.setPublickeyAuthenticator(
        (user, key, session) -> KeyUtils.compareKeys(authorizedClientKey, key));
    server.setCommandFactory((channel, command) -> new ShellCommand(command));
    server.addSessionListener(new SessionListener() {
      @Override
      public void sessionCreated(Session session) {
        sessionsOpened.incrementAndGet();
        sessionsPeak.accumulateAndGet(sessionsOpen.incrementAndGet(), Math::max);
      }

      @Override
      public void sessionEvent(Session session, Event event) {
        if (event == Event.KexCompleted) {
          keyExchanges.add(session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS));
        }
      }

      @Override
      public void sessionClosed(Session session) {
        sessionsOpen.decrementAndGet();
      }
    });
    server.start();
  }

  static EmbeddedSshServer start(Path dir, PublicKey authorizedClientKey) throws Exception {
    return new EmbeddedSshServer(dir, authorizedClientKey);
  }

  public int port() {
    return server.getPort();
  }

  public PublicKey hostKey() {
    return hostKey;
  }

  /** The key exchange algorithm each completed key exchange agreed on, in order. */
  public List<String> keyExchanges() {
    return List.copyOf(keyExchanges);
  }

  /** Every command string received over an exec channel, in order. */
  public List<String> receivedCommands() {
    return List.copyOf(received);
  }

  void forgetReceivedCommands() {
    received.clear();
  }

  /** SSH sessions (connections) the server accepted since it started. */
  int sessionsOpened() {
    return sessionsOpened.get();
  }

  /** SSH sessions open now. */
  int sessionsOpen() {
    return sessionsOpen.get();
  }

  /** The most sessions that were open at once since the last {@link #forgetSessionsPeak()}. */
  int sessionsPeak() {
    return sessionsPeak.get();
  }

  void forgetSessionsPeak() {
    sessionsPeak.set(sessionsOpen.get());
  }

  /** Closes every session at once, as a server that drops its connections. */
  void dropSessions() {
    server.getActiveSessions().forEach(session -> session.close(true));
  }

  /** Shell processes still alive (a command whose channel was closed must have been killed). */
  int runningProcesses() {
    running.removeIf(process -> !process.isAlive());
    return running.size();
  }

  @Override
  public void close() throws IOException {
    server.stop(true);
    running.forEach(Process::destroyForcibly);
    pumps.shutdownNow();
  }

  /** One exec request: {@code /bin/sh -c command}, stdout and stderr piped back separately. */
  private final class ShellCommand implements Command {
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private Process process;

    ShellCommand(String command) {
      this.command = command;
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
    public void setExitCallback(ExitCallback exit) {
      this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
      received.add(command);
      process = new ProcessBuilder("/bin/sh", "-c", command).start();
      running.add(process);
      if (in == null) {
        process.getOutputStream().close();
      } else {
        OutputStream stdin = process.getOutputStream();
        pumps.submit(() -> {
          try (stdin) {
            return pump(in, stdin);
          }
        });
      }
      Future<?> stdout = pumps.submit(() -> pump(process.getInputStream(), out));
      Future<?> stderr = pumps.submit(() -> pump(process.getErrorStream(), err));
      pumps.submit(() -> {
        try {
          int code = process.waitFor();
          stdout.get();
          stderr.get();
          exit.onExit(code);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception e) {
          exit.onExit(255, e.toString());
        }
      });
    }

    @Override
    public void destroy(ChannelSession channel) {
      if (process != null) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    }

    private Void pump(InputStream from, OutputStream to) throws IOException {
      byte[] buffer = new byte[8192];
      try (from) {
        for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
          to.write(buffer, 0, n);
          to.flush();
        }
      } catch (IOException e) {
        // the channel was closed under us (timeout test); the process is being destroyed
      }
      return null;
    }
  }
}
