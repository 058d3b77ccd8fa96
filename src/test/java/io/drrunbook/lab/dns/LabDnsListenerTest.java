package io.drrunbook.lab.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sockets of the lab DNS server with a handler that echoes what it got: UDP datagrams, TCP
 * length-prefixed messages, restart on the same port, and a port that is taken.
 */
class LabDnsListenerTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final int WAIT_MS = 5_000;

  private final List<String> handled = new CopyOnWriteArrayList<>();
  private LabDnsListener listener;

  @AfterEach
  void close() {
    if (listener != null) {
      listener.close();
    }
  }

  @Test
  void shouldHandTheDatagramToTheHandlerAndSendItsAnswerWhenAMessageComesOverUdp()
      throws IOException {
    listener = start(0);

    String answer = overUdp("hello");

    assertThat(answer).isEqualTo("udp:hello");
    assertThat(handled).containsExactly("udp hello from 127.0.0.1");
    assertThat(listener.port()).isPositive();
  }

  @Test
  void shouldAnswerEveryFramedMessageWhenOneTcpConnectionCarriesSeveral() throws IOException {
    listener = start(0);

    try (Socket socket = connect()) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());

      assertThat(exchange(out, in, "one")).isEqualTo("tcp:one");
      assertThat(exchange(out, in, "two")).isEqualTo("tcp:two");
    }
    assertThat(handled).containsExactly("tcp one from 127.0.0.1", "tcp two from 127.0.0.1");
  }

  @Test
  void shouldCloseTheConnectionWhenTheHandlerGivesNoAnswer() throws IOException {
    listener = start(0);

    try (Socket socket = connect()) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      send(out, "drop");

      assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    }
  }

  @Test
  void shouldBindTheSamePortAgainWhenStartedAfterClose() throws IOException {
    listener = start(0);
    int port = listener.port();
    listener.close();

    assertThat(listener.isRunning()).isFalse();
    assertThat(listener.port()).as("the port is kept while closed").isEqualTo(port);
    listener.start();

    assertThat(listener.isRunning()).isTrue();
    assertThat(listener.port()).isEqualTo(port);
    assertThat(overUdp("again")).isEqualTo("udp:again");
  }

  @Test
  void shouldNameTheZoneAndAddressWhenThePortIsTaken() throws IOException {
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      int port = taken.getLocalPort();
      listener = new LabDnsListener(LOOPBACK, port, "genesys.lab.", this::echo);

      assertThatThrownBy(listener::start)
          .isInstanceOf(BindException.class)
          .hasMessageStartingWith("cannot bind DNS server for genesys.lab. to " + LOOPBACK + ":"
              + port + ": ");
      assertThat(listener.isRunning()).isFalse();
    }
  }

  // ---------------------------------------------------------------- helpers

  private LabDnsListener start(int port) throws IOException {
    LabDnsListener started = new LabDnsListener(LOOPBACK, port, "genesys.lab.", this::echo);
    started.start();
    return started;
  }

  private byte[] echo(byte[] in, InetAddress client, boolean udp) {
    String text = new String(in, StandardCharsets.UTF_8);
    handled.add((udp ? "udp " : "tcp ") + text + " from " + client.getHostAddress());
    return text.equals("drop") ? null
        : ((udp ? "udp:" : "tcp:") + text).getBytes(StandardCharsets.UTF_8);
  }

  private String overUdp(String text) throws IOException {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      socket.setSoTimeout(WAIT_MS);
      byte[] out = text.getBytes(StandardCharsets.UTF_8);
      socket.send(new DatagramPacket(out, out.length, LOOPBACK, listener.port()));
      DatagramPacket answer = new DatagramPacket(new byte[512], 512);
      socket.receive(answer);
      return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket(LOOPBACK, listener.port());
    socket.setSoTimeout(WAIT_MS);
    return socket;
  }

  private static String exchange(DataOutputStream out, DataInputStream in, String text)
      throws IOException {
    send(out, text);
    byte[] answer = new byte[in.readUnsignedShort()];
    in.readFully(answer);
    return new String(answer, StandardCharsets.UTF_8);
  }

  private static void send(DataOutputStream out, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.writeShort(bytes.length);
    out.write(bytes);
    out.flush();
  }
}
