package io.drrunbook.lab;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * Maps the lab's simulated systems to the {@link LabView} of {@code GET /lab/api/state}: the ONE
 * place that knows how the lab's state becomes the view. Used by {@link Lab#view()}.
 * <ul>
 *   <li>every simulated host (SSH) or endpoint (HTTP) under its site, with its model components
 *       (state and attributes, derived ones included; lists joined with ", ");</li>
 *   <li>databases: PRIMARY while the schema account is OPEN, else STANDBY, under the site their
 *       logical name starts with ({@code site1.config-db});</li>
 *   <li>replication: every component of kind {@code replication} (attributes from, to), by name,
 *       with its lag (a replication-lag fault's, else its lagSeconds).</li>
 * </ul>
 */
@Component
@Profile("lab")
public class LabViewBuilder {

  /** How many of its last commands the view shows per host. */
  public static final int LAST_COMMANDS = 10;

  /** Serialises the view for its version hash; stable key order (records, insertion-ordered maps). */
  private final ObjectMapper hashMapper = JsonMapper.builder()
      .findAndAddModules()
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .addMixIn(LabView.Database.class, WithoutCurrentScn.class)
      .build();

  /** The version leaves the growing SCN out: a client polls for changes, not for the clock. */
  @JsonIgnoreProperties("currentScn")
  private abstract static class WithoutCurrentScn {}

  /**
   * The view of one moment.
   *
   * @param state the simulated hosts and endpoints
   * @param aRecords the DNS zone's A records (name to addresses)
   * @param databaseAccess account status of each lab database's schema user, by logical name
   * @param faults the active faults, as they are shown
   */
  public LabView build(LabState state, Map<String, List<String>> aRecords,
      Map<String, String> databaseAccess, List<?> faults) {
    return build(state, aRecords, databaseAccess, Map.of(), faults, List.of());
  }

  /**
   * The view of one moment, with the current SCN of the Info Mart databases ({@code currentScns},
   * by logical name) and the sites the lab has lost ({@link LabSites}). The SCN grows with the
   * clock, so, like the time, it is not part of the version.
   */
  public LabView build(LabState state, Map<String, List<String>> aRecords,
      Map<String, String> databaseAccess, Map<String, Long> currentScns, List<?> faults,
      List<LabSites.SiteLoss> lostSites) {
    Map<String, LabSites.SiteLoss> lostById = new LinkedHashMap<>();
    lostSites.forEach(loss -> lostById.put(loss.site(), loss));
    Map<String, List<LabView.Database>> databasesBySite = new LinkedHashMap<>();
    databaseAccess.forEach((name, access) -> databasesBySite
        .computeIfAbsent(siteOf(name), site -> new ArrayList<>())
        .add(new LabView.Database(name, role(access), access == null ? "UNKNOWN" : access,
            currentScns.get(name))));

    List<LabView.Site> sites = new ArrayList<>();
    List<LabView.Replication> replication = new ArrayList<>();
    Map<String, String> titles = state.siteTitles();
    titles.forEach((siteId, title) -> {
      List<LabView.Host> hosts = new ArrayList<>();
      for (String host : state.hostsOf(null, siteId)) {
        List<LabState.ComponentView> components = state.components(host);
        hosts.add(host(state, host, components));
        components.stream().filter(c -> "replication".equals(c.kind())).forEach(c -> replication.add(
            new LabView.Replication(c.name(), text(c.attributes().get("from")), text(c.attributes().get("to")),
                c.state(), state.lagOverride(c.name()).orElse(number(c.attributes().get("lagSeconds"))))));
      }
      List<LabView.Database> databases = databasesBySite.getOrDefault(siteId, List.of());
      if (!hosts.isEmpty() || !databases.isEmpty()) {
        sites.add(new LabView.Site(siteId, title == null ? siteId : title, lostById.get(siteId), hosts,
            databases));
      }
    });
    replication.sort(Comparator.comparing(LabView.Replication::direction));
    // databases of a site the topology does not know still show, under their site id
    databasesBySite.forEach((siteId, databases) -> {
      if (!titles.containsKey(siteId)) {
        sites.add(new LabView.Site(siteId, siteId, lostById.get(siteId), List.of(), databases));
      }
    });

    Map<String, List<String>> records = new LinkedHashMap<>();
    aRecords.forEach((name, addresses) -> records.put(name, List.copyOf(addresses)));
    LabView.Dns dns = new LabView.Dns(Collections.unmodifiableMap(records));
    return new LabView(state.now(), version(sites, dns, replication, faults), sites, dns,
        replication, faults);
  }

  private static String role(String access) {
    if (LabDatabases.LOST.equals(access)) {
      return LabDatabases.LOST;
    }
    return "OPEN".equals(access) ? "PRIMARY" : "STANDBY";
  }

  private static LabView.Host host(LabState state, String name, List<LabState.ComponentView> components) {
    List<LabView.Component> shown = new ArrayList<>();
    for (LabState.ComponentView c : components) {
      Map<String, String> attributes = new LinkedHashMap<>();
      c.attributes().forEach((k, v) -> attributes.put(k, text(v)));
      shown.add(new LabView.Component(c.name(), c.title() == null ? c.name() : c.title(), c.state(),
          Collections.unmodifiableMap(attributes), LabConsoles.offered(state, name, c)));
    }
    List<LabState.CommandRecord> log = state.commandLog(name);
    List<LabView.Command> lastCommands = log.subList(Math.max(0, log.size() - LAST_COMMANDS), log.size())
        .stream()
        .map(c -> new LabView.Command(c.time(), c.command(), c.exitCode()))
        .toList();
    return new LabView.Host(name, state.role(name), state.addressOf(name), shown, lastCommands,
        state.actionCounts(name));
  }

  private static String text(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Collection<?> list) {
      return String.join(", ", list.stream().map(String::valueOf).toList());
    }
    return String.valueOf(value);
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : 0;
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

  private static String siteOf(String logicalName) {
    int dot = logicalName.indexOf('.');
    return dot < 0 ? logicalName : logicalName.substring(0, dot);
  }
}
