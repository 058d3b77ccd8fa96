package io.drrunbook.connectors.ssh;

import io.drrunbook.topology.TopologyProperties.SessionPool;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticated SSH sessions of {@link SshCommandRunner}, kept per host and reused: a command
 * leases one session for itself (its channel is the session's only one while it runs) and gives it
 * back when it ends well; at most {@code dr.topology.ssh.pool.max-sessions-per-host} sessions of a
 * host are open at once, and a command that finds them all busy waits up to
 * {@code acquire-timeout}. An idle session is closed after {@code idle-timeout}. Before a session is
 * reused it must still be open and authenticated, its host key still accepted by known_hosts, and,
 * idle longer than {@code probe-after}, answer a keep-alive request. A session whose command failed
 * in any way is closed, never reused; a host whose key was refused has all its sessions closed.
 * With {@code enabled: false} every lease is a fresh session, closed after its command.
 */
final class SshSessionPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SshSessionPool.class);
  private static final String KEEPALIVE = "keepalive@openssh.com";

  private final SessionPool settings;
  private final Duration replyTimeout;
  private final Map<String, HostSessions> hosts = new ConcurrentHashMap<>();
  private final ScheduledExecutorService reaper;
  private volatile boolean closed;

  /** How a new session of a host is opened (connected, host key verified, authenticated). */
  @FunctionalInterface
  interface Opener {
    ClientSession open();
  }

  /**
   * @param replyTimeout how long a keep-alive reply may take (the connect timeout)
   */
  SshSessionPool(SessionPool settings, Duration replyTimeout) {
    this.settings = settings;
    this.replyTimeout = replyTimeout;
    if (settings.isEnabled()) {
      long every = Math.max(50, Math.min(settings.getIdleTimeout().toMillis() / 4, 5000));
      reaper = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "ssh-session-pool-reaper");
        thread.setDaemon(true);
        return thread;
      });
      reaper.scheduleWithFixedDelay(this::closeIdleSessions, every, every, TimeUnit.MILLISECONDS);
    } else {
      reaper = null;
    }
  }

  /**
   * A session for the host {@code key}: an idle one that is still alive and trusted, else a new one
   * from {@code opener} while the host has fewer than the maximum open, else the first one given
   * back within the acquire timeout.
   *
   * @param key the host and how it is reached (address, port, user, key reference)
   * @param host the host as messages name it
   * @param trusted whether known_hosts still accepts the session's host key
   * @throws SshCommandException all sessions of the host stayed busy, or opening failed
   */
  Lease acquire(String key, String host, Opener opener, Predicate<ClientSession> trusted) {
    if (!settings.isEnabled()) {
      return new Lease(null, opener.open(), false, 0);
    }
    HostSessions sessions = hosts.computeIfAbsent(key, k -> new HostSessions());
    int max = Math.max(1, settings.getMaxSessionsPerHost());
    long deadline = System.nanoTime() + settings.getAcquireTimeout().toNanos();
    while (true) {
      Idle idle;
      long generation;
      synchronized (sessions) {
        if (sessions.idle.isEmpty() && sessions.open >= max) {
          log.info("ssh: all {} sessions of {} are busy; the command waits for one (at most {})", max,
              host, SshCommandRunner.format(settings.getAcquireTimeout()));
        }
        while (sessions.idle.isEmpty() && sessions.open >= max) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new SshCommandException(host + ": all " + max + " SSH sessions of the host"
                + " stayed busy for " + SshCommandRunner.format(settings.getAcquireTimeout())
                + " (dr.topology.ssh.pool.max-sessions-per-host)");
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(sessions, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshCommandException(host + ": interrupted while waiting for an SSH session", e);
          }
        }
        idle = sessions.idle.pollFirst();
        if (idle == null) {
          sessions.open++;
        }
        generation = sessions.generation;
      }
      if (idle == null) {
        try {
          ClientSession session = opener.open();
          log.debug("ssh session to {} opened", host);
          return new Lease(sessions, session, false, generation);
        } catch (RuntimeException e) {
          sessions.closed();
          throw e;
        }
      }
      if (alive(idle, host, trusted)) {
        log.debug("ssh session to {} reused", host);
        return new Lease(sessions, idle.session, true, generation);
      }
      closeQuietly(idle.session);
      sessions.closed();
    }
  }

  /** Closes every idle session of the host; sessions in use are closed when given back. */
  void evict(String key, String host) {
    HostSessions sessions = hosts.get(key);
    if (sessions == null) {
      return;
    }
    int closing = closeAll(sessions);
    if (closing > 0) {
      log.warn("ssh: {} pooled session(s) to {} closed (host key refused)", closing, host);
    }
  }

  /** Closes the idle sessions of a host; the ones in use now are closed when given back. */
  private static int closeAll(HostSessions sessions) {
    List<Idle> closing;
    synchronized (sessions) {
      sessions.generation++;
      closing = new ArrayList<>(sessions.idle);
      sessions.idle.clear();
    }
    closing.forEach(idle -> {
      closeQuietly(idle.session);
      sessions.closed();
    });
    return closing.size();
  }

  /** Sessions open now (idle or in use), all hosts together. */
  int openSessions() {
    return hosts.values().stream().mapToInt(sessions -> {
      synchronized (sessions) {
        return sessions.open;
      }
    }).sum();
  }

  @Override
  public void close() {
    closed = true;
    if (reaper != null) {
      reaper.shutdownNow();
    }
    hosts.values().forEach(SshSessionPool::closeAll);
  }

  private boolean alive(Idle idle, String host, Predicate<ClientSession> trusted) {
    ClientSession session = idle.session;
    if (!session.isOpen() || session.isClosing() || !session.isAuthenticated()) {
      log.debug("ssh session to {} found closed; a new one is opened", host);
      return false;
    }
    if (!trusted.test(session)) {
      log.warn("ssh session to {} no longer trusted by known_hosts; closed", host);
      return false;
    }
    if (System.nanoTime() - idle.since < settings.getProbeAfter().toNanos()) {
      return true;
    }
    try {
      Buffer request = session.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST, KEEPALIVE.length() + 8);
      request.putString(KEEPALIVE);
      request.putBoolean(true);
      // a failure reply is an answer too: the server is there
      session.request(KEEPALIVE, request, replyTimeout);
      return session.isOpen();
    } catch (IOException | RuntimeException e) {
      log.debug("ssh session to {} did not answer a keep-alive ({}); a new one is opened", host,
          e.getClass().getSimpleName());
      return false;
    }
  }

  private void closeIdleSessions() {
    long limit = settings.getIdleTimeout().toNanos();
    hosts.values().forEach(sessions -> {
      List<Idle> expired = new ArrayList<>();
      synchronized (sessions) {
        long now = System.nanoTime();
        sessions.idle.removeIf(idle -> {
          boolean old = now - idle.since >= limit || !idle.session.isOpen();
          if (old) {
            expired.add(idle);
          }
          return old;
        });
      }
      expired.forEach(idle -> {
        closeQuietly(idle.session);
        sessions.closed();
      });
      if (!expired.isEmpty()) {
        log.debug("ssh: {} idle session(s) closed", expired.size());
      }
    });
  }

  static void closeQuietly(ClientSession session) {
    try {
      session.close();
    } catch (IOException | RuntimeException e) {
      log.debug("ssh session did not close cleanly: {}", e.getClass().getSimpleName());
    }
  }

  /** The sessions of one host: the idle ones (most recently used first) and how many are open. */
  private static final class HostSessions {
    private final Deque<Idle> idle = new ArrayDeque<>();
    private int open;
    /** Raised when the host's key was refused: sessions leased before are not taken back. */
    private long generation;

    synchronized void closed() {
      open--;
      notifyAll();
    }
  }

  private record Idle(ClientSession session, long since) {
  }

  /** One session leased to one command; {@link #release} gives it back or closes it. */
  final class Lease {
    private final HostSessions sessions;
    private final ClientSession session;
    private final boolean reused;
    private final long generation;

    private Lease(HostSessions sessions, ClientSession session, boolean reused, long generation) {
      this.sessions = sessions;
      this.session = session;
      this.reused = reused;
      this.generation = generation;
    }

    ClientSession session() {
      return session;
    }

    /** Whether the session served an earlier command (a failure to open a channel may be its age). */
    boolean reused() {
      return reused;
    }

    /**
     * Gives the session back for the next command when {@code healthy} (its command ended without
     * any exception) and it is still open; else closes it.
     */
    void release(boolean healthy) {
      if (sessions != null && healthy && !closed && session.isOpen() && !session.isClosing()) {
        synchronized (sessions) {
          if (sessions.generation == generation) {
            sessions.idle.addFirst(new Idle(session, System.nanoTime()));
            sessions.notifyAll();
            return;
          }
        }
      }
      closeQuietly(session);
      if (sessions != null) {
        sessions.closed();
      }
    }
  }
}
