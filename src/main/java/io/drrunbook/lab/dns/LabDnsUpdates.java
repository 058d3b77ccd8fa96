package io.drrunbook.lab.dns;

import io.drrunbook.lab.dns.LabDnsServer.UpdateSummary;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/**
 * The lab DNS server's TSIG check and RFC 2136 dynamic updates: verifies the signature of every
 * signed request against the one key (RFC 8945), and checks an UPDATE's zone, prerequisites (3.2)
 * and update section (3.4.1) before it applies the update to the {@link LabDnsZone} in one step
 * (3.4.2), raising the SOA serial if the zone changed. Keeps the count of updates received and
 * applied and the last one received. Called by {@link LabDnsResponder} for every message.
 */
final class LabDnsUpdates {

  private static final Logger log = LoggerFactory.getLogger(LabDnsUpdates.class);

  private final LabDnsZone zone;
  private final TSIG key;

  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger applied = new AtomicInteger();
  private final AtomicReference<UpdateSummary> last = new AtomicReference<>();

  private volatile boolean refuse;

  LabDnsUpdates(LabDnsZone zone, TSIG key) {
    this.zone = zone;
    this.key = key;
  }

  // ---------------------------------------------------------------- TSIG (RFC 8945)

  /**
   * Checks the signature of {@code request} (as received, {@code wire}), which must carry a TSIG
   * record. Valid: signs {@code response} with the key and returns true. Invalid: makes
   * {@code response} a NOTAUTH answer carrying the TSIG error (signed for BADTIME, without MAC for
   * BADKEY/BADSIG), records it if the request is an UPDATE, and returns false.
   */
  boolean verify(Message request, byte[] wire, Message response, InetAddress client) {
    TSIGRecord requestTsig = request.getTSIG();
    int tsigError = key.verify(request, wire, null);
    if (tsigError != Rcode.NOERROR) {
      response.getHeader().setRcode(Rcode.NOTAUTH);
      // BADTIME answers are signed (with our key); BADKEY/BADSIG answers carry no MAC
      response.setTSIG(tsigError == Rcode.BADTIME ? key : errorKey(requestTsig), tsigError,
          requestTsig);
      if (request.getHeader().getOpcode() == Opcode.UPDATE) {
        record(request, client, "NOTAUTH (TSIG " + Rcode.TSIGstring(tsigError) + ")");
      }
      log.info("lab DNS: request from {} failed TSIG verification: {}",
          client.getHostAddress(), Rcode.TSIGstring(tsigError));
      return false;
    }
    sign(response, request);
    return true;
  }

  /** Signs {@code response} with the key, as the answer to the verified {@code request}. */
  void sign(Message response, Message request) {
    response.setTSIG(key, Rcode.NOERROR, request.getTSIG());
  }

  /**
   * The key to put in a NOTAUTH answer's TSIG record: the request's own key name and algorithm
   * (the answer carries no MAC, so no secret is used), or ours if the algorithm is unknown.
   */
  private TSIG errorKey(TSIGRecord requestTsig) {
    try {
      return new TSIG(requestTsig.getAlgorithm(), requestTsig.getName(), new byte[32]);
    } catch (IllegalArgumentException e) {
      return key;
    }
  }

  // ---------------------------------------------------------------- UPDATE (RFC 2136)

  /**
   * Answers one UPDATE in {@code response}: REFUSED if it is unsigned ({@code verified} false) or
   * updates are switched off, else the rcode of checking and applying it. The zone's listener is
   * told after an update answered NOERROR.
   */
  void answer(Message update, Message response, boolean verified, InetAddress client) {
    if (!verified) {
      response.getHeader().setRcode(Rcode.REFUSED);
      record(update, client, "REFUSED (unsigned)");
      log.info("lab DNS: refused an unsigned update from {}", client.getHostAddress());
      return;
    }
    if (refuse) {
      response.getHeader().setRcode(Rcode.REFUSED);
      record(update, client, "REFUSED (updates switched off)");
      return;
    }
    int rcode = zone.atomically(() -> apply(update));
    response.getHeader().setRcode(rcode);
    record(update, client, Rcode.string(rcode));
    if (rcode == Rcode.NOERROR) {
      applied.incrementAndGet();
      zone.publishChange();
    }
  }

  /** Checks zone, prerequisites and update section, then applies; the answer's rcode. */
  private int apply(Message update) {
    // 3.1: the zone section holds exactly one SOA-typed record naming our zone
    List<Record> zoneSection = update.getSection(Section.ZONE);
    if (zoneSection.size() != 1 || zoneSection.get(0).getType() != Type.SOA) {
      return Rcode.FORMERR;
    }
    Record zoneRecord = zoneSection.get(0);
    if (!zoneRecord.getName().equals(zone.origin()) || zoneRecord.getDClass() != DClass.IN) {
      return Rcode.NOTAUTH;
    }
    int prerequisites = checkPrerequisites(update.getSection(Section.PREREQ));
    if (prerequisites != Rcode.NOERROR) {
      return prerequisites;
    }
    List<Record> updates = update.getSection(Section.UPDATE);
    int prescan = prescan(updates);
    if (prescan != Rcode.NOERROR) {
      return prescan;
    }
    boolean changed = false;
    for (Record record : updates) {
      changed |= applyOne(record);
    }
    if (changed) {
      zone.bumpSerial();
    }
    return Rcode.NOERROR;
  }

  /** RFC 2136 3.2. */
  private int checkPrerequisites(List<Record> prerequisites) {
    Map<Name, Map<Integer, List<Record>>> valueDependent = new LinkedHashMap<>();
    for (Record rr : prerequisites) {
      if (rr.getTTL() != 0) {
        return Rcode.FORMERR;
      }
      if (!rr.getName().subdomain(zone.origin())) {
        return Rcode.NOTZONE;
      }
      boolean empty = hasNoRdata(rr);
      if (rr.getDClass() == DClass.ANY) {
        if (!empty) {
          return Rcode.FORMERR;
        }
        if (rr.getType() == Type.ANY) {
          if (!zone.nameInUse(rr.getName())) {
            return Rcode.NXDOMAIN;
          }
        } else if (zone.rrset(rr.getName(), rr.getType()).isEmpty()) {
          return Rcode.NXRRSET;
        }
      } else if (rr.getDClass() == DClass.NONE) {
        if (!empty) {
          return Rcode.FORMERR;
        }
        if (rr.getType() == Type.ANY) {
          if (zone.nameInUse(rr.getName())) {
            return Rcode.YXDOMAIN;
          }
        } else if (!zone.rrset(rr.getName(), rr.getType()).isEmpty()) {
          return Rcode.YXRRSET;
        }
      } else if (rr.getDClass() == DClass.IN) {
        List<Record> expected = valueDependent
            .computeIfAbsent(rr.getName(), n -> new LinkedHashMap<>())
            .computeIfAbsent(rr.getType(), t -> new ArrayList<>());
        if (!expected.contains(rr)) {
          expected.add(rr);
        }
      } else {
        return Rcode.FORMERR;
      }
    }
    for (Map.Entry<Name, Map<Integer, List<Record>>> byName : valueDependent.entrySet()) {
      for (Map.Entry<Integer, List<Record>> byType : byName.getValue().entrySet()) {
        List<Record> actual = zone.rrset(byName.getKey(), byType.getKey());
        List<Record> expected = byType.getValue();
        // Record.equals compares name, type, class and rdata, not the TTL
        if (actual.size() != expected.size() || !actual.containsAll(expected)) {
          return Rcode.NXRRSET;
        }
      }
    }
    return Rcode.NOERROR;
  }

  /** RFC 2136 3.4.1. */
  private int prescan(List<Record> updates) {
    for (Record rr : updates) {
      if (!rr.getName().subdomain(zone.origin())) {
        return Rcode.NOTZONE;
      }
      int type = rr.getType();
      boolean metaType = type == Type.ANY || type == Type.AXFR || type == Type.IXFR
          || type == Type.MAILA || type == Type.MAILB || type == Type.OPT || type == Type.TSIG;
      if (rr.getDClass() == DClass.IN) {
        if (metaType || hasNoRdata(rr)) {
          return Rcode.FORMERR;
        }
      } else if (rr.getDClass() == DClass.ANY) {
        if (rr.getTTL() != 0 || !hasNoRdata(rr) || (metaType && type != Type.ANY)) {
          return Rcode.FORMERR;
        }
      } else if (rr.getDClass() == DClass.NONE) {
        if (rr.getTTL() != 0 || metaType) {
          return Rcode.FORMERR;
        }
      } else {
        return Rcode.FORMERR;
      }
    }
    return Rcode.NOERROR;
  }

  /** RFC 2136 3.4.2, one record; whether the zone changed. The SOA and NS of the apex stay. */
  private boolean applyOne(Record rr) {
    Name name = rr.getName();
    int type = rr.getType();
    boolean apex = name.equals(zone.origin());
    if (rr.getDClass() == DClass.IN) {
      if (type == Type.SOA) {
        if (!apex || ((SOARecord) rr).getSerial() <= zone.soa().getSerial()) {
          return false;
        }
        zone.setRrset(rr);
        return true;
      }
      return zone.merge(rr);
    }
    if (rr.getDClass() == DClass.ANY) {
      if (type == Type.ANY) {
        boolean changed = false;
        for (Integer t : zone.types(name)) {
          if (!(apex && (t == Type.SOA || t == Type.NS))) {
            changed |= zone.removeRrset(name, t);
          }
        }
        return changed;
      }
      if (apex && (type == Type.SOA || type == Type.NS)) {
        return false;
      }
      return zone.removeRrset(name, type);
    }
    // class NONE: delete one RR, but not the apex's SOA nor its last NS
    if (apex && (type == Type.SOA || (type == Type.NS && zone.rrset(name, type).size() == 1))) {
      return false;
    }
    return zone.removeRecord(rr);
  }

  private static boolean hasNoRdata(Record record) {
    return record.rdataToWireCanonical().length == 0;
  }

  // ---------------------------------------------------------------- switch and record

  /** While on, every UPDATE is answered REFUSED (after its TSIG was checked). */
  void setRefuse(boolean refuse) {
    this.refuse = refuse;
  }

  boolean isRefusing() {
    return refuse;
  }

  /** UPDATE messages received, whatever the answer (refused, failed prerequisites, applied). */
  int received() {
    return received.get();
  }

  /** UPDATE messages applied (answered NOERROR). */
  int applied() {
    return applied.get();
  }

  /** The last UPDATE message received and how it was answered. */
  Optional<UpdateSummary> last() {
    return Optional.ofNullable(last.get());
  }

  /** Counts and keeps one received UPDATE with the answer given ({@code outcome}). */
  void record(Message update, InetAddress client, String outcome) {
    received.incrementAndGet();
    TSIGRecord tsig = update.getTSIG();
    last.set(new UpdateSummary(Instant.now(), client.getHostAddress(),
        tsig == null ? null : tsig.getName().toString(), outcome,
        describe(update.getSection(Section.PREREQ)), describe(update.getSection(Section.UPDATE))));
    log.info("lab DNS: {}", last.get());
  }

  private static List<String> describe(List<Record> records) {
    return records.stream()
        .map(r -> (r.getName() + " " + DClass.string(r.getDClass()) + " " + Type.string(r.getType())
            + " " + r.rdataToString()).strip())
        .toList();
  }
}
