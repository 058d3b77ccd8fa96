package io.drrunbook.lab;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A minimal real DNS server for tests: UDP on 127.0.0.1 and a free port, parses each query with
 * dnsjava and answers A records from a table (NXDOMAIN for names it does not hold).
 */
final class TestDnsResponder implements AutoCloseable {

  private final DatagramSocket socket;
  private final Map<String, String> addresses = new ConcurrentHashMap<>();
  private final AtomicInteger queries = new AtomicInteger();

  TestDnsResponder() throws IOException {
    socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    Thread thread = new Thread(this::serve, "test-dns");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  /** Answers {@code name} (with or without the final dot) with an A record. */
  TestDnsResponder answer(String name, String address) {
    addresses.put(absolute(name), address);
    return this;
  }

  int queries() {
    return queries.get();
  }

  private void serve() {
    byte[] buffer = new byte[1232];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
      } catch (IOException e) {
        return;
      }
      try {
        Message query = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
        Record question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        response.addRecord(question, Section.QUESTION);
        String address = addresses.get(absolute(question.getName().toString()));
        if (address == null) {
          response.getHeader().setRcode(Rcode.NXDOMAIN);
        } else if (question.getType() == Type.A) {
          response.addRecord(new ARecord(question.getName(), DClass.IN, 60, InetAddress.getByName(address)),
              Section.ANSWER);
        }
        byte[] wire = response.toWire();
        queries.incrementAndGet();
        socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
      } catch (IOException e) {
        // not a DNS query: no answer, like a real server
      }
    }
  }

  private static String absolute(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower : lower + ".";
  }

  @Override
  public void close() {
    socket.close();
  }
}
