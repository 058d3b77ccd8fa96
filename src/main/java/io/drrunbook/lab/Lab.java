package io.drrunbook.lab;

import io.drrunbook.lab.dns.LabDns;
import io.drrunbook.lab.faults.LabFaults;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The drill lab as one thing: its whole state (simulated hosts, DNS zone, database access) for the
 * state view and the drill tests, and a reset that puts all of it back to the initial state (Site 1
 * live, Site 2 dormant, replication Site 1 -> Site 2, the master name on Site 1, no fault).
 */
@Component
@Profile("lab")
public class Lab {

  /** Everything the lab holds, at one moment. */
  public record View(LabState.Snapshot hosts, Map<String, List<String>> dns,
      Map<String, String> databaseAccess) {}

  private final LabState state;
  private final LabDns dns;
  private final LabDatabases databases;
  private final LabFaults faults;

  public Lab(LabState state, LabDns dns, LabDatabases databases, LabFaults faults) {
    this.state = state;
    this.dns = dns;
    this.databases = databases;
    this.faults = faults;
  }

  /** Removes every fault first (hosts and DNS server listen again), then resets the state. */
  public void reset() {
    faults.clear();
    state.reset();
    dns.reset();
    databases.reset();
  }

  public View view() {
    return new View(state.snapshot(), dns.aRecords(), databases.accessStates());
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
}
