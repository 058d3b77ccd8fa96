package io.drrunbook.lab;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.drrunbook.topology.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The simulated systems of the drill lab and what they were asked to do: Genesys applications on the
 * management hosts, GoldenGate replication between the sites, the Configuration Server Proxies' view
 * of the master, and per host the last commands received and a count of state-changing actions.
 *
 * <p>Thread-safe (one lock); every change is written to {@link LabProperties#stateFile()} as JSON
 * before the method returns, and the file is read back at start-up unless
 * {@link LabProperties#isResetOnStart()}. The initial state is the lab before a failover: the first
 * site of the topology is the main site (its applications RUNNING, its replication to the other sites
 * RUNNING, every proxy connected to its management host), every other site is dormant.
 *
 * <p>Used by {@link LabShell} (the commands of the simulated hosts), the lab state REST view and the
 * drill tests, which assert the state the sites end in.
 */
@Component
@Profile("lab")
public class LabState {

  public static final String ROLE_GENESYS_MGMT = "genesys-mgmt";
  public static final String ROLE_GOLDENGATE = "goldengate";
  public static final String ROLE_CS_PROXY = "cs-proxy";

  /** The master Configuration Server pair: a proxy can only connect where this one runs. */
  public static final String CONFIG_SERVER_APP = "confserv-master-pair";
  /** The applications of a management host, in display order. */
  public static final List<String> APPS =
      List.of(CONFIG_SERVER_APP, "scs-master", "msgserver-scs-distributed");
  /** The name every proxy resolves to find the master Configuration Server (the cs-master A record). */
  public static final String MASTER_NAME = "cs-master.genesys.lab";
  /** What {@link ProxyState#connectedTo()} holds while a proxy has no master connection. */
  public static final String NOT_CONNECTED = "none";
  /** How many received commands each host remembers. */
  public static final int COMMAND_LOG_SIZE = 50;

  private static final Logger log = LoggerFactory.getLogger(LabState.class);

  public enum RunState { RUNNING, STOPPED }

  public enum ProxyMode {
    NORMAL, LIMITED;

    /** As {@code cs-proxy-ctl status} prints it and as it is stored: {@code normal}, {@code limited}. */
    @JsonValue
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One replication direction ({@code site1-to-site2}); its replicats run on {@code host} (the
   * GoldenGate host of the target site).
   */
  public record Replication(String direction, RunState status, String host, List<String> replicats,
                            long lagSeconds, Instant lastStarted) {
    public Replication {
      replicats = List.copyOf(replicats);
    }
  }

  /** A Configuration Server Proxy: its mode, its master's name, what its resolver cache holds, where it is connected. */
  public record ProxyState(ProxyMode mode, String master, String cachedAddress, String connectedTo) {}

  /** A command line a host received, and its exit code. */
  public record CommandRecord(Instant time, String command, int exitCode) {}

  /** One host as shown side by side; parts that do not apply to its role are null (omitted in JSON). */
  public record HostView(String role, String address, Map<String, RunState> apps,
                         List<Replication> replication, ProxyState proxy,
                         List<CommandRecord> lastCommands, Map<String, Integer> actionCounts) {}

  public record SiteView(String title, Map<String, HostView> hosts) {}

  /** An immutable view of the whole lab, by site and logical host name. */
  public record Snapshot(Instant takenAt, Map<String, SiteView> sites) {}

  /** The file format. */
  record Persisted(Map<String, Map<String, RunState>> apps, Map<String, Replication> replication,
                   Map<String, ProxyState> proxies, Map<String, List<CommandRecord>> commandLog,
                   Map<String, Map<String, Integer>> actionCounts) {}

  private final LabProperties properties;
  private final Topology topology;
  private final Clock clock;
  private final ObjectMapper mapper;
  private final Map<String, String> roles;

  private final Map<String, Map<String, RunState>> apps = new LinkedHashMap<>();
  private final Map<String, Replication> replication = new LinkedHashMap<>();
  private final Map<String, ProxyState> proxies = new LinkedHashMap<>();
  private final Map<String, Deque<CommandRecord>> commandLog = new LinkedHashMap<>();
  private final Map<String, Map<String, Integer>> actionCounts = new LinkedHashMap<>();

  @Autowired
  public LabState(LabProperties properties, Topology topology) {
    this(properties, topology, Clock.systemDefaultZone());
  }

  LabState(LabProperties properties, Topology topology, Clock clock) {
    this.properties = properties;
    this.topology = topology;
    this.clock = clock;
    this.mapper = JsonMapper.builder()
        .findAndAddModules()
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .build();
    this.roles = new LinkedHashMap<>(properties.getRoles());
    roles.keySet().forEach(topology::host);
    synchronized (this) {
      initialise();
      Path file = properties.stateFile();
      if (!properties.isResetOnStart() && Files.exists(file)) {
        load(file);
      } else {
        log.info("Lab state starts from the initial state (before a failover)");
      }
      persist();
    }
  }

  /** The time zone the lab's scripts print times in. */
  ZoneId zone() {
    return clock.getZone();
  }

  // ---------------------------------------------------------------- hosts

  /** The simulated hosts (logical names), in configuration order. */
  public List<String> hosts() {
    return List.copyOf(roles.keySet());
  }

  /** The role a simulated host plays; an unknown host is an {@link IllegalArgumentException}. */
  public String role(String host) {
    String role = roles.get(host);
    if (role == null) {
      throw new IllegalArgumentException("no simulated host '" + host + "' (the lab has " + roles.keySet() + ")");
    }
    return role;
  }

  // ---------------------------------------------------------------- Genesys applications

  /** The applications of a management host (empty for other roles). */
  public synchronized List<String> apps(String host) {
    role(host);
    Map<String, RunState> hostApps = apps.get(host);
    return hostApps == null ? List.of() : List.copyOf(hostApps.keySet());
  }

  public synchronized RunState appState(String host, String app) {
    return hostApps(host, app).get(app);
  }

  /**
   * Sets an application's state and returns the previous one. Stopping the master Configuration
   * Server pair drops the proxies connected to its host into limited mode; starting it reconnects the
   * proxies whose cached master address is its host (as a real proxy retries its master).
   */
  public synchronized RunState setAppState(String host, String app, RunState newState) {
    Map<String, RunState> hostApps = hostApps(host, app);
    RunState previous = hostApps.put(app, Objects.requireNonNull(newState));
    if (previous != newState && CONFIG_SERVER_APP.equals(app)) {
      String address = topology.host(host).getAddress();
      proxies.replaceAll((proxyHost, proxy) -> {
        if (newState == RunState.STOPPED && address.equals(proxy.connectedTo())) {
          return new ProxyState(ProxyMode.LIMITED, proxy.master(), proxy.cachedAddress(), NOT_CONNECTED);
        }
        if (newState == RunState.RUNNING && NOT_CONNECTED.equals(proxy.connectedTo())
            && address.equals(proxy.cachedAddress())) {
          return new ProxyState(ProxyMode.NORMAL, proxy.master(), proxy.cachedAddress(), address);
        }
        return proxy;
      });
    }
    persist();
    return previous;
  }

  // ---------------------------------------------------------------- replication

  /** The replication directions, e.g. {@code site1-to-site2}. */
  public synchronized List<String> directions() {
    return List.copyOf(replication.keySet());
  }

  public synchronized Replication replication(String direction) {
    Replication r = replication.get(direction);
    if (r == null) {
      throw new IllegalArgumentException("no replication '" + direction + "' (the lab has " + replication.keySet() + ")");
    }
    return r;
  }

  /** The directions whose replicats run on a host. */
  public synchronized List<Replication> replicationsOn(String host) {
    return replication.values().stream().filter(r -> r.host().equals(host)).toList();
  }

  /** Starts or stops a direction's replicats and returns the previous state; a start restarts the lag at 0. */
  public synchronized Replication setReplicationState(String direction, RunState newState) {
    Replication previous = replication(direction);
    Replication next = newState == RunState.RUNNING && previous.status() != RunState.RUNNING
        ? new Replication(direction, newState, previous.host(), previous.replicats(), 0, clock.instant())
        : new Replication(direction, newState, previous.host(), previous.replicats(),
            previous.lagSeconds(), previous.lastStarted());
    replication.put(direction, next);
    persist();
    return previous;
  }

  /** Sets the lag a direction reports, for rehearsing a lagging replication. */
  public synchronized void setReplicationLag(String direction, long lagSeconds) {
    Replication r = replication(direction);
    replication.put(direction, new Replication(direction, r.status(), r.host(), r.replicats(), lagSeconds, r.lastStarted()));
    persist();
  }

  // ---------------------------------------------------------------- Configuration Server Proxies

  public synchronized ProxyState proxy(String host) {
    ProxyState proxy = proxies.get(host);
    if (proxy == null) {
      throw new IllegalArgumentException("'" + host + "' is not a simulated cs-proxy host");
    }
    return proxy;
  }

  /**
   * A proxy's resolver cache now holds {@code resolvedAddress} for its master name (null: the name did
   * not resolve) and the proxy reconnects: to that address if a management host there runs the master
   * Configuration Server pair (mode normal), else to nothing (mode limited). Returns the new state.
   */
  public synchronized ProxyState switchProxy(String host, String resolvedAddress) {
    ProxyState before = proxy(host);
    boolean masterThere = resolvedAddress != null && roles.entrySet().stream()
        .filter(e -> ROLE_GENESYS_MGMT.equals(e.getValue()))
        .map(Map.Entry::getKey)
        .anyMatch(mgmt -> resolvedAddress.equals(topology.host(mgmt).getAddress())
            && apps.get(mgmt).get(CONFIG_SERVER_APP) == RunState.RUNNING);
    ProxyState after = masterThere
        ? new ProxyState(ProxyMode.NORMAL, before.master(), resolvedAddress, resolvedAddress)
        : new ProxyState(ProxyMode.LIMITED, before.master(), resolvedAddress, NOT_CONNECTED);
    proxies.put(host, after);
    persist();
    return after;
  }

  // ---------------------------------------------------------------- command log and action counts

  /**
   * Records a command a host received. {@code countedAction} names the state-changing action it was
   * (e.g. {@code genesys-ctl start confserv-master-pair}), or is null for reads and rejected commands.
   */
  public synchronized void recordCommand(String host, String commandLine, int exitCode, String countedAction) {
    role(host);
    Deque<CommandRecord> commands = commandLog.computeIfAbsent(host, h -> new ArrayDeque<>());
    commands.addLast(new CommandRecord(clock.instant(), commandLine, exitCode));
    while (commands.size() > COMMAND_LOG_SIZE) {
      commands.removeFirst();
    }
    if (countedAction != null) {
      actionCounts.computeIfAbsent(host, h -> new LinkedHashMap<>()).merge(countedAction, 1, Integer::sum);
    }
    persist();
  }

  /** The last commands a host received, oldest first (at most {@link #COMMAND_LOG_SIZE}). */
  public synchronized List<CommandRecord> commandLog(String host) {
    role(host);
    return List.copyOf(commandLog.getOrDefault(host, new ArrayDeque<>()));
  }

  /** How often a host executed a state-changing action, e.g. {@code genesys-ctl start confserv-master-pair}. */
  public synchronized int actionCount(String host, String commandName) {
    role(host);
    return actionCounts.getOrDefault(host, Map.of()).getOrDefault(commandName, 0);
  }

  // ---------------------------------------------------------------- whole lab

  /** Puts the lab back to its initial state (before a failover), forgetting commands and counts. */
  public synchronized void reset() {
    initialise();
    persist();
    log.info("Lab state reset to the initial state");
  }

  public synchronized Snapshot snapshot() {
    Map<String, SiteView> sites = new LinkedHashMap<>();
    topology.properties().getSites().forEach((siteId, site) -> {
      Map<String, HostView> hosts = new LinkedHashMap<>();
      roles.forEach((host, role) -> {
        if (siteOf(host).equals(siteId)) {
          hosts.put(host, hostView(host, role));
        }
      });
      if (!hosts.isEmpty()) {
        sites.put(siteId, new SiteView(site.getTitle(), unmodifiable(hosts)));
      }
    });
    return new Snapshot(clock.instant(), unmodifiable(sites));
  }

  private HostView hostView(String host, String role) {
    Map<String, RunState> hostApps = apps.containsKey(host) ? unmodifiable(apps.get(host)) : null;
    List<Replication> hostReplication = ROLE_GOLDENGATE.equals(role) ? replicationsOn(host) : null;
    return new HostView(role, topology.host(host).getAddress(), hostApps, hostReplication,
        proxies.get(host), commandLog(host), unmodifiable(actionCounts.getOrDefault(host, Map.of())));
  }

  // ---------------------------------------------------------------- initial state and persistence

  private void initialise() {
    apps.clear();
    replication.clear();
    proxies.clear();
    commandLog.clear();
    actionCounts.clear();
    List<String> siteIds = new ArrayList<>(topology.properties().getSites().keySet());
    String mainSite = siteIds.isEmpty() ? null : siteIds.get(0);
    String mainMaster = null;
    for (Map.Entry<String, String> e : roles.entrySet()) {
      String host = e.getKey();
      if (ROLE_GENESYS_MGMT.equals(e.getValue())) {
        RunState initial = siteOf(host).equals(mainSite) ? RunState.RUNNING : RunState.STOPPED;
        Map<String, RunState> hostApps = new LinkedHashMap<>();
        APPS.forEach(app -> hostApps.put(app, initial));
        apps.put(host, hostApps);
        if (initial == RunState.RUNNING && mainMaster == null) {
          mainMaster = topology.host(host).getAddress();
        }
      }
    }
    Instant now = clock.instant();
    for (int from = 0; from < siteIds.size(); from++) {
      for (int to = 0; to < siteIds.size(); to++) {
        String target = goldenGateHostOf(siteIds.get(to));
        if (from == to || target == null) {
          continue;
        }
        String direction = siteIds.get(from) + "-to-" + siteIds.get(to);
        String suffix = String.valueOf(from + 1) + (to + 1);
        RunState status = from == 0 ? RunState.RUNNING : RunState.STOPPED;
        replication.put(direction, new Replication(direction, status, target,
            List.of("RCFG" + suffix, "RLOG" + suffix), 0, now));
      }
    }
    for (Map.Entry<String, String> e : roles.entrySet()) {
      if (ROLE_CS_PROXY.equals(e.getValue())) {
        proxies.put(e.getKey(), mainMaster != null
            ? new ProxyState(ProxyMode.NORMAL, MASTER_NAME, mainMaster, mainMaster)
            : new ProxyState(ProxyMode.LIMITED, MASTER_NAME, null, NOT_CONNECTED));
      }
    }
  }

  private String goldenGateHostOf(String siteId) {
    return roles.entrySet().stream()
        .filter(e -> ROLE_GOLDENGATE.equals(e.getValue()) && siteOf(e.getKey()).equals(siteId))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(null);
  }

  /** Takes from the file what still fits the configured lab; hosts or directions no longer configured are dropped. */
  private void load(Path file) {
    Persisted saved;
    try {
      saved = mapper.readValue(file.toFile(), Persisted.class);
    } catch (IOException e) {
      log.warn("Lab state file {} is unreadable ({}); starting from the initial state", file, e.getMessage());
      return;
    }
    if (saved.apps() != null) {
      apps.forEach((host, hostApps) -> {
        Map<String, RunState> savedApps = saved.apps().getOrDefault(host, Map.of());
        hostApps.replaceAll((app, state) -> savedApps.getOrDefault(app, state));
      });
    }
    if (saved.replication() != null) {
      replication.replaceAll((direction, initial) -> {
        Replication s = saved.replication().get(direction);
        return s == null || s.status() == null ? initial
            : new Replication(direction, s.status(), initial.host(), initial.replicats(), s.lagSeconds(),
                s.lastStarted() != null ? s.lastStarted() : initial.lastStarted());
      });
    }
    if (saved.proxies() != null) {
      proxies.replaceAll((host, initial) -> {
        ProxyState s = saved.proxies().get(host);
        return s == null || s.mode() == null ? initial : s;
      });
    }
    if (saved.commandLog() != null) {
      saved.commandLog().forEach((host, commands) -> {
        if (roles.containsKey(host) && commands != null) {
          Deque<CommandRecord> deque = new ArrayDeque<>(commands);
          while (deque.size() > COMMAND_LOG_SIZE) {
            deque.removeFirst();
          }
          commandLog.put(host, deque);
        }
      });
    }
    if (saved.actionCounts() != null) {
      saved.actionCounts().forEach((host, counts) -> {
        if (roles.containsKey(host) && counts != null) {
          actionCounts.put(host, new LinkedHashMap<>(counts));
        }
      });
    }
    log.info("Lab state resumed from {}", file);
  }

  /** Writes the state to a temporary file and moves it over the state file, so a crash never leaves half a file. */
  private void persist() {
    Map<String, List<CommandRecord>> commands = new LinkedHashMap<>();
    commandLog.forEach((host, deque) -> commands.put(host, List.copyOf(deque)));
    Persisted state = new Persisted(apps, replication, proxies, commands, actionCounts);
    Path file = properties.stateFile().toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
      // a temporary file of its own per write: two lab instances over one folder never collide
      Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), "state", ".json.tmp");
      mapper.writeValue(temporary.toFile(), state);
      try {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the lab state to " + file, e);
    }
  }

  private Map<String, RunState> hostApps(String host, String app) {
    role(host);
    Map<String, RunState> hostApps = apps.get(host);
    if (hostApps == null) {
      throw new IllegalArgumentException("'" + host + "' is not a simulated " + ROLE_GENESYS_MGMT + " host");
    }
    if (!hostApps.containsKey(app)) {
      throw new IllegalArgumentException("no application '" + app + "' on " + host + " (it has " + hostApps.keySet() + ")");
    }
    return hostApps;
  }

  private static String siteOf(String host) {
    int dot = host.indexOf('.');
    return dot < 0 ? host : host.substring(0, dot);
  }

  private static <K, V> Map<K, V> unmodifiable(Map<K, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
