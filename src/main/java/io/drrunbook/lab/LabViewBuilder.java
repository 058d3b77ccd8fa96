package io.drrunbook.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.drrunbook.lab.LabState.HostView;
import io.drrunbook.lab.LabState.ProxyState;
import io.drrunbook.lab.LabState.Replication;
import io.drrunbook.lab.LabState.RunState;
import io.drrunbook.lab.LabState.SiteView;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * Maps the lab's simulated systems to the {@link LabView} of {@code GET /lab/api/state}: the ONE
 * place that knows how a role's state becomes components. Used by {@link Lab#view()}.
 * <ul>
 *   <li>{@code genesys-mgmt}: one component per Genesys application, state RUNNING/STOPPED;</li>
 *   <li>{@code cs-proxy}: one component {@code cs-proxy}, state = its mode ({@code normal},
 *       {@code limited}), attributes master, cachedAddress, connectedTo;</li>
 *   <li>{@code goldengate}: one component per replication direction whose replicats run on the
 *       host, state = its status, attributes replicats, lagSeconds, lastStarted;</li>
 *   <li>databases: PRIMARY while the schema account is OPEN, else STANDBY, under the site their
 *       logical name starts with ({@code site1.config-db});</li>
 *   <li>replication: every direction, by name, from the site it names first to the site its
 *       replicats run at.</li>
 * </ul>
 */
@Component
@Profile("lab")
public class LabViewBuilder {

  /** How many of its last commands the view shows per host. */
  public static final int LAST_COMMANDS = 10;

  static final String PROXY_COMPONENT = "cs-proxy";

  private static final Map<String, String> APP_TITLES = Map.of(
      LabState.CONFIG_SERVER_APP, "Master Configuration Server pair",
      "scs-master", "Master Solution Control Server",
      "msgserver-scs-distributed", "Message Server (distributed SCS)");

  /** Serialises the view for its version hash; stable key order (records, insertion-ordered maps). */
  private final ObjectMapper hashMapper = JsonMapper.builder()
      .findAndAddModules()
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  /**
   * The view of one moment.
   *
   * @param snapshot the simulated hosts by site
   * @param aRecords the DNS zone's A records (name to addresses)
   * @param databaseAccess account status of each lab database's schema user, by logical name
   * @param faults the active faults, as they are shown
   */
  public LabView build(LabState.Snapshot snapshot, Map<String, List<String>> aRecords,
      Map<String, String> databaseAccess, List<?> faults) {
    Map<String, List<LabView.Database>> databasesBySite = new LinkedHashMap<>();
    databaseAccess.forEach((name, access) -> databasesBySite
        .computeIfAbsent(siteOf(name), site -> new ArrayList<>())
        .add(new LabView.Database(name, "OPEN".equals(access) ? "PRIMARY" : "STANDBY",
            access == null ? "UNKNOWN" : access)));

    List<LabView.Site> sites = new ArrayList<>();
    List<LabView.Replication> replication = new ArrayList<>();
    snapshot.sites().forEach((siteId, site) -> {
      sites.add(site(siteId, site, databasesBySite.getOrDefault(siteId, List.of())));
      site.hosts().values().forEach(host -> {
        if (host.replication() != null) {
          host.replication().forEach(r -> replication.add(new LabView.Replication(r.direction(),
              sourceOf(r.direction()), siteOf(r.host()), r.status().name(), r.lagSeconds())));
        }
      });
    });
    replication.sort(Comparator.comparing(LabView.Replication::direction));
    // databases of a site without simulated hosts still show, under their site id
    databasesBySite.forEach((siteId, databases) -> {
      if (!snapshot.sites().containsKey(siteId)) {
        sites.add(new LabView.Site(siteId, siteId, List.of(), databases));
      }
    });

    Map<String, List<String>> records = new LinkedHashMap<>();
    aRecords.forEach((name, addresses) -> records.put(name, List.copyOf(addresses)));
    LabView.Dns dns = new LabView.Dns(Collections.unmodifiableMap(records));
    return new LabView(snapshot.takenAt(), version(sites, dns, replication, faults), sites, dns,
        replication, faults);
  }

  private static LabView.Site site(String siteId, SiteView site, List<LabView.Database> databases) {
    List<LabView.Host> hosts = new ArrayList<>();
    site.hosts().forEach((name, host) -> hosts.add(host(name, host)));
    return new LabView.Site(siteId, site.title(), hosts, databases);
  }

  private static LabView.Host host(String name, HostView host) {
    List<LabView.Component> components = new ArrayList<>();
    if (host.apps() != null) {
      host.apps().forEach((app, state) -> components.add(
          new LabView.Component(app, APP_TITLES.getOrDefault(app, app), state.name(), Map.of())));
    }
    if (host.proxy() != null) {
      components.add(proxy(host.proxy()));
    }
    if (host.replication() != null) {
      host.replication().forEach(r -> components.add(replicats(r)));
    }
    List<LabState.CommandRecord> log = host.lastCommands();
    List<LabView.Command> lastCommands = log.subList(Math.max(0, log.size() - LAST_COMMANDS), log.size())
        .stream()
        .map(c -> new LabView.Command(c.time(), c.command(), c.exitCode()))
        .toList();
    return new LabView.Host(name, host.role(), host.address(), components, lastCommands,
        Collections.unmodifiableMap(new LinkedHashMap<>(host.actionCounts())));
  }

  private static LabView.Component proxy(ProxyState proxy) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("master", proxy.master());
    attributes.put("cachedAddress", proxy.cachedAddress());
    attributes.put("connectedTo", proxy.connectedTo());
    return new LabView.Component(PROXY_COMPONENT, "Configuration Server Proxy",
        proxy.mode().label(), Collections.unmodifiableMap(attributes));
  }

  private static LabView.Component replicats(Replication r) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("replicats", String.join(", ", r.replicats()));
    attributes.put("lagSeconds", String.valueOf(r.lagSeconds()));
    attributes.put("lastStarted", r.lastStarted() == null ? null : r.lastStarted().toString());
    String from = sourceOf(r.direction());
    String title = "GoldenGate replicats " + (from == null ? r.direction() : from + " -> " + siteOf(r.host()));
    RunState status = r.status();
    return new LabView.Component(r.direction(), title, status.name(),
        Collections.unmodifiableMap(attributes));
  }

  /** A hash of everything but the time: a JavaScript-safe integer (53 bits) of SHA-256. */
  private long version(Object... parts) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(hashMapper.writeValueAsBytes(parts));
      return ByteBuffer.wrap(digest).getLong() >>> 11;
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash the lab view: " + e.getMessage(), e);
    }
  }

  /** {@code site1} of {@code site1-to-site2}; null if the direction is not named that way. */
  private static String sourceOf(String direction) {
    int to = direction.indexOf("-to-");
    return to < 0 ? null : direction.substring(0, to);
  }

  private static String siteOf(String logicalName) {
    int dot = logicalName.indexOf('.');
    return dot < 0 ? logicalName : logicalName.substring(0, dot);
  }
}
