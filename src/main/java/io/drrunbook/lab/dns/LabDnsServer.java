package io.drrunbook.lab.dns;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TSIG;

/**
 * A small authoritative DNS server for one zone, built on dnsjava: the drill lab's {@code lab-dns}
 * and the server the DNS connector tests talk to. It listens on UDP and TCP (two-byte length prefix)
 * on the same port, answers queries for names of its zone ({@code AA} set; {@code NXDOMAIN} for
 * absent names, {@code REFUSED} for names outside the zone) and applies RFC 2136 dynamic updates.
 *
 * <p>Updates must be signed with the TSIG key given to the constructor (RFC 8945):
 * <ul>
 *   <li>an unsigned update is answered {@code REFUSED} (as BIND answers an update its
 *       {@code allow-update} policy denies);</li>
 *   <li>an update signed with another key name or algorithm is answered {@code NOTAUTH} with the
 *       TSIG error {@code BADKEY}, one with a wrong signature {@code NOTAUTH}/{@code BADSIG}, one
 *       signed outside the time fudge {@code NOTAUTH}/{@code BADTIME}; these answers carry the TSIG
 *       error but no MAC, as the RFC requires.</li>
 * </ul>
 * Prerequisites (RFC 2136 section 3.2) and the update section (3.4) are honoured; the zone's SOA
 * serial goes up by one with every update that changed the zone. A validly signed request gets a
 * signed answer. CNAME chasing, wildcards, delegations and zone transfers are not implemented (the
 * lab does not need them; AXFR/IXFR are answered {@code NOTIMP}).
 *
 * <p>Fault switches for drills: {@link #setRefuseUpdates(boolean)} and {@link #setServfail(boolean)}.
 * What it received is kept in {@link #updatesReceived()} and {@link #lastUpdate()}.
 *
 * <p>This class puts together the parts that do the work: {@link LabDnsListener} (sockets,
 * threads), {@link LabDnsResponder} (one message in, its answer out), {@link LabDnsZone} (the
 * records) and {@link LabDnsUpdates} (TSIG and dynamic updates).
 */
public class LabDnsServer implements Closeable {

  private final InetAddress bindAddress;
  private final Name zoneName;
  private final LabDnsZone zone;
  private final LabDnsUpdates updates;
  private final LabDnsResponder responder;
  private final LabDnsListener listener;

  /**
   * A server for {@code zone} that will listen on {@code bind}:{@code port} ({@code 0}: a free
   * port, see {@link #port()}) once {@link #start() started}. The zone starts with its SOA, one NS
   * record ({@code ns1.<zone>}) and that name's A record.
   */
  public LabDnsServer(InetAddress bind, int port, Name zone, TSIG updateKey) {
    Objects.requireNonNull(bind, "bind");
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (!Objects.requireNonNull(zone, "zone").isAbsolute()) {
      throw new IllegalArgumentException("the zone name must be absolute (end with a dot): " + zone);
    }
    Objects.requireNonNull(updateKey, "updateKey");
    this.bindAddress = bind;
    this.zoneName = zone;
    this.zone = new LabDnsZone(zone,
        bind.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bind);
    this.updates = new LabDnsUpdates(this.zone, updateKey);
    this.responder = new LabDnsResponder(this.zone, updates);
    this.listener = new LabDnsListener(bind, port, zone.toString(), responder::handle);
  }

  // ---------------------------------------------------------------- life cycle

  /**
   * Binds UDP, then TCP on the same port (retrying with another free port if port 0 was asked).
   * Started again after {@link #close()}, it binds the port it had before (the zone is kept): the
   * drill lab closes and reopens its DNS server for the "unreachable" fault.
   */
  public void start() throws IOException {
    listener.start();
  }

  @Override
  public void close() {
    listener.close();
  }

  /** The port the server listens (or listened) on: the actual one when started with port 0. */
  public int port() {
    return listener.port();
  }

  public boolean isRunning() {
    return listener.isRunning();
  }

  public InetAddress bindAddress() {
    return bindAddress;
  }

  public Name zone() {
    return zoneName;
  }

  // ---------------------------------------------------------------- zone content

  /** Sets the A RRset of {@code name} to exactly {@code address} (replacing what was there). */
  public void setA(Name name, InetAddress address, long ttl) {
    zone.setA(name, address, ttl);
  }

  /** The addresses of {@code name}'s A RRset, empty if it has none. */
  public List<InetAddress> addresses(Name name) {
    return zone.addresses(name);
  }

  /** A snapshot of every record of the zone, SOA first. */
  public List<Record> records() {
    return zone.records();
  }

  /**
   * Replaces the zone's content, e.g. with records read back from a master file. Every record must
   * belong to the zone; if there is no SOA (or no NS) at the apex, the default ones are kept.
   */
  public void replaceRecords(Collection<? extends Record> records) {
    zone.replaceRecords(records);
  }

  /** The zone in master-file format (SOA first, absolute names). */
  public String toMasterFile() {
    return zone.toMasterFile();
  }

  /** Called with a snapshot of the zone after every change (applied update, setA, replaceRecords). */
  public void setChangeListener(Consumer<List<Record>> listener) {
    zone.setChangeListener(listener);
  }

  // ---------------------------------------------------------------- fault switches

  /** While on, every UPDATE is answered REFUSED (after its TSIG was checked). */
  public void setRefuseUpdates(boolean refuse) {
    updates.setRefuse(refuse);
  }

  public boolean isRefusingUpdates() {
    return updates.isRefusing();
  }

  /** While on, every message (query or update) is answered SERVFAIL. */
  public void setServfail(boolean servfail) {
    responder.setServfail(servfail);
  }

  public boolean isServfail() {
    return responder.isServfail();
  }

  // ---------------------------------------------------------------- what it received

  /**
   * One received UPDATE: when, from where, signed with which key ({@code null}: unsigned), the
   * answer's rcode (and TSIG error, if any), and the prerequisite and update records as text.
   */
  public record UpdateSummary(Instant receivedAt, String client, String keyName, String rcode,
      List<String> prerequisites, List<String> updates) {
    @Override
    public String toString() {
      return "UPDATE from " + client + " key " + (keyName == null ? "(unsigned)" : keyName)
          + " -> " + rcode + "; prerequisites " + prerequisites + "; updates " + updates;
    }
  }

  /** UPDATE messages received, whatever the answer (refused, failed prerequisites, applied). */
  public int updatesReceived() {
    return updates.received();
  }

  /** UPDATE messages applied (answered NOERROR). */
  public int updatesApplied() {
    return updates.applied();
  }

  /** The last UPDATE message received and how it was answered. */
  public Optional<UpdateSummary> lastUpdate() {
    return updates.last();
  }
}
