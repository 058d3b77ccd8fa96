package io.drrunbook.prechecks;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.connectors.dns.DnsConnector;
import io.drrunbook.connectors.dns.DnsException;
import io.drrunbook.connectors.http.HttpRequestConnector;
import io.drrunbook.connectors.sql.TargetDatabases;
import io.drrunbook.connectors.ssh.SshCommandException;
import io.drrunbook.connectors.ssh.SshCommandRunner;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyException;
import io.drrunbook.topology.TopologyProperties.DnsRecord;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.PortUnreachableException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIGRecord;

/**
 * Read-only probes of one target of the topology, for the prechecks of a procedure: is the host,
 * database, DNS server or endpoint reachable, are its credentials accepted, is its SSH host key
 * known. Each probe goes through the connector that a step would use (same topology, secrets and
 * host-key rules), changes nothing, and is bounded by {@code dr.prechecks.probe-timeout} (a probe
 * that outlives it is abandoned and reported as not answering).
 *
 * <ul>
 *   <li>host: SSH connect, host key against known_hosts, public-key authentication, close; no
 *       command runs;</li>
 *   <li>database: log in, {@link Connection#isValid}, close;</li>
 *   <li>DNS server: query the SOA of every zone the topology's DNS records put on it (TSIG-signed
 *       when the server has a key, so a wrong key is refused); NOERROR with the SOA is ok;</li>
 *   <li>endpoint: GET of its URL with its Authorization; 401/403 is refused credentials, any other
 *       status (even 404) means reachable.</li>
 * </ul>
 * Details name the target's logical name and address, never a secret (they pass the
 * {@link SecretMasker} as well).
 */
@Component
public class TargetProbes implements AutoCloseable {

  /** Lets a library's own time-out (with its clearer message) fire before the probe is abandoned. */
  private static final Duration GRACE = Duration.ofMillis(500);
  private static final Logger log = LoggerFactory.getLogger(TargetProbes.class);

  private final Topology topology;
  private final SshCommandRunner ssh;
  private final TargetDatabases databases;
  private final DnsConnector dns;
  private final HttpRequestConnector http;
  private final SecretMasker masker;
  private final Duration limit;
  private final ExecutorService workers;

  public TargetProbes(Topology topology, SshCommandRunner ssh, TargetDatabases databases,
      DnsConnector dns, HttpRequestConnector http, SecretMasker masker,
      @Value("${dr.prechecks.probe-timeout:5s}") Duration limit) {
    this.topology = topology;
    this.ssh = ssh;
    this.databases = databases;
    this.dns = dns;
    this.http = http;
    this.masker = masker;
    if (limit == null || limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException("dr.prechecks.probe-timeout must be positive, got " + limit);
    }
    this.limit = limit;
    AtomicInteger threads = new AtomicInteger();
    this.workers = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "precheck-probe-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Probes the target {@code logicalName} of kind {@code kind}; never throws for a failed probe. */
  public ProbeResult probe(TargetKind kind, String logicalName) {
    Objects.requireNonNull(kind, "kind");
    long started = System.nanoTime();
    Outcome outcome;
    Future<Outcome> future = workers.submit(() -> probeNow(kind, logicalName));
    try {
      outcome = future.get(limit.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      outcome = Outcome.failed(ProbeResult.CONNECTION,
          describe(kind, logicalName) + ": no answer within " + format(limit));
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      outcome = Outcome.failed(ProbeResult.CONNECTION,
          describe(kind, logicalName) + ": the probe was interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      log.warn("probe of {} {} failed unexpectedly", kind.id(), logicalName, cause);
      outcome = Outcome.failed(ProbeResult.CONNECTION, describe(kind, logicalName)
          + ": the probe failed (" + cause.getClass().getSimpleName() + ")");
    }
    long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    ProbeResult result = new ProbeResult(kind, logicalName, outcome.ok(), outcome.check(),
        masker.mask(outcome.detail()), durationMs);
    log.info("precheck probe {}: {} ({} ms)", result.ok() ? "ok" : result.check(),
        result.detail(), durationMs);
    return result;
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }

  private Outcome probeNow(TargetKind kind, String name) {
    try {
      return switch (kind) {
        case HOST -> probeHost(name);
        case DATABASE -> probeDatabase(name);
        case DNS_SERVER -> probeDnsServer(name);
        case ENDPOINT -> probeEndpoint(name);
      };
    } catch (TopologyException e) {
      return Outcome.failed(ProbeResult.CONFIGURATION, label(kind) + " " + name + ": "
          + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- host

  private Outcome probeHost(String name) {
    String where = describe(TargetKind.HOST, name);
    try {
      ssh.probe(name, limit);
      return Outcome.ok(where + ": reachable, host key known, authenticated as "
          + topology.host(name).getSsh().getUser());
    } catch (SshCommandException e) {
      return Outcome.failed(sshCheck(e.getMessage()), "host " + e.getMessage());
    }
  }

  /** Which check an SSH failure is, from the runner's messages. */
  private static String sshCheck(String message) {
    if (message.contains("authentication failed")) {
      return ProbeResult.CREDENTIALS;
    }
    if (message.contains("host key") || message.contains("known_hosts")) {
      return ProbeResult.HOST_KEY;
    }
    if (message.contains("the topology gives no") || message.contains("private key")
        || message.contains("known-hosts")) {
      return ProbeResult.CONFIGURATION;
    }
    return ProbeResult.CONNECTION;
  }

  // ---------------------------------------------------------------- database

  private Outcome probeDatabase(String name) {
    String where = describe(TargetKind.DATABASE, name);
    String user = topology.database(name).getUsername();
    Connection connection;
    try {
      connection = databases.open(name);
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof SQLException sql) {
        if (sql.getSQLState() != null && sql.getSQLState().startsWith("28")) {
          return Outcome.failed(ProbeResult.CREDENTIALS, where + ": login refused"
              + (user == null ? "" : " for user " + user));
        }
        return Outcome.failed(ProbeResult.CONNECTION, where + ": cannot connect ("
            + sql.getSQLState() + "): " + firstLine(sql.getMessage()));
      }
      throw e;
    }
    try (connection) {
      int seconds = (int) Math.max(1, limit.toSeconds());
      if (!connection.isValid(seconds)) {
        return Outcome.failed(ProbeResult.ANSWER, where + ": logged in, but the connection is not"
            + " valid (no answer to the driver's check within " + seconds + " s)");
      }
      return Outcome.ok(where + ": reachable, logged in" + (user == null ? "" : " as " + user));
    } catch (SQLException e) {
      return Outcome.failed(ProbeResult.CONNECTION, where + ": " + firstLine(e.getMessage()));
    }
  }

  /** A JDBC URL without its parameters (which could carry a password). */
  private static String displayUrl(String url) {
    if (url == null) {
      return "no url";
    }
    int cut = url.length();
    for (char separator : new char[] {'?', ';'}) {
      int at = url.indexOf(separator);
      if (at >= 0) {
        cut = Math.min(cut, at);
      }
    }
    return url.substring(0, cut);
  }

  // ---------------------------------------------------------------- DNS server

  private Outcome probeDnsServer(String name) {
    DnsServer server = topology.dnsServer(name);
    String where = describe(TargetKind.DNS_SERVER, name);
    List<String> zones = topology.properties().getDnsRecords().values().stream()
        .filter(record -> name.equals(record.getServer()) && record.getZone() != null)
        .map(DnsRecord::getZone)
        .distinct()
        .toList();
    if (zones.isEmpty()) {
      return Outcome.failed(ProbeResult.CONFIGURATION, where + ": no DNS record of the topology"
          + " is on this server, so there is no zone to ask the SOA of");
    }
    boolean signed = server.getTsigKeyName() != null && server.getTsigSecret() != null;
    StringBuilder serials = new StringBuilder();
    for (String zone : zones) {
      Message response;
      try {
        response = dns.querySoa(name, zone, limit);
      } catch (DnsException e) {
        if (causedBy(e, PortUnreachableException.class)) {
          return Outcome.failed(ProbeResult.CONNECTION, where + ": nothing listens there (port"
              + " unreachable) for SOA " + zone);
        }
        if (e.getCause() instanceof IOException && !(e.getCause() instanceof UnknownHostException)) {
          return Outcome.failed(ProbeResult.CONNECTION, where + ": no answer for SOA " + zone
              + " within " + format(limit));
        }
        return Outcome.failed(ProbeResult.CONFIGURATION, where + ": " + e.getMessage());
      } catch (IllegalArgumentException e) {
        // a TSIG key the topology gives wrongly (algorithm, name, base64); the message has no secret
        return Outcome.failed(ProbeResult.CONFIGURATION, where + ": " + e.getMessage());
      }
      int rcode = response.getRcode();
      TSIGRecord tsig = response.getTSIG();
      if (rcode == Rcode.NOTAUTH && tsig != null && tsig.getError() != Rcode.NOERROR) {
        return Outcome.failed(ProbeResult.CREDENTIALS, where + ": TSIG key "
            + server.getTsigKeyName() + " refused (NOTAUTH, TSIG "
            + Rcode.TSIGstring(tsig.getError()) + ") for SOA " + zone);
      }
      if (rcode != Rcode.NOERROR) {
        return Outcome.failed(ProbeResult.ANSWER, where + ": answered " + Rcode.string(rcode)
            + " for SOA " + zone);
      }
      if (signed && !response.isVerified()) {
        return Outcome.failed(ProbeResult.CREDENTIALS, where + ": the answer for SOA " + zone
            + " is not signed with TSIG key " + server.getTsigKeyName());
      }
      List<Record> soa = response.getSection(Section.ANSWER).stream()
          .filter(SOARecord.class::isInstance).toList();
      if (soa.isEmpty()) {
        return Outcome.failed(ProbeResult.ANSWER, where + ": answered NOERROR but no SOA for "
            + zone + " (not authoritative for it?)");
      }
      serials.append(serials.length() == 0 ? "" : ", ").append(zone).append(" serial ")
          .append(((SOARecord) soa.get(0)).getSerial());
    }
    return Outcome.ok(where + ": reachable, SOA " + serials
        + (signed ? " (TSIG key " + server.getTsigKeyName() + " accepted)" : ""));
  }

  // ---------------------------------------------------------------- endpoint

  private Outcome probeEndpoint(String name) {
    String where = describe(TargetKind.ENDPOINT, name);
    int status;
    try {
      status = http.send(name, "GET", "", null, Map.of("Accept", "*/*"), limit,
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      if (e.getCause() instanceof ConnectException) {
        return Outcome.failed(ProbeResult.CONNECTION, where + ": connection refused");
      }
      if (e.getCause() instanceof HttpTimeoutException) {
        return Outcome.failed(ProbeResult.CONNECTION, where + ": no answer within "
            + format(limit));
      }
      return Outcome.failed(ProbeResult.CONNECTION, where + ": "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.failed(ProbeResult.CONNECTION, where + ": the probe was interrupted");
    } catch (IllegalArgumentException e) {
      return Outcome.failed(ProbeResult.CONFIGURATION, where + ": invalid URL ("
          + e.getMessage() + ")");
    }
    if (status == 401 || status == 403) {
      return Outcome.failed(ProbeResult.CREDENTIALS, where + ": credentials refused (HTTP "
          + status + ")");
    }
    return Outcome.ok(where + ": reachable (HTTP " + status + ")");
  }

  // ---------------------------------------------------------------- messages

  /** "host site2.cs-mgmt (127.0.0.1:2221)"; without the address when the topology lacks it. */
  private String describe(TargetKind kind, String name) {
    try {
      String address = switch (kind) {
        case HOST -> null;
        case DATABASE -> displayUrl(topology.database(name).getUrl());
        case DNS_SERVER -> {
          DnsServer server = topology.dnsServer(name);
          yield server.getAddress() + ":" + server.getPort();
        }
        case ENDPOINT -> {
          URI uri = HttpRequestConnector.uri(topology.endpoint(name), "");
          int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
          yield uri.getHost() + ":" + port;
        }
      };
      return label(kind) + " " + (kind == TargetKind.HOST ? ssh.describe(name)
          : name + " (" + address + ")");
    } catch (RuntimeException e) {
      return label(kind) + " " + name;
    }
  }

  private static String label(TargetKind kind) {
    return kind == TargetKind.DNS_SERVER ? "DNS server" : kind.id();
  }

  private static String format(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s"
        : duration.toMillis() + " ms";
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "no message";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  private record Outcome(boolean ok, String check, String detail) {
    static Outcome ok(String detail) {
      return new Outcome(true, ProbeResult.REACHABLE, detail);
    }

    static Outcome failed(String check, String detail) {
      return new Outcome(false, check, detail);
    }
  }
}
