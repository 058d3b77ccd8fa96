package io.drrunbook.lab;

import io.drrunbook.lab.dns.LabDns;
import io.drrunbook.lab.faults.LabFaults;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The drill lab as one thing: its whole state (simulated hosts, DNS zone, database access) for the
 * state view and the drill tests, and a reset that puts all of it back to the initial state (Site 1
 * live, Site 2 dormant, replication Site 1 -> Site 2, the master name on Site 1, no fault, the
 * hosts' files as their roles give them).
 */
@Component
@Profile("lab")
public class Lab {

  private final LabState state;
  private final LabDns dns;
  private final LabDatabases databases;
  private final LabViewBuilder views;
  private final LabFaults faults;
  private final LabSites sites;
  private final LabFileSystems files;

  public Lab(LabState state, LabDns dns, LabDatabases databases, LabViewBuilder views, LabFaults faults,
      LabSites sites, LabFileSystems files) {
    this.state = state;
    this.files = files;
    this.dns = dns;
    this.databases = databases;
    this.views = views;
    this.faults = faults;
    this.sites = sites;
  }

  /**
   * Brings every lost site back and removes every fault first (hosts and DNS server listen again),
   * then resets the state.
   */
  public void reset() {
    sites.restoreAll();
    faults.clear();
    state.reset();
    dns.reset();
    databases.reset();
    files.reset();
  }

  /** Everything the lab holds, at one moment (the shape of {@code GET /lab/api/state}). */
  public LabView view() {
    Map<String, String> access = new LinkedHashMap<>();
    Map<String, Long> scns = new LinkedHashMap<>();
    databases.readings().forEach((name, reading) -> {
      access.put(name, reading.access());
      if (reading.currentScn() != null) {
        scns.put(name, reading.currentScn());
      }
    });
    return views.build(state, dns.aRecords(), access, scns, faults.list(), sites.lost());
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

  public LabFaults faults() {
    return faults;
  }

  public LabSites sites() {
    return sites;
  }
}
