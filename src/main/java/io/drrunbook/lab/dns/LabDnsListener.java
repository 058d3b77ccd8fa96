package io.drrunbook.lab.dns;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets and threads of the lab DNS server: UDP and TCP (two-byte length prefix, several
 * messages per connection) on the same port, each message handed to a {@link Handler}. Started again
 * after {@link #close()}, it binds the port it had before. Used by {@link LabDnsServer}.
 */
final class LabDnsListener {

  private static final Logger log = LoggerFactory.getLogger(LabDnsListener.class);

  private static final int TCP_IDLE_TIMEOUT_MS = 30_000;
  private static final int BIND_ATTEMPTS = 20;
  private static final int FIXED_PORT_ATTEMPTS = 5;
  private static final long FIXED_PORT_PAUSE_MS = 200;

  /** Answers one message as received; {@code null}: no answer (a TCP connection is closed). */
  @FunctionalInterface
  interface Handler {
    byte[] handle(byte[] in, InetAddress client, boolean udp);
  }

  private final InetAddress bindAddress;
  private final int requestedPort;
  private final String name;
  private final Handler handler;

  private volatile boolean running;

  /** The port of the last successful bind, 0 before the first; guarded by {@code this}. */
  private int boundPort;
  private DatagramSocket udpSocket;
  private ServerSocket tcpSocket;
  private ExecutorService executor;

  /**
   * @param port {@code 0}: a free port
   * @param name the zone served, for messages ({@code genesys.lab.})
   */
  LabDnsListener(InetAddress bindAddress, int port, String name, Handler handler) {
    this.bindAddress = bindAddress;
    this.requestedPort = port;
    this.name = name;
    this.handler = handler;
  }

  /**
   * Binds UDP, then TCP on the same port (retrying with another free port if port 0 was asked), and
   * starts serving. Started again after {@link #close()}, it binds the port it had before.
   */
  synchronized void start() throws IOException {
    if (running) {
      return;
    }
    int port = boundPort != 0 ? boundPort : requestedPort;
    IOException lastFailure = null;
    // port 0: another free port each attempt; a fixed port (a restart after close): the same port
    // again after a short pause, in case the system has not released it yet
    int attempts = port == 0 ? BIND_ATTEMPTS : FIXED_PORT_ATTEMPTS;
    for (int attempt = 0; attempt < attempts && udpSocket == null; attempt++) {
      if (attempt > 0 && port != 0) {
        pause();
      }
      DatagramSocket udp = new DatagramSocket(null);
      try {
        udp.bind(new InetSocketAddress(bindAddress, port));
        ServerSocket tcp = new ServerSocket();
        try {
          tcp.setReuseAddress(true);
          tcp.bind(new InetSocketAddress(bindAddress, udp.getLocalPort()), 50);
        } catch (IOException e) {
          tcp.close();
          throw e;
        }
        udpSocket = udp;
        tcpSocket = tcp;
      } catch (BindException e) {
        udp.close();
        lastFailure = e;
      } catch (IOException | RuntimeException e) {
        udp.close();
        throw e;
      }
    }
    if (udpSocket == null) {
      throw new BindException("cannot bind DNS server for " + name + " to " + bindAddress
          + ":" + port + ": " + (lastFailure == null ? "" : lastFailure.getMessage()));
    }
    boundPort = udpSocket.getLocalPort();
    running = true;
    AtomicInteger threads = new AtomicInteger();
    executor = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "lab-dns-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    executor.execute(this::serveUdp);
    executor.execute(this::acceptTcp);
    log.info("Lab DNS server for zone {} listening on {}:{} (UDP and TCP)",
        name, bindAddress.getHostAddress(), port());
  }

  private static void pause() throws IOException {
    try {
      Thread.sleep(FIXED_PORT_PAUSE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while binding the lab DNS server");
    }
  }

  /** The port it listens (or listened) on: the actual one when started with port 0. */
  synchronized int port() {
    return boundPort != 0 ? boundPort : requestedPort;
  }

  boolean isRunning() {
    return running;
  }

  /** Closes both sockets and stops the threads; the port is kept for the next {@link #start()}. */
  synchronized void close() {
    running = false;
    if (udpSocket != null) {
      udpSocket.close();
      udpSocket = null;
    }
    if (tcpSocket != null) {
      try {
        tcpSocket.close();
      } catch (IOException e) {
        log.debug("closing the DNS TCP socket failed", e);
      }
      tcpSocket = null;
    }
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  private void serveUdp() {
    DatagramSocket socket;
    synchronized (this) {
      socket = udpSocket;
    }
    byte[] buffer = new byte[65535];
    while (running && socket != null && !socket.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        byte[] in = Arrays.copyOf(packet.getData(), packet.getLength());
        byte[] out = handler.handle(in, packet.getAddress(), true);
        if (out != null) {
          socket.send(new DatagramPacket(out, out.length, packet.getSocketAddress()));
        }
      } catch (SocketException e) {
        if (running) {
          log.warn("lab DNS UDP socket failed", e);
        }
        return;
      } catch (IOException | RuntimeException e) {
        log.warn("lab DNS could not answer a UDP message", e);
      }
    }
  }

  private void acceptTcp() {
    ServerSocket server;
    synchronized (this) {
      server = tcpSocket;
    }
    while (running && server != null && !server.isClosed()) {
      try {
        Socket client = server.accept();
        ExecutorService pool = executor;
        if (pool == null) {
          client.close();
          return;
        }
        pool.execute(() -> serveTcp(client));
      } catch (IOException e) {
        if (running) {
          log.warn("lab DNS TCP accept failed", e);
        }
      } catch (RuntimeException e) {
        // the executor was shut down while accepting
        return;
      }
    }
  }

  private void serveTcp(Socket client) {
    try (client) {
      client.setSoTimeout(TCP_IDLE_TIMEOUT_MS);
      DataInputStream input = new DataInputStream(client.getInputStream());
      OutputStream output = client.getOutputStream();
      while (running) {
        int length;
        try {
          length = input.readUnsignedShort();
        } catch (EOFException | SocketTimeoutException e) {
          return;
        }
        byte[] in = new byte[length];
        input.readFully(in);
        byte[] out = handler.handle(in, client.getInetAddress(), false);
        if (out == null) {
          return;
        }
        byte[] framed = new byte[out.length + 2];
        framed[0] = (byte) (out.length >>> 8);
        framed[1] = (byte) out.length;
        System.arraycopy(out, 0, framed, 2, out.length);
        output.write(framed);
        output.flush();
      }
    } catch (IOException e) {
      if (running) {
        log.debug("lab DNS TCP connection ended: {}", e.toString());
      }
    }
  }
}
