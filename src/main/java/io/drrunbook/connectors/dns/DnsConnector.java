package io.drrunbook.connectors.dns;

import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepInputs;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.StepPlanner;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyException;
import io.drrunbook.topology.TopologyProperties.DnsRecord;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * The DNS connector behind the routes {@code dns-switch-a-record} (A1 step 6, switch the master
 * Configuration Server's name to Site 2) and {@code dns-resolve} (checks of what a name resolves to).
 * Records, servers and hosts are logical names of the topology; the TSIG secret is a reference
 * resolved only when an update is sent.
 *
 * <p>{@link #switchARecord}: check (query) -> act (RFC 2136 update, TSIG-signed, with the checked
 * RRset as prerequisite) -> verify (query). {@link #resolve}: one query, compared with an expected
 * address if the step gives one.
 */
@Component
public class DnsConnector implements StepPlanner {

  static final String DR_VERIFY_FAILED = "DR_VERIFY_FAILED";
  static final String DR_DNS_MISMATCH = "DR_DNS_MISMATCH";

  private static final Logger log = LoggerFactory.getLogger(DnsConnector.class);

  private final Topology topology;
  private final SecretResolver secrets;
  private final DnsClient client;

  @Autowired
  public DnsConnector(Topology topology, SecretResolver secrets) {
    this(topology, secrets, new DnsClient());
  }

  DnsConnector(Topology topology, SecretResolver secrets, DnsClient client) {
    this.topology = topology;
    this.secrets = secrets;
    this.client = client;
  }

  /**
   * Points the A record {@code record} (logical DNS record) at the address of {@code targetHost}
   * (logical host). Out: {@code record} (fqdn), {@code previousAddresses}, {@code address},
   * {@code changed}, {@code rcode}. Verification failure: DR_VERIFY_FAILED.
   */
  public Map<String, Object> switchARecord(Map<String, Object> body) {
    StepInputs inputs = new StepInputs(body);
    String recordName = inputs.required("record");
    String targetHost = inputs.required("targetHost");
    DnsRecord record = topology.dnsRecord(recordName);
    String serverName = record.getServer();
    DnsServer server = topology.dnsServer(serverName);
    Name name = absoluteName(record.getName(), "name of DNS record " + recordName);
    Name zone = absoluteName(record.getZone(), "zone of DNS record " + recordName);
    if (!name.subdomain(zone)) {
      throw new TopologyException("DNS record " + recordName + ": " + name + " is not in zone "
          + zone);
    }
    String targetAddress = hostAddress(targetHost);
    Duration timeout = inputs.timeout(server.getTimeout());

    // check
    DnsClient.Answer before = queryOrFail(serverName, server, name, timeout);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("record", name.toString());
    result.put("previousAddresses", before.addresses());
    result.put("address", targetAddress);
    if (before.addresses().equals(List.of(targetAddress))) {
      log.info("DNS {} already points to {} on {}: nothing to change", name, targetAddress,
          serverName);
      result.put("changed", false);
      result.put("rcode", before.rcodeName());
      return result;
    }

    // act
    Update update = new Update(zone);
    if (before.addresses().isEmpty()) {
      update.absent(name, Type.A);
    } else {
      for (String address : before.addresses()) {
        update.present(new ARecord(name, DClass.IN, 0, ipv4(address, "current address")));
      }
    }
    update.replace(new ARecord(name, DClass.IN, record.getTtl(), ipv4(targetAddress, targetHost)));
    TSIG key = tsigKey(serverName, server);
    log.info("DNS update on {}: {} A {} -> {}", serverName, name, before.addresses(),
        targetAddress);
    Message response = client.update(serverName, server, update, key, timeout);
    failUnlessApplied(serverName, server, name, before, response);

    // verify
    DnsClient.Answer after = queryOrFail(serverName, server, name, timeout);
    result.put("changed", true);
    result.put("rcode", Rcode.string(response.getRcode()));
    if (!after.addresses().equals(List.of(targetAddress))) {
      Map<String, Object> seen = new LinkedHashMap<>(result);
      seen.put("addresses", after.addresses());
      throw new StepBusinessException(DR_VERIFY_FAILED, "after the update, DNS server "
          + serverName + " answers " + after.addresses() + " for " + name + " instead of ["
          + targetAddress + "]", seen);
    }
    return result;
  }

  /**
   * Asks a DNS server what {@code record} (logical) or {@code name} (fqdn) resolves to, optionally
   * on {@code server} (logical; default: the record's server) and compared with {@code expectHost}
   * (logical host) or {@code expectAddress}. Out: {@code name}, {@code addresses}, {@code rcode}.
   * A differing answer: DR_DNS_MISMATCH.
   */
  public Map<String, Object> resolve(Map<String, Object> body) {
    StepInputs inputs = new StepInputs(body);
    String recordName = inputs.optional("record", null);
    String fqdn = inputs.optional("name", null);
    String serverName = inputs.optional("server", null);
    Name name;
    if (recordName != null) {
      DnsRecord record = topology.dnsRecord(recordName);
      name = absoluteName(record.getName(), "name of DNS record " + recordName);
      if (serverName == null) {
        serverName = record.getServer();
      }
    } else if (fqdn != null) {
      name = absoluteName(fqdn, "input name");
      if (serverName == null) {
        serverName = defaultServerFor(name);
      }
    } else {
      throw new IllegalArgumentException("the step has neither input 'record' nor input 'name'");
    }
    DnsServer server = topology.dnsServer(serverName);
    String expectHost = inputs.optional("expectHost", null);
    String expected = expectHost != null ? hostAddress(expectHost)
        : inputs.optional("expectAddress", null);

    DnsClient.Answer answer = queryOrFail(serverName, server, name,
        inputs.timeout(server.getTimeout()));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("name", name.toString());
    result.put("addresses", answer.addresses());
    result.put("rcode", answer.rcodeName());
    if (expected != null) {
      String expectedAddress = ipv4(expected, "expected address").getHostAddress();
      result.put("expectedAddress", expectedAddress);
      if (!answer.addresses().equals(List.of(expectedAddress))) {
        throw new StepBusinessException(DR_DNS_MISMATCH, "DNS server " + serverName + " answers "
            + (answer.addresses().isEmpty() ? answer.rcodeName() : answer.addresses()) + " for "
            + name + ", expected [" + expectedAddress + "]", result);
      }
    }
    return result;
  }

  // ---------------------------------------------------------------- dry-run

  @Override
  public Set<String> plannedRoutes() {
    return Set.of("dns-switch-a-record", "dns-resolve");
  }

  /** The DNS query and update the step would send, checked against the topology. Nothing is sent. */
  @Override
  public StepPlan plan(String route, Map<String, Object> body) {
    StepInputs inputs = new StepInputs(body);
    Map<String, Object> result = new LinkedHashMap<>();
    List<String> actions = new ArrayList<>();
    String serverName;
    if ("dns-switch-a-record".equals(route)) {
      String recordName = inputs.required("record");
      String targetHost = inputs.required("targetHost");
      DnsRecord record = topology.dnsRecord(recordName);
      serverName = record.getServer();
      DnsServer server = topology.dnsServer(serverName);
      Name name = absoluteName(record.getName(), "name of DNS record " + recordName);
      Name zone = absoluteName(record.getZone(), "zone of DNS record " + recordName);
      String targetAddress = ipv4(hostAddress(targetHost), targetHost).getHostAddress();
      String on = "dns " + serverName + " (" + server.getAddress() + ":" + server.getPort() + ") ";
      actions.add(on + "check: query " + name + " A");
      actions.add(on + "update zone " + zone + (server.getTsigKeyName() == null ? " (unsigned)"
          : " (TSIG key " + server.getTsigKeyName() + ", " + server.getTsigAlgorithm() + ")")
          + ": prerequisite " + name + " A = the addresses found by the check; replace with " + name
          + " " + record.getTtl() + " IN A " + targetAddress + " (" + targetHost + ")");
      actions.add(on + "verify: query " + name + " A   (must answer [" + targetAddress + "])");
      result.put("record", name.toString());
      result.put("previousAddresses", List.of());
      result.put("address", targetAddress);
      result.put("changed", true);
      result.put("rcode", "NOERROR");
    } else {
      String recordName = inputs.optional("record", null);
      Name name = recordName != null
          ? absoluteName(topology.dnsRecord(recordName).getName(), "name of DNS record " + recordName)
          : absoluteName(inputs.required("name"), "input name");
      serverName = inputs.optional("server",
          recordName != null ? topology.dnsRecord(recordName).getServer() : defaultServerFor(name));
      DnsServer server = topology.dnsServer(serverName);
      String expectHost = inputs.optional("expectHost", null);
      String expected = expectHost != null ? hostAddress(expectHost) : inputs.optional("expectAddress", null);
      String expectedAddress = expected == null ? null : ipv4(expected, "expected address").getHostAddress();
      actions.add("dns " + serverName + " (" + server.getAddress() + ":" + server.getPort() + ") query "
          + name + " A" + (expectedAddress == null ? "" : "   (must answer [" + expectedAddress + "])"));
      result.put("name", name.toString());
      result.put("addresses", expectedAddress == null ? List.of() : List.of(expectedAddress));
      result.put("rcode", "NOERROR");
      if (expectedAddress != null) {
        result.put("expectedAddress", expectedAddress);
      }
    }
    return new StepPlan(actions, List.of(new StepPlan.Target(TargetKind.DNS_SERVER, serverName)), result);
  }

  /**
   * Asks DNS server {@code serverName} for the SOA of {@code zone}, read-only, signed with the
   * server's TSIG key when the topology gives it one (so that a wrong key is answered NOTAUTH).
   * Used by the prechecks; the raw response (rcode, answer, TSIG state) is the caller's to judge.
   * No answer within {@code timeout} is a {@link DnsException}.
   */
  public Message querySoa(String serverName, String zone, Duration timeout) {
    DnsServer server = topology.dnsServer(serverName);
    TSIG key = server.getTsigKeyName() == null || server.getTsigSecret() == null ? null
        : tsigKey(serverName, server);
    return client.querySoa(serverName, server, absoluteName(zone, "zone " + zone), key, timeout);
  }

  // ---------------------------------------------------------------- helpers

  /** A query whose rcode is NOERROR or NXDOMAIN; anything else is a technical failure. */
  private DnsClient.Answer queryOrFail(String serverName, DnsServer server, Name name,
      Duration timeout) {
    DnsClient.Answer answer = client.queryA(serverName, server, name, timeout);
    if (answer.rcode() != Rcode.NOERROR && answer.rcode() != Rcode.NXDOMAIN) {
      throw new DnsException("DNS server " + serverName + " answered " + answer.rcodeName()
          + " to the query for " + name + "/A");
    }
    if (answer.rcode() == Rcode.NXDOMAIN) {
      return new DnsClient.Answer(answer.rcode(), List.of(), answer.authoritative());
    }
    if (!answer.authoritative()) {
      log.warn("DNS server {} is not authoritative for {}; its answer may come from a cache",
          serverName, name);
    }
    return answer;
  }

  private static void failUnlessApplied(String serverName, DnsServer server, Name name,
      DnsClient.Answer before, Message response) {
    int rcode = response.getRcode();
    String what = "the update of " + name + " on DNS server " + serverName;
    if (rcode == Rcode.NXRRSET || rcode == Rcode.YXRRSET) {
      throw new DnsException("the A record " + name + " changed on DNS server " + serverName
          + " between check and update (it no longer is " + before.addresses() + ", answer "
          + Rcode.string(rcode) + "); the step will be retried and check again");
    }
    if (rcode != Rcode.NOERROR) {
      TSIGRecord tsig = response.getTSIG();
      StringBuilder message = new StringBuilder("DNS server ").append(serverName)
          .append(" refused the update of ").append(name).append(": ")
          .append(Rcode.string(rcode));
      if (tsig != null && tsig.getError() != Rcode.NOERROR) {
        message.append(" (TSIG ").append(Rcode.TSIGstring(tsig.getError())).append(')');
      }
      if (rcode == Rcode.NOTAUTH && tsig != null && tsig.getError() != Rcode.NOERROR) {
        message.append(" — check the TSIG key ").append(server.getTsigKeyName())
            .append(" (name, algorithm and secret of dns-servers.").append(serverName)
            .append(')');
      } else if (rcode == Rcode.REFUSED) {
        message.append(" — the server does not accept this update (update policy for key ")
            .append(server.getTsigKeyName()).append(", or updates switched off)");
      } else if (rcode == Rcode.NOTAUTH) {
        message.append(" — the server is not authoritative for the record's zone");
      }
      throw new DnsException(message.toString());
    }
    if (!response.isVerified()) {
      throw new DnsException(what + " was answered NOERROR, but the answer is not signed with key "
          + server.getTsigKeyName() + "; it cannot be trusted (the step will be retried and "
          + "check the record again)");
    }
  }

  private TSIG tsigKey(String serverName, DnsServer server) {
    if (server.getTsigKeyName() == null || server.getTsigSecret() == null) {
      throw new TopologyException("DNS server " + serverName
          + " has no TSIG key (tsig-key-name and tsig-secret): dynamic updates need one");
    }
    return TsigKeys.of(server.getTsigKeyName(), server.getTsigAlgorithm(),
        secrets.resolve(server.getTsigSecret()));
  }

  /** The server of the topology's record named {@code name}, or the only DNS server there is. */
  private String defaultServerFor(Name name) {
    Map<String, DnsRecord> records = topology.properties().getDnsRecords();
    for (DnsRecord record : records.values()) {
      if (record.getName() != null && record.getServer() != null
          && absoluteName(record.getName(), "DNS record name").equals(name)) {
        return record.getServer();
      }
    }
    List<String> servers = new ArrayList<>(topology.properties().getDnsServers().keySet());
    if (servers.size() == 1) {
      return servers.get(0);
    }
    throw new IllegalArgumentException("the step names " + name
        + " but no input 'server', and the topology has DNS servers " + servers);
  }

  private String hostAddress(String logicalHost) {
    String address = topology.host(logicalHost).getAddress();
    if (address == null || address.isBlank()) {
      throw new TopologyException("host " + logicalHost + " has no address in the topology");
    }
    return ipv4(address, "address of host " + logicalHost).getHostAddress();
  }

  private static InetAddress ipv4(String address, String what) {
    try {
      return Address.getByAddress(address.strip(), Address.IPv4);
    } catch (UnknownHostException e) {
      throw new TopologyException(what + " is not an IPv4 address: '" + address + "'", e);
    }
  }

  private static Name absoluteName(String text, String what) {
    if (text == null || text.isBlank()) {
      throw new TopologyException("the " + what + " is missing");
    }
    try {
      return Name.fromString(text.strip(), Name.root);
    } catch (TextParseException e) {
      throw new TopologyException("the " + what + " is not a valid DNS name: '" + text + "'", e);
    }
  }
}
