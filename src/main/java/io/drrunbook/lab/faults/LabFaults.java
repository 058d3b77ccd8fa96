package io.drrunbook.lab.faults;

import io.drrunbook.lab.LabState;
import io.drrunbook.lab.faults.FaultRequestException.Problem;
import io.drrunbook.topology.Topology;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The faults the drill lab shows now (in memory, thread-safe; cleared by {@code Lab.reset()}). The
 * REST API ({@link LabFaultsController}) and drills add and remove them; the simulators ask the
 * query methods ({@link #commandFault}, {@link #unreachable}, {@link #hostKeyChanged},
 * {@link #replicationLag}, {@link #httpFault}) or react to every change through a listener
 * ({@link #addListener}): the SSH hosts to unreachable / host-key-changed, the DNS server to
 * unreachable / dns-refuse-updates / dns-servfail.
 *
 * <p>Targets are logical names of the lab: SSH hosts ({@code site1.cs-mgmt}, the hosts the lab
 * simulates), DNS servers ({@code lab-dns}), HTTP endpoints ({@code <site>.<name>} of the topology)
 * and replication directions ({@code site1-to-site2}, two different sites of the topology).
 */
@Component
@Profile("lab")
public class LabFaults {

  /** What a target may be. */
  enum TargetKind {
    SSH_HOST("an SSH host"),
    DNS_SERVER("a DNS server"),
    HTTP_ENDPOINT("an HTTP endpoint"),
    REPLICATION("a replication direction <site>-to-<site>");

    private final String description;

    TargetKind(String description) {
      this.description = description;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(LabFaults.class);
  private static final int MAX_TEXT = 64 * 1024;
  private static final Set<FaultType> COMMAND_FAULTS =
      EnumSet.of(FaultType.COMMAND_FAILS, FaultType.COMMAND_HANGS, FaultType.SLOW);
  private static final Set<FaultType> HTTP_FAULTS =
      EnumSet.of(FaultType.HTTP_ERROR, FaultType.SOAP_FAULT, FaultType.SLOW);

  /** A fault with its compiled command pattern ({@code null}: every command). */
  private record Entry(Fault fault, Pattern command) {
    boolean matches(String text) {
      return command == null || (text != null && command.matcher(text).find());
    }
  }

  private final Supplier<List<String>> sshHosts;
  private final Topology topology;
  private final Clock clock;
  private final List<Entry> faults = new ArrayList<>();
  private final List<Consumer<List<Fault>>> listeners = new CopyOnWriteArrayList<>();
  private final Object notifyLock = new Object();
  private long nextId = 1;

  @Autowired
  public LabFaults(LabState state, Topology topology) {
    // the simulated SSH hosts: every simulated name but the HTTP endpoints
    this(() -> state.hosts().stream().filter(host -> !state.isEndpoint(host)).toList(), topology, Clock.systemUTC());
  }

  /** For tests: the simulated SSH hosts from elsewhere than the lab state. */
  public LabFaults(Supplier<List<String>> sshHosts, Topology topology, Clock clock) {
    this.sshHosts = sshHosts;
    this.topology = topology;
    this.clock = clock;
  }

  // ---------------------------------------------------------------- registry

  /** Adds a fault on behalf of the lab itself (drills, tests). */
  public Fault add(FaultRequest request) {
    return add(request, "lab");
  }

  /**
   * Checks the request and adds the fault; listeners have seen it when this returns.
   *
   * @throws FaultRequestException naming every field at fault
   */
  public Fault add(FaultRequest request, String createdBy) {
    Entry checked = check(request, createdBy);
    Fault fault;
    synchronized (this) {
      String id = "f" + nextId++;
      Fault c = checked.fault();
      fault = new Fault(id, c.type(), c.target(), c.exitCode(), c.stdout(), c.stderr(), c.delay(),
          c.seconds(), c.status(), c.command(), c.createdAt(), c.createdBy());
      faults.add(new Entry(fault, checked.command()));
      notifyAll();
    }
    log.info("lab fault {} added by {}: {} on {}", fault.id(), createdBy, fault.type(),
        fault.target());
    notifyListeners();
    return fault;
  }

  /** Every fault, oldest first. */
  public synchronized List<Fault> list() {
    return faults.stream().map(Entry::fault).toList();
  }

  public synchronized Optional<Fault> find(String id) {
    return faults.stream().map(Entry::fault).filter(f -> f.id().equals(id)).findFirst();
  }

  /** Removes one fault; {@code false} if there is none with that id. */
  public boolean remove(String id) {
    synchronized (this) {
      if (!faults.removeIf(entry -> entry.fault().id().equals(id))) {
        return false;
      }
      notifyAll();
    }
    log.info("lab fault {} removed", id);
    notifyListeners();
    return true;
  }

  /** Removes every fault (listeners are told even if there was none). */
  public void clear() {
    synchronized (this) {
      faults.clear();
      notifyAll();
    }
    log.info("lab faults cleared");
    notifyListeners();
  }

  /**
   * Called with every fault after each change (add, remove, clear), serialised and always with the
   * latest list, outside the registry's lock. A listener that throws is logged and skipped.
   */
  public void addListener(Consumer<List<Fault>> listener) {
    listeners.add(listener);
  }

  /**
   * Waits until the fault {@code id} is removed, at most {@code max} ({@code null}: without bound);
   * whether it is gone. Interruptible: a simulator's thread waiting here ends when its client goes.
   */
  public synchronized boolean awaitGone(String id, Duration max) throws InterruptedException {
    long deadline = max == null ? 0 : System.nanoTime() + max.toNanos();
    while (faults.stream().anyMatch(entry -> entry.fault().id().equals(id))) {
      if (max == null) {
        wait();
      } else {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- queries of the simulators

  /**
   * The first command-fails, command-hangs or slow fault on SSH host {@code host} whose command
   * pattern (if any) is found in {@code commandLine}.
   */
  public Optional<Fault> commandFault(String host, String commandLine) {
    return first(entry -> COMMAND_FAULTS.contains(entry.fault().type())
        && entry.fault().target().equals(host) && entry.matches(commandLine));
  }

  /** Whether a file-reverts fault on the SSH host {@code host} matches the file {@code path}. */
  public boolean fileReverts(String host, String path) {
    return first(entry -> entry.fault().type() == FaultType.FILE_REVERTS
        && entry.fault().target().equals(host) && entry.matches(path)).isPresent();
  }

  /** Whether the SSH host, DNS server or HTTP endpoint {@code target} is to refuse connections. */
  public boolean unreachable(String target) {
    return first(entry -> entry.fault().type() == FaultType.UNREACHABLE
        && entry.fault().target().equals(target)).isPresent();
  }

  /** Whether the SSH host {@code host} is to present a host key other than its known one. */
  public boolean hostKeyChanged(String host) {
    return first(entry -> entry.fault().type() == FaultType.HOST_KEY_CHANGED
        && entry.fault().target().equals(host)).isPresent();
  }

  /** The lag the replication {@code direction} ({@code site1-to-site2}) is to report, if any. */
  public OptionalLong replicationLag(String direction) {
    return first(entry -> entry.fault().type() == FaultType.REPLICATION_LAG
        && entry.fault().target().equals(direction))
        .map(fault -> OptionalLong.of(fault.seconds())).orElseGet(OptionalLong::empty);
  }

  /**
   * The first http-error, soap-fault or slow fault on the HTTP endpoint {@code endpoint} that
   * matches the request: the pattern of an http-error or slow fault is searched in
   * {@code "METHOD /path"}, that of a soap-fault in {@code soapAction}; a fault without a pattern
   * matches every request.
   */
  public Optional<Fault> httpFault(String endpoint, String method, String path, String soapAction) {
    String request = method + " " + path;
    return first(entry -> HTTP_FAULTS.contains(entry.fault().type())
        && entry.fault().target().equals(endpoint)
        && entry.matches(entry.fault().type() == FaultType.SOAP_FAULT ? soapAction : request));
  }

  private synchronized Optional<Fault> first(Predicate<Entry> condition) {
    return faults.stream().filter(condition).map(Entry::fault).findFirst();
  }

  private void notifyListeners() {
    synchronized (notifyLock) {
      List<Fault> now = list();
      for (Consumer<List<Fault>> listener : listeners) {
        try {
          listener.accept(now);
        } catch (RuntimeException e) {
          log.warn("a lab fault listener failed", e);
        }
      }
    }
  }

  // ---------------------------------------------------------------- checks

  private Entry check(FaultRequest request, String createdBy) {
    if (request == null) {
      throw invalid(List.of(new Problem("body", "a JSON object with type and target is required")));
    }
    String typeId = text(request.type());
    if (typeId == null) {
      throw invalid(List.of(new Problem("type", "is required; one of " + FaultType.ids())));
    }
    Optional<FaultType> known = FaultType.of(typeId);
    if (known.isEmpty()) {
      throw invalid(List.of(new Problem("type", "is not a fault type; one of " + FaultType.ids())));
    }
    FaultType type = known.get();
    List<Problem> problems = new ArrayList<>();

    String target = text(request.target());
    Set<TargetKind> kinds = targetKinds(type);
    if (target == null) {
      problems.add(new Problem("target", "is required: " + describe(kinds)));
    } else if (kinds.stream().noneMatch(kind -> targets(kind).contains(target))) {
      problems.add(new Problem("target", "is not " + describe(kinds) + " of the lab; known: "
          + kinds.stream().flatMap(kind -> targets(kind).stream()).toList()));
    }

    Integer exitCode = request.exitCode();
    if (type == FaultType.COMMAND_FAILS) {
      if (exitCode == null) {
        problems.add(new Problem("exitCode", "is required for " + type));
      } else if (exitCode < 0 || exitCode > 255) {
        problems.add(new Problem("exitCode", "must be between 0 and 255"));
      }
    } else {
      notApplicable(problems, type, "exitCode", exitCode);
    }

    String stdout = request.stdout() == null || request.stdout().isEmpty() ? null : request.stdout();
    String stderr = request.stderr() == null || request.stderr().isEmpty() ? null : request.stderr();
    if (type == FaultType.COMMAND_FAILS || type == FaultType.SOAP_FAULT) {
      tooLong(problems, "stdout", stdout);
    } else {
      notApplicable(problems, type, "stdout", stdout);
    }
    if (type == FaultType.COMMAND_FAILS) {
      tooLong(problems, "stderr", stderr);
    } else {
      notApplicable(problems, type, "stderr", stderr);
    }

    Duration delay = null;
    String delayText = text(request.delay());
    if (type == FaultType.SLOW) {
      if (delayText == null) {
        problems.add(new Problem("delay", "is required for " + type
            + ": an ISO-8601 duration such as PT5S"));
      } else {
        delay = duration(delayText);
        if (delay == null) {
          problems.add(new Problem("delay", "is not a duration: write ISO-8601 such as PT5S"));
        } else if (delay.isNegative()) {
          problems.add(new Problem("delay", "must not be negative"));
        }
      }
    } else {
      notApplicable(problems, type, "delay", delayText);
    }

    Long seconds = request.seconds();
    if (type == FaultType.REPLICATION_LAG) {
      if (seconds == null) {
        problems.add(new Problem("seconds", "is required for " + type));
      } else if (seconds < 0) {
        problems.add(new Problem("seconds", "must not be negative"));
      }
    } else {
      notApplicable(problems, type, "seconds", seconds);
    }

    Integer status = request.status();
    if (type == FaultType.HTTP_ERROR) {
      if (status == null) {
        status = 500;
      } else if (status < 500 || status > 599) {
        problems.add(new Problem("status", "must be between 500 and 599"));
      }
    } else {
      notApplicable(problems, type, "status", status);
    }

    String command = text(request.command());
    Pattern pattern = null;
    if (type == FaultType.COMMAND_FAILS || type == FaultType.COMMAND_HANGS
        || type == FaultType.SLOW || type == FaultType.HTTP_ERROR || type == FaultType.SOAP_FAULT
        || type == FaultType.FILE_REVERTS) {
      if (command != null) {
        try {
          pattern = Pattern.compile(command);
        } catch (PatternSyntaxException e) {
          problems.add(new Problem("command", "is not a valid regular expression (Java syntax)"));
        }
      }
    } else {
      notApplicable(problems, type, "command", command);
    }

    if (!problems.isEmpty()) {
      throw invalid(problems);
    }
    return new Entry(new Fault(null, type, target, exitCode, stdout, stderr, delay, seconds, status,
        command, clock.instant(), createdBy), pattern);
  }

  static Set<TargetKind> targetKinds(FaultType type) {
    return switch (type) {
      case UNREACHABLE -> EnumSet.of(TargetKind.SSH_HOST, TargetKind.DNS_SERVER,
          TargetKind.HTTP_ENDPOINT);
      case HOST_KEY_CHANGED, COMMAND_FAILS, COMMAND_HANGS, FILE_REVERTS -> EnumSet.of(TargetKind.SSH_HOST);
      case SLOW -> EnumSet.of(TargetKind.SSH_HOST, TargetKind.HTTP_ENDPOINT);
      case REPLICATION_LAG -> EnumSet.of(TargetKind.REPLICATION);
      case DNS_REFUSE_UPDATES, DNS_SERVFAIL -> EnumSet.of(TargetKind.DNS_SERVER);
      case HTTP_ERROR, SOAP_FAULT -> EnumSet.of(TargetKind.HTTP_ENDPOINT);
    };
  }

  /** The names a target of this kind may have, read from the topology at call time. */
  private Set<String> targets(TargetKind kind) {
    Set<String> names = new LinkedHashSet<>();
    switch (kind) {
      case SSH_HOST -> names.addAll(sshHosts.get());
      case DNS_SERVER -> names.addAll(topology.properties().getDnsServers().keySet());
      case HTTP_ENDPOINT -> topology.properties().getSites().forEach((siteId, site) ->
          site.getEndpoints().keySet().forEach(name -> names.add(siteId + "." + name)));
      case REPLICATION -> {
        Set<String> sites = topology.properties().getSites().keySet();
        for (String from : sites) {
          for (String to : sites) {
            if (!from.equals(to)) {
              names.add(from + "-to-" + to);
            }
          }
        }
      }
    }
    return names;
  }

  private static String describe(Set<TargetKind> kinds) {
    return String.join(" or ", kinds.stream().map(kind -> kind.description).toList());
  }

  private static void notApplicable(List<Problem> problems, FaultType type, String field,
      Object value) {
    if (value != null) {
      problems.add(new Problem(field, "does not apply to " + type));
    }
  }

  private static void tooLong(List<Problem> problems, String field, String value) {
    if (value != null && value.length() > MAX_TEXT) {
      problems.add(new Problem(field, "is longer than " + MAX_TEXT + " characters"));
    }
  }

  private static Duration duration(String text) {
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      try {
        return DurationStyle.SIMPLE.parse(text);
      } catch (IllegalArgumentException simple) {
        return null;
      }
    }
  }

  private static String text(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static FaultRequestException invalid(List<Problem> problems) {
    return new FaultRequestException(problems);
  }
}
