package io.drrunbook.lab;

import io.drrunbook.lab.LabState.ProxyState;
import io.drrunbook.lab.LabState.Replication;
import io.drrunbook.lab.LabState.RunState;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyException;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The lab's tiny shell: what a simulated host does with an SSH exec command line. It splits the line
 * with POSIX quoting, refuses shell operators, and runs only the scripts of the host's role (see the
 * brief's command catalog); anything else is {@code not found} (exit 127), as dash would say, so a
 * typo in a procedure cannot pass in the lab.
 *
 * <ul>
 *   <li>genesys-mgmt: {@code /opt/dr/bin/genesys-ctl start|stop|status <app>}</li>
 *   <li>goldengate: {@code /opt/dr/bin/dr-replication start|stop|status <direction>}</li>
 *   <li>cs-proxy: {@code getent hosts <name>}, {@code /opt/dr/bin/cs-switchover <masterName>},
 *       {@code /opt/dr/bin/cs-proxy-ctl status}</li>
 * </ul>
 * Every command is recorded in the host's command log; start, stop and switchover executions (valid
 * arguments, whether or not the state was already the target) are counted per action, e.g.
 * {@code genesys-ctl start confserv-master-pair}. A configured delay ({@code dr.lab.command-delays},
 * by script name) is spent after the state change is persisted, as a real start is already under way.
 */
@Component
@Profile("lab")
public class LabShell {

  /** What a command printed and returned. */
  public record Result(int exitCode, String stdout, String stderr) {
    static Result ok(String stdout) {
      return new Result(0, stdout, "");
    }

    static Result error(int exitCode, String stderr) {
      return new Result(exitCode, "", stderr);
    }
  }

  /** A command line the shell cannot split (operators, unterminated quotes): exit 2 with this message. */
  static final class SyntaxException extends Exception {
    SyntaxException(String message) {
      super(message);
    }
  }

  static final String OPERATORS_MESSAGE = "lab shell: operators are not supported";
  static final String DNS_SERVER = "lab-dns";

  private static final String BIN = "/opt/dr/bin/";
  private static final Map<String, List<String>> COMMANDS_BY_ROLE = Map.of(
      LabState.ROLE_GENESYS_MGMT, List.of("genesys-ctl"),
      LabState.ROLE_GOLDENGATE, List.of("dr-replication"),
      LabState.ROLE_CS_PROXY, List.of("getent", "cs-switchover", "cs-proxy-ctl"));
  private static final Map<String, String> LOCATIONS = Map.of(
      "genesys-ctl", BIN + "genesys-ctl",
      "dr-replication", BIN + "dr-replication",
      "cs-switchover", BIN + "cs-switchover",
      "cs-proxy-ctl", BIN + "cs-proxy-ctl",
      "getent", "/usr/bin/getent");
  private static final DateTimeFormatter GGSCI_TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm", Locale.ROOT);
  private static final Logger log = LoggerFactory.getLogger(LabShell.class);
  private static final ThreadLocal<Duration> PENDING_DELAY = new ThreadLocal<>();

  private final LabState state;
  private final LabProperties properties;
  private final Topology topology;

  public LabShell(LabState state, LabProperties properties, Topology topology) {
    this.state = state;
    this.properties = properties;
    this.topology = topology;
  }

  /** Runs one exec command line on a simulated host and records it. */
  public Result execute(String host, String commandLine) {
    String role = state.role(host);
    String[] counted = new String[1];
    Result result;
    try {
      result = run(host, role, tokenize(commandLine), counted);
    } catch (SyntaxException e) {
      result = Result.error(2, e.getMessage() + "\n");
    }
    state.recordCommand(host, commandLine, result.exitCode(), counted[0]);
    log.debug("lab {} ran [{}] -> {}", host, commandLine, result.exitCode());
    sleepPendingDelay();
    return result;
  }

  private Result run(String host, String role, List<String> words, String[] counted) {
    if (words.isEmpty()) {
      return Result.ok("");
    }
    String program = words.get(0);
    String command = resolve(program, role);
    if (command == null) {
      return Result.error(127, "sh: 1: " + program + ": not found\n");
    }
    List<String> args = words.subList(1, words.size());
    return switch (command) {
      case "genesys-ctl" -> genesysCtl(host, args, counted);
      case "dr-replication" -> drReplication(host, args, counted);
      case "getent" -> getent(host, args);
      case "cs-switchover" -> csSwitchover(host, args, counted);
      case "cs-proxy-ctl" -> csProxyCtl(host, args);
      default -> Result.error(127, "sh: 1: " + program + ": not found\n");
    };
  }

  /** The script a program word names on this role: its full path, or its bare name (/opt/dr/bin is on the PATH). */
  private static String resolve(String program, String role) {
    for (String command : COMMANDS_BY_ROLE.getOrDefault(role, List.of())) {
      if (program.equals(command) || program.equals(LOCATIONS.get(command))) {
        return command;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- genesys-mgmt

  private Result genesysCtl(String host, List<String> args, String[] counted) {
    if (args.size() != 2 || !List.of("start", "stop", "status").contains(args.get(0))) {
      return Result.error(2, "usage: genesys-ctl start|stop|status <app>\n");
    }
    String action = args.get(0);
    String app = args.get(1);
    if (!state.apps(host).contains(app)) {
      return Result.error(2, "genesys-ctl: unknown application '" + app + "' (known: "
          + String.join(", ", state.apps(host)) + ")\n");
    }
    if (action.equals("status")) {
      return Result.ok(app + " " + state.appState(host, app) + "\n");
    }
    counted[0] = "genesys-ctl " + action + " " + app;
    RunState target = action.equals("start") ? RunState.RUNNING : RunState.STOPPED;
    RunState previous = state.setAppState(host, app, target);
    if (previous == target) {
      return Result.ok(app + " already " + target + "\n");
    }
    delay("genesys-ctl");
    return Result.ok((target == RunState.RUNNING ? "starting " : "stopping ") + app + "\n"
        + app + " " + target + "\n");
  }

  // ---------------------------------------------------------------- goldengate

  private Result drReplication(String host, List<String> args, String[] counted) {
    if (args.size() != 2 || !List.of("start", "stop", "status").contains(args.get(0))) {
      return Result.error(2, "usage: dr-replication start|stop|status <direction>\n");
    }
    String action = args.get(0);
    String direction = args.get(1);
    boolean here = state.replicationsOn(host).stream().anyMatch(r -> r.direction().equals(direction));
    if (!here) {
      return Result.error(1, "no replicat for " + direction + " on this host\n");
    }
    if (action.equals("status")) {
      return Result.ok(replicationStatus(state.replication(direction)));
    }
    counted[0] = "dr-replication " + action + " " + direction;
    RunState target = action.equals("start") ? RunState.RUNNING : RunState.STOPPED;
    Replication previous = state.setReplicationState(direction, target);
    if (previous.status() == target) {
      return Result.ok(direction + " already " + target + "\n");
    }
    delay("dr-replication");
    StringBuilder out = new StringBuilder();
    for (String replicat : previous.replicats()) {
      out.append("Sending ").append(action.toUpperCase(Locale.ROOT)).append(" request to REPLICAT ")
          .append(replicat).append(" ...\n");
      out.append(target == RunState.RUNNING
          ? "REPLICAT " + replicat + " starting\n"
          : "Request processed.\n");
    }
    return Result.ok(out.append(direction).append(' ').append(target).append('\n').toString());
  }

  private String replicationStatus(Replication r) {
    StringBuilder out = new StringBuilder(r.direction()).append(' ').append(r.status()).append('\n');
    String lastStarted = GGSCI_TIME.format(r.lastStarted().atZone(state.zone()));
    for (String replicat : r.replicats()) {
      out.append(String.format(Locale.ROOT, "REPLICAT   %-8s  Last Started %s   Status %s\n",
          replicat, lastStarted, r.status()));
    }
    return out.append("lag ").append(r.lagSeconds()).append(" seconds\n").toString();
  }

  // ---------------------------------------------------------------- cs-proxy

  private Result getent(String host, List<String> args) {
    if (args.isEmpty()) {
      return Result.error(1, "Usage: getent [OPTION...] database [key ...]\n");
    }
    if (!args.get(0).equals("hosts")) {
      return Result.error(1, "Unknown database: " + args.get(0) + "\n");
    }
    ProxyState proxy = state.proxy(host);
    StringBuilder out = new StringBuilder();
    boolean allFound = true;
    List<String> keys = args.size() == 1 ? List.of(proxy.master()) : args.subList(1, args.size());
    for (String name : keys) {
      if (sameName(name, proxy.master()) && proxy.cachedAddress() != null) {
        out.append(proxy.cachedAddress()).append("  ").append(proxy.master()).append('\n');
      } else {
        allFound = false;
      }
    }
    return new Result(allFound ? 0 : 2, out.toString(), "");
  }

  private Result csSwitchover(String host, List<String> args, String[] counted) {
    if (args.size() != 1) {
      return Result.error(2, "usage: cs-switchover <masterName>\n");
    }
    String name = args.get(0);
    ProxyState before = state.proxy(host);
    if (!sameName(name, before.master())) {
      return Result.error(2, "cs-switchover: this proxy's master is " + before.master() + ", not " + name + "\n");
    }
    counted[0] = "cs-switchover " + name;
    String resolved;
    try {
      resolved = resolveNow(name);
    } catch (SwitchoverException e) {
      return Result.error(1, "cs-switchover: " + e.getMessage() + "\n");
    }
    ProxyState after = state.switchProxy(host, resolved);
    delay("cs-switchover");
    StringBuilder out = new StringBuilder()
        .append("flushed name cache: ").append(before.master()).append(" -> ")
        .append(resolved == null ? "(not found)" : resolved)
        .append(" (was ").append(before.cachedAddress() == null ? "(none)" : before.cachedAddress()).append(")\n");
    if (after.mode() == LabState.ProxyMode.NORMAL) {
      out.append("reconnected to master configuration server at ").append(after.connectedTo()).append('\n');
    } else {
      out.append("no master configuration server running at ")
          .append(resolved == null ? "(no address)" : resolved).append("; proxy in limited mode\n");
    }
    out.append(proxyStatus(after));
    if (resolved == null) {
      return new Result(1, out.toString(), "cs-switchover: " + before.master() + " does not resolve (NXDOMAIN)\n");
    }
    return Result.ok(out.toString());
  }

  private Result csProxyCtl(String host, List<String> args) {
    if (args.size() != 1 || !args.get(0).equals("status")) {
      return Result.error(2, "usage: cs-proxy-ctl status\n");
    }
    return Result.ok(proxyStatus(state.proxy(host)));
  }

  private static String proxyStatus(ProxyState proxy) {
    return "mode " + proxy.mode().label() + "\n"
        + "master " + proxy.master() + "\n"
        + "connected-to " + proxy.connectedTo() + "\n";
  }

  private static final class SwitchoverException extends Exception {
    SwitchoverException(String message) {
      super(message);
    }
  }

  /** Resolves a name now, over the network, at the lab DNS server; null if it does not exist. */
  private String resolveNow(String name) throws SwitchoverException {
    DnsServer server;
    try {
      server = topology.dnsServer(DNS_SERVER);
    } catch (TopologyException e) {
      throw new SwitchoverException("no DNS server configured: " + e.getMessage());
    }
    String where = server.getAddress() + ":" + server.getPort();
    Message response;
    try {
      SimpleResolver resolver =
          new SimpleResolver(new InetSocketAddress(InetAddress.getByName(server.getAddress()), server.getPort()));
      resolver.setTimeout(server.getTimeout());
      Name query = Name.fromString(name, Name.root);
      response = resolver.send(Message.newQuery(Record.newRecord(query, Type.A, DClass.IN)));
    } catch (TextParseException e) {
      throw new SwitchoverException("'" + name + "' is not a valid DNS name");
    } catch (IOException e) {
      throw new SwitchoverException("DNS server " + where + " is unreachable ("
          + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName())
          + "); name cache not flushed, proxy unchanged");
    }
    int rcode = response.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return null;
    }
    if (rcode != Rcode.NOERROR) {
      throw new SwitchoverException("DNS server " + where + " answered " + Rcode.string(rcode)
          + " for " + name + "; name cache not flushed, proxy unchanged");
    }
    return response.getSection(Section.ANSWER).stream()
        .filter(ARecord.class::isInstance)
        .map(r -> ((ARecord) r).getAddress().getHostAddress())
        .findFirst()
        .orElse(null);
  }

  private static boolean sameName(String a, String b) {
    return a != null && b != null && stripDot(a).equalsIgnoreCase(stripDot(b));
  }

  private static String stripDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  /**
   * Marks the running command as slow: it answers only after the configured delay, which starts
   * once the state change and the command are on record (as a real server is already starting
   * while its start script still runs).
   */
  private void delay(String command) {
    PENDING_DELAY.set(properties.getCommandDelays().get(command));
  }

  private static void sleepPendingDelay() {
    Duration delay = PENDING_DELAY.get();
    PENDING_DELAY.remove();
    if (delay == null || delay.isZero() || delay.isNegative()) {
      return;
    }
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- tokenizer

  /**
   * Splits a command line into words like a POSIX shell: single quotes keep everything literally,
   * double quotes keep everything but {@code \\ \" \$ \`} escapes, a backslash outside quotes escapes
   * the next character. Unquoted operators ({@code ; | & > < ( ) `}, new line) and any {@code $}
   * expansion outside single quotes are refused: the lab runs one command, never a pipeline.
   */
  static List<String> tokenize(String line) throws SyntaxException {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '\'') {
        int close = line.indexOf('\'', i + 1);
        if (close < 0) {
          throw new SyntaxException("sh: 1: Syntax error: Unterminated quoted string");
        }
        word.append(line, i + 1, close);
        inWord = true;
        i = close + 1;
      } else if (c == '"') {
        i = doubleQuoted(line, i + 1, word);
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 < line.length()) {
          char next = line.charAt(i + 1);
          if (next != '\n') {
            word.append(next);
            inWord = true;
          }
          i += 2;
        } else {
          word.append(c);
          inWord = true;
          i++;
        }
      } else if (c == ' ' || c == '\t') {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        i++;
      } else if (";|&<>()`$\n\r".indexOf(c) >= 0) {
        throw new SyntaxException(OPERATORS_MESSAGE);
      } else {
        word.append(c);
        inWord = true;
        i++;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  /** Reads a double-quoted part starting after its opening quote; returns the index after the closing quote. */
  private static int doubleQuoted(String line, int start, StringBuilder word) throws SyntaxException {
    int i = start;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c == '\\' && i + 1 < line.length() && "$`\"\\\n".indexOf(line.charAt(i + 1)) >= 0) {
        if (line.charAt(i + 1) != '\n') {
          word.append(line.charAt(i + 1));
        }
        i += 2;
      } else if (c == '$' || c == '`') {
        throw new SyntaxException(OPERATORS_MESSAGE);
      } else {
        word.append(c);
        i++;
      }
    }
    throw new SyntaxException("sh: 1: Syntax error: Unterminated quoted string");
  }
}
