package io.drrunbook.lab;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.drrunbook.lab.model.LabExpressions;
import io.drrunbook.lab.model.LabModel;
import io.drrunbook.lab.model.LabModelException;
import io.drrunbook.lab.model.LabModels;
import io.drrunbook.lab.model.LabScope;
import io.drrunbook.lab.model.LabSteps;
import io.drrunbook.lab.model.LabWorld;
import io.drrunbook.topology.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The state of the drill lab's simulated systems, as their models ({@link LabModels}) describe them:
 * per simulated host, its role's components with their state and attributes; per host, the last
 * commands received and how often it executed each state-changing action.
 *
 * <p>Initial state: each component's {@code state} and {@code attributes} templates, evaluated for its
 * host (the first site of the topology is the main site, live before a failover). Derived values are
 * computed at every read. Thread-safe (one lock); every change is written to
 * {@link LabProperties#stateFile()} as JSON before the method returns, and read back at start-up
 * unless {@link LabProperties#isResetOnStart()}.
 */
@Component
@Profile("lab")
public class LabState implements LabWorld, LabSteps.Effects {

  /** How many received commands each host remembers. */
  public static final int COMMAND_LOG_SIZE = 50;
  private static final int MAX_DERIVATION_DEPTH = 16;

  private static final Logger log = LoggerFactory.getLogger(LabState.class);

  /** A command line a host received, and its exit code. */
  public record CommandRecord(Instant time, String command, int exitCode) {}

  /** A component as read: its state and attributes (stored and derived), with its model's title and kind. */
  public record ComponentView(String name, String title, String kind, String state, Map<String, Object> attributes) {}

  /** A stored component: what the file holds. */
  record StoredComponent(String state, Map<String, Object> attributes) {}

  /** The file format. */
  record Persisted(Map<String, Map<String, StoredComponent>> components,
                   Map<String, List<CommandRecord>> commandLog,
                   Map<String, Map<String, Integer>> actionCounts) {}

  /** A component's live values and the model element it came from. */
  private static final class Live {
    final LabModel.Component model;
    final String title;
    String state;
    final Map<String, Object> attributes;

    Live(LabModel.Component model, String title, String state, Map<String, Object> attributes) {
      this.model = model;
      this.title = title;
      this.state = state;
      this.attributes = attributes;
    }
  }

  private final LabProperties properties;
  private final Topology topology;
  private final LabModels models;
  private final LabExpressions expressions;
  private final Clock clock;
  private final ObjectMapper mapper;
  private final Map<String, String> roles;
  private final LabResolver resolver;
  private volatile Function<String, OptionalLong> lagOverrides = direction -> OptionalLong.empty();
  private final ThreadLocal<int[]> derivationDepth = ThreadLocal.withInitial(() -> new int[1]);

  private final Map<String, Map<String, Live>> components = new LinkedHashMap<>();
  private final Map<String, Deque<CommandRecord>> commandLog = new LinkedHashMap<>();
  private final Map<String, Map<String, Integer>> actionCounts = new LinkedHashMap<>();

  @Autowired
  public LabState(LabProperties properties, Topology topology, LabModels models) {
    this(properties, topology, models, Clock.systemDefaultZone());
  }

  LabState(LabProperties properties, Topology topology, LabModels models, Clock clock) {
    this.properties = properties;
    this.topology = topology;
    this.models = models;
    this.expressions = models.expressions();
    this.clock = clock;
    this.resolver = new LabResolver(topology);
    this.mapper = JsonMapper.builder()
        .findAndAddModules()
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .build();
    this.roles = new LinkedHashMap<>(properties.getRoles());
    roles.forEach((host, role) -> {
      if (!isEndpoint(host)) {
        topology.host(host);
      }
      models.role(role);
    });
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

  /** Where forced replication lags come from (the lab's faults). */
  public void setLagOverrides(Function<String, OptionalLong> lagOverrides) {
    this.lagOverrides = Objects.requireNonNull(lagOverrides);
  }

  public LabModels models() {
    return models;
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

  // ---------------------------------------------------------------- LabWorld

  @Override
  public List<String> sites() {
    return List.copyOf(topology.properties().getSites().keySet());
  }

  /** The topology's sites and their titles, in order. */
  public Map<String, String> siteTitles() {
    Map<String, String> titles = new LinkedHashMap<>();
    topology.properties().getSites().forEach((id, site) -> titles.put(id, site.getTitle()));
    return titles;
  }

  @Override
  public String siteOf(String host) {
    int dot = host.indexOf('.');
    return dot < 0 ? host : host.substring(0, dot);
  }

  @Override
  public String addressOf(String host) {
    if (isEndpoint(host)) {
      return java.net.URI.create(topology.endpoint(host).getUrl()).getHost();
    }
    return topology.host(host).getAddress();
  }

  @Override
  public String hostnameOf(String host) {
    return topology.host(host).getHostname();
  }

  /** Whether a simulated name is a topology endpoint (HTTP) rather than a host (SSH). */
  public boolean isEndpoint(String name) {
    return isEndpoint(topology, name);
  }

  /** Whether a logical name is a topology endpoint (HTTP) rather than a host (SSH). */
  static boolean isEndpoint(Topology topology, String name) {
    int dot = name.indexOf('.');
    if (dot < 0) {
      return false;
    }
    var site = topology.properties().getSites().get(name.substring(0, dot));
    return site != null && site.getEndpoints().containsKey(name.substring(dot + 1)) && !site.getHosts().containsKey(name.substring(dot + 1));
  }

  @Override
  public List<String> hostsOf(String role, String site) {
    return roles.entrySet().stream()
        .filter(e -> role == null || role.equals(e.getValue()))
        .map(Map.Entry::getKey)
        .filter(h -> site == null || siteOf(h).equals(site))
        .toList();
  }

  @Override
  public synchronized boolean hasComponent(String host, String component) {
    return hostComponents(host).containsKey(component);
  }

  @Override
  public synchronized List<String> componentNames(String host) {
    return List.copyOf(hostComponents(host).keySet());
  }

  @Override
  public synchronized String state(String host, String component) {
    return read(host, component).state();
  }

  @Override
  public synchronized Object attribute(String host, String component, String name) {
    return read(host, component).attributes().get(name);
  }

  @Override
  public String resolve(String name) {
    return resolver.resolve(name);
  }

  @Override
  public boolean secretMatches(String host, String name, Object value) {
    String reference = topology.host(host).getSecrets().get(name);
    if (value == null || reference == null || !reference.startsWith("file:")) {
      return false;
    }
    try {
      byte[] expected = Files.readString(Path.of(reference.substring(5)), StandardCharsets.UTF_8)
          .stripTrailing().getBytes(StandardCharsets.UTF_8);
      return java.security.MessageDigest.isEqual(expected,
          value.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new LabModelException("cannot read the secret " + name + " of " + host + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String fileText(String host, String path) {
    Path root = LabFileSystems.rootOf(properties, host);
    Path file = root.resolve(path.startsWith("/") ? path.substring(1) : path).normalize();
    if (!file.startsWith(root) || !Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new LabModelException("cannot read " + path + " of " + host + ": " + e.getMessage(), e);
    }
  }

  @Override
  public OptionalLong lagOverride(String direction) {
    return lagOverrides.apply(direction);
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public ZoneId zone() {
    return clock.getZone();
  }

  // ---------------------------------------------------------------- components

  /** A component as read now (derived values computed). */
  public synchronized ComponentView component(String host, String component) {
    return read(host, component);
  }

  /** The model element a component was made from (its console actions, {@link LabConsoles}). */
  public synchronized LabModel.Component componentModel(String host, String component) {
    return live(host, component).model;
  }

  /** The components of a host, in model order. */
  public synchronized List<ComponentView> components(String host) {
    return hostComponents(host).keySet().stream().map(name -> read(host, name)).toList();
  }

  /** Changes a component's state (attribute null) or one stored attribute, and persists. */
  @Override
  public synchronized void set(String host, String component, String attribute, Object value) {
    Live live = live(host, component);
    if (attribute == null) {
      if (live.model.derived().containsKey("state")) {
        throw new LabModelException("the state of " + component + " on " + host + " is derived; set what it derives from");
      }
      live.state = value == null ? null : String.valueOf(value);
    } else {
      if (live.model.derived().containsKey(attribute)) {
        throw new LabModelException(component + "." + attribute + " on " + host + " is derived; set what it derives from");
      }
      live.attributes.put(attribute, value);
    }
    persist();
  }

  private ComponentView read(String host, String component) {
    Live live = live(host, component);
    int[] depth = derivationDepth.get();
    depth[0]++;
    try {
      if (depth[0] > MAX_DERIVATION_DEPTH) {
        throw new LabModelException("derived values of " + component + " on " + host + " refer to each other in a cycle");
      }
      Map<String, Object> attributes = new LinkedHashMap<>(live.attributes);
      String state = live.state;
      if (!live.model.derived().isEmpty()) {
        LabScope scope = new LabScope(this, host, attributes).with("state", state);
        for (Map.Entry<String, String> derived : live.model.derived().entrySet()) {
          Object value = expressions.value(derived.getValue(), scope);
          if (derived.getKey().equals("state")) {
            state = value == null ? null : String.valueOf(value);
          } else {
            attributes.put(derived.getKey(), value);
          }
          scope = scope.with(derived.getKey(), value);
        }
      }
      return new ComponentView(component, live.title, live.model.kind(), state,
          Collections.unmodifiableMap(attributes));
    } finally {
      depth[0]--;
    }
  }

  private Live live(String host, String component) {
    Live live = hostComponents(host).get(component);
    if (live == null) {
      throw new IllegalArgumentException("no component '" + component + "' on " + host
          + " (it has " + hostComponents(host).keySet() + ")");
    }
    return live;
  }

  private Map<String, Live> hostComponents(String host) {
    role(host);
    return components.getOrDefault(host, Map.of());
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
  public synchronized int actionCount(String host, String action) {
    role(host);
    return actionCounts.getOrDefault(host, Map.of()).getOrDefault(action, 0);
  }

  /** Every counted action of a host. */
  public synchronized Map<String, Integer> actionCounts(String host) {
    role(host);
    return Collections.unmodifiableMap(new LinkedHashMap<>(actionCounts.getOrDefault(host, Map.of())));
  }

  // ---------------------------------------------------------------- whole lab

  /** Puts the lab back to its initial state (before a failover), forgetting commands and counts. */
  public synchronized void reset() {
    initialise();
    persist();
    log.info("Lab state reset to the initial state");
  }

  // ---------------------------------------------------------------- initial state and persistence

  private void initialise() {
    components.clear();
    commandLog.clear();
    actionCounts.clear();
    roles.forEach((host, role) -> {
      Map<String, Live> hostComponents = new LinkedHashMap<>();
      LabScope hostScope = new LabScope(this, host, Map.of());
      models.role(role).components().forEach((key, model) -> {
        if (model.each() == null) {
          hostComponents.put(key, initial(model, hostScope));
        } else {
          Object items = expressions.value(model.each(), hostScope);
          for (Object item : items instanceof Iterable<?> list ? list : List.of(items)) {
            LabScope scope = hostScope.with(model.as() == null ? "it" : model.as(), item);
            hostComponents.put(expressions.text(model.name(), scope), initial(model, scope));
          }
        }
      });
      components.put(host, hostComponents);
    });
  }

  private Live initial(LabModel.Component model, LabScope scope) {
    Object state = model.state() == null ? null : expressions.value(model.state(), scope);
    Map<String, Object> attributes = new LinkedHashMap<>();
    model.attributes().forEach((name, template) -> attributes.put(name, plain(expressions.value(template, scope))));
    String title = model.title() == null ? null : expressions.text(model.title(), scope);
    return new Live(model, title, state == null ? null : String.valueOf(state), attributes);
  }

  /** Keeps attribute values JSON-plain: lists of values, text, numbers, booleans. */
  private static Object plain(Object value) {
    if (value instanceof Iterable<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(plain(v)));
      return copy;
    }
    return value;
  }

  /** Takes from the file what still fits the configured lab; hosts or components no longer there are dropped. */
  private void load(Path file) {
    Persisted saved;
    try {
      saved = mapper.readValue(file.toFile(), Persisted.class);
    } catch (IOException e) {
      log.warn("Lab state file {} is unreadable ({}); starting from the initial state", file, e.getMessage());
      return;
    }
    if (saved.components() != null) {
      components.forEach((host, hostComponents) -> {
        Map<String, StoredComponent> savedHost = saved.components().getOrDefault(host, Map.of());
        hostComponents.forEach((name, live) -> {
          StoredComponent s = savedHost.get(name);
          if (s != null) {
            live.state = s.state();
            if (s.attributes() != null) {
              s.attributes().forEach((k, v) -> {
                if (!live.model.derived().containsKey(k)) {
                  live.attributes.put(k, v);
                }
              });
            }
          }
        });
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
    Map<String, Map<String, StoredComponent>> stored = new LinkedHashMap<>();
    components.forEach((host, hostComponents) -> {
      Map<String, StoredComponent> s = new LinkedHashMap<>();
      hostComponents.forEach((name, live) -> s.put(name, new StoredComponent(live.state, live.attributes)));
      stored.put(host, s);
    });
    Map<String, List<CommandRecord>> commands = new LinkedHashMap<>();
    commandLog.forEach((host, deque) -> commands.put(host, List.copyOf(deque)));
    Persisted state = new Persisted(stored, commands, actionCounts);
    Path file = properties.stateFile().toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
      // a temporary file of its own per write: two lab instances over one folder never collide
      Path temporary = Files.createTempFile(file.getParent(), "state", ".json.tmp");
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
}
