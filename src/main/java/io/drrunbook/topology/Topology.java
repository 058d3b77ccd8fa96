package io.drrunbook.topology;

import io.drrunbook.topology.TopologyProperties.Database;
import io.drrunbook.topology.TopologyProperties.DnsRecord;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import io.drrunbook.topology.TopologyProperties.Endpoint;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.Site;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.stereotype.Component;

/**
 * Resolves logical names used in process models to the systems they stand for. Host, database and
 * endpoint names are {@code <site>.<name>} ({@code site2.cs-master}); DNS servers, DNS records and
 * groups have flat names. An unknown name is a {@link TopologyException} naming what was asked for
 * and what exists.
 */
@Component
public class Topology {

  private final TopologyProperties properties;

  public Topology(TopologyProperties properties) {
    this.properties = properties;
  }

  public Host host(String logicalName) {
    return siteScoped(logicalName, "host", Site::getHosts);
  }

  public Database database(String logicalName) {
    return siteScoped(logicalName, "database", Site::getDatabases);
  }

  public Endpoint endpoint(String logicalName) {
    return siteScoped(logicalName, "endpoint", Site::getEndpoints);
  }

  public DnsServer dnsServer(String name) {
    return named(properties.getDnsServers(), name, "DNS server");
  }

  public DnsRecord dnsRecord(String name) {
    return named(properties.getDnsRecords(), name, "DNS record");
  }

  /** The members of a host group, each a logical host name; every member must be a defined host. */
  public List<String> group(String name) {
    List<String> members = named(properties.getGroups(), name, "host group");
    members.forEach(this::host);
    return List.copyOf(members);
  }

  public String knownHostsFile() {
    return properties.getSsh().getKnownHosts();
  }

  public TopologyProperties properties() {
    return properties;
  }

  private <T> T siteScoped(String logicalName, String kind, Function<Site, Map<String, T>> part) {
    if (logicalName == null || !logicalName.contains(".")) {
      throw new TopologyException(
          "a " + kind + " is named <site>.<name>, got '" + logicalName + "'");
    }
    int dot = logicalName.indexOf('.');
    String siteId = logicalName.substring(0, dot);
    Site site = named(properties.getSites(), siteId, "site");
    return named(part.apply(site), logicalName.substring(dot + 1), kind + " of site " + siteId);
  }

  private static <T> T named(Map<String, T> map, String name, String kind) {
    T value = map.get(name);
    if (value == null) {
      throw new TopologyException(
          "unknown " + kind + " '" + name + "' (the topology defines " + map.keySet() + ")");
    }
    return value;
  }
}
