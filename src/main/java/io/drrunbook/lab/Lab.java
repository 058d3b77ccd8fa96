package io.drrunbook.lab;

import io.drrunbook.lab.dns.LabDns;
import java.util.List;
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

  private final LabState state;
  private final LabDns dns;
  private final LabDatabases databases;
  private final LabViewBuilder views;

  public Lab(LabState state, LabDns dns, LabDatabases databases, LabViewBuilder views) {
    this.state = state;
    this.dns = dns;
    this.databases = databases;
    this.views = views;
  }

  public void reset() {
    state.reset();
    dns.reset();
    databases.reset();
  }

  /** Everything the lab holds, at one moment (the shape of {@code GET /lab/api/state}). */
  public LabView view() {
    // FAULTS: the one place the active faults enter the view; filled from the faults registry
    // (io.drrunbook.lab.faults.LabFaults#list()) once it exists, until then none
    List<?> faults = List.of();
    return views.build(state, dns.aRecords(), databases.accessStates(), faults);
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
