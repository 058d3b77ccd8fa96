package io.drrunbook.lab;

import io.drrunbook.lab.dns.LabDns;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The drill lab as one thing: its whole state (simulated hosts, DNS zone, database access) for the
 * state view and the drill tests, and a reset that puts all of it back to the initial state (Site 1
 * live, Site 2 dormant, replication Site 1 -> Site 2, the master name on Site 1).
 */
@Component
@Profile("lab")
public class Lab {

  /** Everything the lab holds, at one moment. */
  public record View(Map<String, List<LabState.ComponentView>> hosts, Map<String, List<String>> dns,
      Map<String, String> databaseAccess) {}

  private final LabState state;
  private final LabDns dns;
  private final LabDatabases databases;

  public Lab(LabState state, LabDns dns, LabDatabases databases) {
    this.state = state;
    this.dns = dns;
    this.databases = databases;
  }

  public void reset() {
    state.reset();
    dns.reset();
    databases.reset();
  }

  public View view() {
    Map<String, List<LabState.ComponentView>> hosts = new java.util.LinkedHashMap<>();
    state.hosts().forEach(host -> hosts.put(host, state.components(host)));
    return new View(hosts, dns.aRecords(), databases.accessStates());
  }

  public LabState state() {
    return state;
  }

  public LabDns dns() {
    return dns;
  }

  public LabDatabases databases() {
    return databases;
  }
}
