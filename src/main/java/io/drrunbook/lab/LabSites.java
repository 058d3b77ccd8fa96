package io.drrunbook.lab;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.drrunbook.lab.faults.Fault;
import io.drrunbook.lab.faults.FaultRequest;
import io.drrunbook.lab.faults.FaultType;
import io.drrunbook.lab.faults.LabFaults;
import io.drrunbook.lab.model.LabModelException;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Site;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Profile;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * A whole site of the drill lab lost, as a disaster loses it, and brought back.
 *
 * <p>{@link #down} takes a site away: every simulated SSH host and HTTP endpoint of the site refuses
 * connections ({@code unreachable} faults created by {@code site-down:<site>}), every service the
 * site's hosts ran ({@code RUNNING}) is {@code STOPPED}, and its databases are gone (their files
 * moved aside, see {@link LabDatabases#lose}). {@link #up} brings the site back the way a site
 * returns after a disaster: hosts and databases are there again, the services stay stopped (the
 * failback starts what it needs). The lost sites are kept in {@code sites-down.json} in the lab
 * folder: a restart of the application keeps the site lost. {@code Lab.reset()} brings every site
 * back. Drills lose and restore sites by themselves ({@link LabDrillSites}).
 */
@Component
@Profile("lab")
public class LabSites implements LabSiteSwitch {

  /** A site the lab has lost: since when, and who or what took it down. */
  public record SiteLoss(String site, Instant since, String by) {}

  private static final Logger log = LoggerFactory.getLogger(LabSites.class);
  private static final String CREATED_BY = "site-down:";
  private static final String RUNNING = "RUNNING";
  private static final String STOPPED = "STOPPED";

  private final LabProperties properties;
  private final Topology topology;
  private final LabState state;
  private final LabFaults faults;
  private final LabDatabases databases;
  private final Clock clock;
  private final ObjectMapper mapper = JsonMapper.builder().findAndAddModules()
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
  private final Map<String, SiteLoss> lost = new LinkedHashMap<>();

  public LabSites(LabProperties properties, Topology topology, LabState state, LabFaults faults,
      LabDatabases databases) {
    this.properties = properties;
    this.topology = topology;
    this.state = state;
    this.faults = faults;
    this.databases = databases;
    this.clock = Clock.systemUTC();
    if (properties.isResetOnStart()) {
      deleteFile();
    } else {
      load();
    }
  }

  /** After a restart: the sites lost before it refuse connections again. */
  @EventListener(ApplicationReadyEvent.class)
  public synchronized void reapply() {
    lost.keySet().forEach(this::unreachable);
  }

  /**
   * Takes {@code site} down (no-op but for the answer if it is down already).
   *
   * @throws IllegalArgumentException for a site the topology does not have
   */
  @Override
  public synchronized SiteLoss down(String site, String by) {
    Site topologySite = site(site);
    SiteLoss already = lost.get(site);
    if (already != null) {
      return already;
    }
    SiteLoss loss = new SiteLoss(site, clock.instant(), by);
    lost.put(site, loss);
    persist();
    int stopped = 0;
    for (String host : hosts(site)) {
      for (LabState.ComponentView component : state.components(host)) {
        if (RUNNING.equals(component.state()) && stop(host, component.name())) {
          stopped++;
        }
      }
    }
    unreachable(site);
    List<String> gone = new ArrayList<>();
    topologySite.getDatabases().keySet().stream().map(name -> site + "." + name)
        .filter(properties.getDatabases()::containsKey).forEach(name -> {
          databases.lose(name);
          gone.add(name);
        });
    log.warn("lab site {} DOWN ({}): {} service(s) stopped, hosts and endpoints unreachable,"
        + " databases lost {}", site, by, stopped, gone);
    return loss;
  }

  /** Brings {@code site} back; {@code false} if it was not down. */
  @Override
  public synchronized boolean up(String site) {
    Site topologySite = site(site);
    if (lost.remove(site) == null) {
      return false;
    }
    persist();
    faults.list().stream().filter(fault -> (CREATED_BY + site).equals(fault.createdBy()))
        .map(Fault::id).forEach(faults::remove);
    topologySite.getDatabases().keySet().stream().map(name -> site + "." + name)
        .filter(properties.getDatabases()::containsKey).forEach(databases::restore);
    log.warn("lab site {} back: hosts, endpoints and databases reachable, services as they were left",
        site);
    return true;
  }

  /** Every site now down, oldest first. */
  public synchronized List<SiteLoss> lost() {
    return List.copyOf(lost.values());
  }

  public synchronized boolean isDown(String site) {
    return lost.containsKey(site);
  }

  /** Brings every site back (the lab's reset; its faults are cleared by the reset itself). */
  synchronized void restoreAll() {
    for (String site : List.copyOf(lost.keySet())) {
      up(site);
    }
  }

  private boolean stop(String host, String component) {
    try {
      state.set(host, component, null, STOPPED);
      return true;
    } catch (LabModelException derived) {
      return false; // a derived state follows what it derives from
    }
  }

  private void unreachable(String site) {
    List<String> targets = new ArrayList<>(hosts(site));
    site(site).getEndpoints().keySet().forEach(name -> targets.add(site + "." + name));
    for (String target : targets) {
      boolean present = faults.list().stream().anyMatch(fault -> fault.type() == FaultType.UNREACHABLE
          && fault.target().equals(target) && (CREATED_BY + site).equals(fault.createdBy()));
      if (!present) {
        faults.add(FaultRequest.of(FaultType.UNREACHABLE.id(), target), CREATED_BY + site);
      }
    }
  }

  /** The simulated SSH hosts of the site (its HTTP endpoints are named apart). */
  private List<String> hosts(String site) {
    return state.hosts().stream().filter(host -> !state.isEndpoint(host))
        .filter(host -> site.equals(state.siteOf(host))).toList();
  }

  private Site site(String site) {
    Site known = site == null ? null : topology.properties().getSites().get(site);
    if (known == null) {
      throw new IllegalArgumentException("no site '" + site + "' in the topology (it has "
          + topology.properties().getSites().keySet() + ")");
    }
    return known;
  }

  private Path file() {
    return properties.getDir().resolve("sites-down.json").toAbsolutePath();
  }

  private void load() {
    Path file = file();
    if (!Files.exists(file)) {
      return;
    }
    try {
      List<SiteLoss> saved = mapper.readValue(file.toFile(), new TypeReference<List<SiteLoss>>() {});
      saved.stream().filter(loss -> topology.properties().getSites().containsKey(loss.site()))
          .forEach(loss -> lost.put(loss.site(), loss));
      log.info("lab sites still down after the restart: {}", lost.keySet());
    } catch (IOException e) {
      log.warn("lab file {} is unreadable ({}): every site is up", file, e.getMessage());
    }
  }

  private void persist() {
    Path file = file();
    try {
      Files.createDirectories(file.getParent());
      Path temporary = Files.createTempFile(file.getParent(), "sites-down", ".json.tmp");
      mapper.writeValue(temporary.toFile(), List.copyOf(lost.values()));
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private void deleteFile() {
    try {
      Files.deleteIfExists(file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
