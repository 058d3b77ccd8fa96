package io.drrunbook.lab;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The whole drill lab at one moment, as {@code GET /lab/api/state} returns it and the dashboard
 * ({@code /lab/}) shows it: the sites side by side, each host with its components and their states,
 * the last commands it received and its action counts; the databases per site; the DNS zone's A
 * records; the replication directions; the active faults. Built by {@link LabViewBuilder}, the one
 * place that maps the simulated systems to this shape.
 *
 * <p>{@code version} is a hash of everything but {@code takenAt}: it changes whenever anything in
 * the view changes, so a poller re-renders only then.
 */
public record LabView(Instant takenAt, long version, List<Site> sites, Dns dns,
                      List<Replication> replication, List<?> faults) {

  public LabView {
    sites = List.copyOf(sites);
    replication = List.copyOf(replication);
    faults = List.copyOf(faults);
  }

  /**
   * A site ({@code site1}) with its title from the topology, whether the lab has lost it
   * ({@code down}: since when and by whom, {@code null} while it is up), its simulated hosts and
   * databases.
   */
  public record Site(String id, String title, LabSites.SiteLoss down, List<Host> hosts,
                     List<Database> databases) {
    public Site {
      hosts = List.copyOf(hosts);
      databases = List.copyOf(databases);
    }
  }

  /**
   * A simulated host by logical name ({@code site1.cs-mgmt}), the role it plays, its address, the
   * components it runs, its last commands (newest LAST, at most {@link LabViewBuilder#LAST_COMMANDS})
   * and how often it executed each state-changing action.
   */
  public record Host(String name, String role, String address, List<Component> components,
                     List<Command> lastCommands, Map<String, Integer> actionCounts) {
    public Host {
      components = List.copyOf(components);
      lastCommands = List.copyOf(lastCommands);
    }
  }

  /**
   * Something a host runs, with its state ({@code RUNNING}, {@code STOPPED}, {@code normal}, ...) and
   * the console actions its model declares, as offered now (the dashboard's buttons; none: absent).
   */
  public record Component(String name, String title, String state, Map<String, String> attributes,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<LabConsoles.Offered> actions) {
    public Component {
      actions = actions == null ? List.of() : List.copyOf(actions);
    }

    public Component(String name, String title, String state, Map<String, String> attributes) {
      this(name, title, state, attributes, List.of());
    }
  }

  /** A command line a host received and its exit code. */
  public record Command(Instant time, String command, int exitCode) {}

  /**
   * A database: {@code PRIMARY} while its schema account is {@code OPEN}, {@code LOST} (access too)
   * while its site is down, else {@code STANDBY}; {@code currentScn} the SCN an Info Mart database
   * answers now ({@code V$DATABASE.CURRENT_SCN}; absent for other databases and a lost one): what a
   * person exporting it now gives as the export SCN (B2's "Copy the Info Mart database").
   */
  public record Database(String name, String role, String access,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long currentScn) {}

  /** The lab DNS zone's A records: absolute name to addresses. */
  public record Dns(Map<String, List<String>> records) {}

  /** A replication direction ({@code site1-to-site2}) and what its status command reports. */
  public record Replication(String direction, String from, String to, String status, long lagSeconds) {}
}
