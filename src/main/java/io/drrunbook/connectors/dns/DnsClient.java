package io.drrunbook.connectors.dns;

import io.drrunbook.topology.TopologyProperties.DnsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * Sends queries and updates to one DNS server of the topology with dnsjava's {@link SimpleResolver}
 * (a new resolver per call: they are cheap and hold no connection). Queries go over UDP (TCP if the
 * answer is truncated), updates over TCP. Not answering in time is a {@link DnsException}; every
 * rcode is returned to the caller, which decides what it means.
 */
class DnsClient {

  /** The rcode and the A addresses of an answer, plus whether the server was authoritative. */
  record Answer(int rcode, List<String> addresses, boolean authoritative) {
    String rcodeName() {
      return Rcode.string(rcode);
    }
  }

  Answer queryA(String serverName, DnsServer server, Name name, Duration timeout) {
    Message query = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
    Message response = send(serverName, server, query, null, false, timeout);
    List<String> addresses = response.getSection(Section.ANSWER).stream()
        .filter(ARecord.class::isInstance)
        .map(r -> ((ARecord) r).getAddress().getHostAddress())
        .distinct()
        .sorted()
        .toList();
    return new Answer(response.getRcode(), addresses, response.getHeader().getFlag(Flags.AA));
  }

  /** Asks for the SOA of {@code zone}, signed with {@code key} if not null; the raw response. */
  Message querySoa(String serverName, DnsServer server, Name zone, TSIG key, Duration timeout) {
    Message query = Message.newQuery(Record.newRecord(zone, Type.SOA, DClass.IN));
    return send(serverName, server, query, key, false, timeout);
  }

  /** Sends a dynamic update signed with {@code key}; the raw response (rcode, TSIG state). */
  Message update(String serverName, DnsServer server, Message update, TSIG key, Duration timeout) {
    return send(serverName, server, update, key, true, timeout);
  }

  private static Message send(String serverName, DnsServer server, Message message, TSIG key,
      boolean tcp, Duration timeout) {
    SimpleResolver resolver = new SimpleResolver(socketAddress(serverName, server));
    resolver.setTCP(tcp);
    resolver.setTimeout(timeout);
    if (key != null) {
      resolver.setTSIGKey(key);
    }
    try {
      return resolver.send(message);
    } catch (IOException e) {
      throw new DnsException("DNS server " + serverName + " (" + server.getAddress() + ":"
          + server.getPort() + ") did not answer within " + timeout.toSeconds() + "s over "
          + (tcp ? "TCP" : "UDP") + ": " + e.getMessage(), e);
    }
  }

  private static InetSocketAddress socketAddress(String serverName, DnsServer server) {
    if (server.getAddress() == null || server.getAddress().isBlank()) {
      throw new DnsException("DNS server " + serverName + " has no address in the topology");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(server.getAddress()), server.getPort());
    } catch (UnknownHostException e) {
      throw new DnsException("cannot resolve the address of DNS server " + serverName + ": "
          + server.getAddress(), e);
    }
  }
}
