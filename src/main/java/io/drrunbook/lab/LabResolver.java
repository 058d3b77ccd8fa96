package io.drrunbook.lab;

import io.drrunbook.lab.model.LabCommandException;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyException;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * How a simulated host resolves a name: an A query, over the network, at the topology's lab DNS
 * server (so a DNS fault reaches the simulated hosts as it would reach real ones).
 */
final class LabResolver {

  static final String DNS_SERVER = "lab-dns";

  private final Topology topology;

  LabResolver(Topology topology) {
    this.topology = topology;
  }

  /** The first A record's address, or null for NXDOMAIN; a failure is a {@link LabCommandException}. */
  String resolve(String name) {
    DnsServer server;
    try {
      server = topology.dnsServer(DNS_SERVER);
    } catch (TopologyException e) {
      throw new LabCommandException("no DNS server configured: " + e.getMessage());
    }
    String where = server.getAddress() + ":" + server.getPort();
    Message response;
    try {
      SimpleResolver resolver =
          new SimpleResolver(new InetSocketAddress(InetAddress.getByName(server.getAddress()), server.getPort()));
      resolver.setTimeout(server.getTimeout());
      Name query = Name.fromString(name, Name.root);
      response = resolver.send(Message.newQuery(Record.newRecord(query, Type.A, DClass.IN)));
    } catch (TextParseException e) {
      throw new LabCommandException("'" + name + "' is not a valid DNS name");
    } catch (IOException e) {
      throw new LabCommandException("DNS server " + where + " is unreachable ("
          + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName())
          + ")");
    }
    int rcode = response.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return null;
    }
    if (rcode != Rcode.NOERROR) {
      throw new LabCommandException("DNS server " + where + " answered " + Rcode.string(rcode)
          + " for " + name);
    }
    return response.getSection(Section.ANSWER).stream()
        .filter(ARecord.class::isInstance)
        .map(r -> ((ARecord) r).getAddress().getHostAddress())
        .findFirst()
        .orElse(null);
  }
}
