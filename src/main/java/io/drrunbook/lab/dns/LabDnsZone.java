package io.drrunbook.lab.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The records of the lab DNS server's one zone, by owner name and type, with the SOA serial and a
 * change listener. Thread-safe: every method holds the zone's lock, and {@link #atomically} runs
 * several of them as one step (an RFC 2136 update checks and changes the zone in one). The zone
 * always has its SOA and NS at the apex. Used by {@link LabDnsServer} (content, listener),
 * {@link LabDnsResponder} (queries) and {@link LabDnsUpdates} (dynamic updates).
 */
final class LabDnsZone {

  private static final Logger log = LoggerFactory.getLogger(LabDnsZone.class);

  private static final long SOA_TTL = 3600;

  private final Name origin;
  private final InetAddress nameServerAddress;

  /** name -> type -> records of that RRset; guarded by {@code this}. */
  private final NavigableMap<Name, Map<Integer, List<Record>>> data = new TreeMap<>();

  private final Object listenerLock = new Object();
  private volatile Consumer<List<Record>> changeListener = records -> { };

  /**
   * A zone {@code origin} (absolute) with its SOA, one NS record ({@code ns1.<origin>}) and, if
   * {@code nameServerAddress} is IPv4, that name's A record.
   */
  LabDnsZone(Name origin, InetAddress nameServerAddress) {
    this.origin = origin;
    this.nameServerAddress = nameServerAddress;
    synchronized (this) {
      seedApex();
    }
  }

  Name origin() {
    return origin;
  }

  // ---------------------------------------------------------------- content

  /** Sets the A RRset of {@code name} to exactly {@code address} (replacing what was there). */
  void setA(Name name, InetAddress address, long ttl) {
    synchronized (this) {
      requireInZone(name);
      setRrset(new ARecord(name, DClass.IN, ttl, address));
      bumpSerial();
    }
    publishChange();
  }

  /** The addresses of {@code name}'s A RRset, empty if it has none. */
  synchronized List<InetAddress> addresses(Name name) {
    return rrset(name, Type.A).stream().map(r -> ((ARecord) r).getAddress()).toList();
  }

  /** A snapshot of every record of the zone, SOA first. */
  synchronized List<Record> records() {
    List<Record> all = new ArrayList<>();
    all.addAll(rrset(origin, Type.SOA));
    data.forEach((name, byType) -> byType.forEach((type, records) -> {
      if (!(type == Type.SOA && name.equals(origin))) {
        all.addAll(records);
      }
    }));
    return List.copyOf(all);
  }

  /**
   * Replaces the zone's content. Every record must belong to the zone; if there is no SOA (or no
   * NS) at the apex, the default ones are kept.
   */
  void replaceRecords(Collection<? extends Record> records) {
    synchronized (this) {
      for (Record record : records) {
        requireInZone(record.getName());
      }
      data.clear();
      for (Record record : records) {
        if (record.getType() == Type.SOA && !record.getName().equals(origin)) {
          throw new IllegalArgumentException("an SOA record belongs at the zone apex: " + record);
        }
        load(record);
      }
      Map<Integer, List<Record>> apex = rrsets(origin);
      if (!apex.containsKey(Type.SOA) || !apex.containsKey(Type.NS)) {
        Map<Integer, List<Record>> kept = new LinkedHashMap<>(apex);
        seedApex();
        apex.putAll(kept);
      }
    }
    publishChange();
  }

  /** The zone in master-file format (SOA first, absolute names). */
  String toMasterFile() {
    StringBuilder text = new StringBuilder();
    text.append("$ORIGIN ").append(origin).append('\n');
    for (Record record : records()) {
      text.append(record).append('\n');
    }
    return text.toString();
  }

  /** Called with a snapshot of the zone after every change (applied update, setA, replaceRecords). */
  void setChangeListener(Consumer<List<Record>> listener) {
    this.changeListener = listener == null ? records -> { } : listener;
  }

  /**
   * Hands the listener the zone as it is now. Serialised, and the snapshot is taken inside the
   * listener lock, so the last call always sees the latest zone even when updates race.
   */
  void publishChange() {
    synchronized (listenerLock) {
      try {
        changeListener.accept(records());
      } catch (RuntimeException e) {
        log.warn("lab DNS change listener failed", e);
      }
    }
  }

  // ---------------------------------------------------------------- queries

  /**
   * What the zone holds for {@code name} and {@code type} ({@link Type#ANY}: every type), read in
   * one step with the SOA that goes into a negative answer.
   */
  synchronized Lookup lookup(Name name, int type) {
    if (!nameInUse(name)) {
      return new Lookup(false, List.of(), soa());
    }
    List<Record> found = new ArrayList<>();
    if (type == Type.ANY) {
      data.getOrDefault(name, Map.of()).values().forEach(found::addAll);
    } else {
      found.addAll(rrset(name, type));
    }
    return new Lookup(true, List.copyOf(found), soa());
  }

  /** The answer to one question: whether the name is in use, its records, and the zone's SOA. */
  record Lookup(boolean nameExists, List<Record> records, SOARecord soa) { }

  // ---------------------------------------------------------------- edits (see atomically)

  /** Runs {@code work} holding the zone's lock, so that no query or other change sees it halfway. */
  synchronized <T> T atomically(Supplier<T> work) {
    return work.get();
  }

  synchronized SOARecord soa() {
    return (SOARecord) data.get(origin).get(Type.SOA).get(0);
  }

  /** Raises the SOA serial by one (wrapping from 2^32-1 to 1, never 0). */
  synchronized void bumpSerial() {
    SOARecord old = soa();
    long serial = (old.getSerial() + 1) & 0xFFFFFFFFL;
    setRrset(new SOARecord(origin, DClass.IN, old.getTTL(), old.getHost(), old.getAdmin(),
        serial == 0 ? 1 : serial, old.getRefresh(), old.getRetry(), old.getExpire(),
        old.getMinimum()));
  }

  /** The records of one RRset, empty if there are none. */
  synchronized List<Record> rrset(Name name, int type) {
    Map<Integer, List<Record>> byType = data.get(name);
    return byType == null ? List.of() : List.copyOf(byType.getOrDefault(type, List.of()));
  }

  /** The types {@code name} owns records of. */
  synchronized Set<Integer> types(Name name) {
    Map<Integer, List<Record>> byType = data.get(name);
    return byType == null ? Set.of() : Set.copyOf(byType.keySet());
  }

  /** A name is in use if it owns records or is an empty non-terminal above a name that does. */
  synchronized boolean nameInUse(Name name) {
    if (data.containsKey(name)) {
      return true;
    }
    for (Name owner : data.keySet()) {
      if (owner.subdomain(name)) {
        return true;
      }
    }
    return false;
  }

  /** Makes {@code record} the only record of its RRset. */
  synchronized void setRrset(Record record) {
    rrsets(record.getName()).put(record.getType(), new ArrayList<>(List.of(record)));
  }

  /**
   * Adds {@code record} to its RRset (replacing an equal one) and gives the whole RRset its TTL;
   * whether the zone changed.
   */
  synchronized boolean merge(Record record) {
    List<Record> rrset = rrsets(record.getName())
        .computeIfAbsent(record.getType(), t -> new ArrayList<>());
    boolean present = rrset.contains(record);
    boolean ttlChanged = !rrset.isEmpty() && rrset.get(0).getTTL() != record.getTTL();
    rrset.remove(record);
    rrset.add(record);
    // one TTL per RRset (RFC 2181 5.2): the newest wins
    rrset.replaceAll(r -> r.getTTL() == record.getTTL() ? r : copy(r, DClass.IN, record.getTTL()));
    return !present || ttlChanged;
  }

  /** Deletes the RRset of {@code name} and {@code type}; whether there was one. */
  synchronized boolean removeRrset(Name name, int type) {
    Map<Integer, List<Record>> byType = data.get(name);
    if (byType == null) {
      return false;
    }
    boolean changed = byType.remove(type) != null;
    pruneIfEmpty(name);
    return changed;
  }

  /** Deletes the record with the name, type and rdata of {@code record}; whether there was one. */
  synchronized boolean removeRecord(Record record) {
    Name name = record.getName();
    Map<Integer, List<Record>> byType = data.get(name);
    if (byType == null || !byType.containsKey(record.getType())) {
      return false;
    }
    List<Record> rrset = byType.get(record.getType());
    boolean changed = rrset.remove(copy(record, DClass.IN, 0));
    if (rrset.isEmpty()) {
      byType.remove(record.getType());
    }
    pruneIfEmpty(name);
    return changed;
  }

  // ---------------------------------------------------------------- helpers (hold the lock)

  private void seedApex() {
    Name ns = label("ns1");
    Map<Integer, List<Record>> apex = rrsets(origin);
    apex.put(Type.SOA, new ArrayList<>(List.of(new SOARecord(origin, DClass.IN, SOA_TTL, ns,
        label("hostmaster"), 1, 3600, 600, 86400, 60))));
    apex.put(Type.NS, new ArrayList<>(List.of(new NSRecord(origin, DClass.IN, SOA_TTL, ns))));
    if (nameServerAddress instanceof Inet4Address) {
      rrsets(ns).putIfAbsent(Type.A,
          new ArrayList<>(List.of(new ARecord(ns, DClass.IN, SOA_TTL, nameServerAddress))));
    }
  }

  private Name label(String label) {
    try {
      return Name.fromString(label, origin);
    } catch (TextParseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Adds a record read from outside (class IN whatever it said; an SOA replaces the SOA). */
  private void load(Record record) {
    Record normalized = record.getDClass() == DClass.IN
        ? record : copy(record, DClass.IN, record.getTTL());
    List<Record> rrset = rrsets(record.getName())
        .computeIfAbsent(record.getType(), t -> new ArrayList<>());
    if (record.getType() == Type.SOA) {
      rrset.clear();
    }
    rrset.remove(normalized);
    rrset.add(normalized);
  }

  private Map<Integer, List<Record>> rrsets(Name name) {
    return data.computeIfAbsent(name, n -> new TreeMap<>());
  }

  private void pruneIfEmpty(Name name) {
    Map<Integer, List<Record>> byType = data.get(name);
    if (byType != null) {
      byType.values().removeIf(List::isEmpty);
      if (byType.isEmpty()) {
        data.remove(name);
      }
    }
  }

  private void requireInZone(Name name) {
    if (!name.isAbsolute() || !name.subdomain(origin)) {
      throw new IllegalArgumentException(name + " is not in zone " + origin);
    }
  }

  private static Record copy(Record record, int dclass, long ttl) {
    return Record.newRecord(record.getName(), record.getType(), dclass, ttl,
        record.rdataToWireCanonical());
  }
}
