package io.drrunbook.lab.dns;

import java.io.IOException;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns one DNS message, as received, into the answer to send: FORMERR for what does not parse,
 * the TSIG check for a signed message and UPDATE handling through {@link LabDnsUpdates}, and the
 * answer to a QUERY from the {@link LabDnsZone} ({@code AA} set; {@code NXDOMAIN} with the SOA for
 * absent names, {@code REFUSED} outside the zone, {@code NOTIMP} for AXFR/IXFR and other opcodes).
 * Its switch {@link #setServfail(boolean)} answers everything SERVFAIL. The message handler of
 * {@link LabDnsListener}.
 */
final class LabDnsResponder {

  private static final Logger log = LoggerFactory.getLogger(LabDnsResponder.class);

  private static final int UDP_PLAIN_LIMIT = 512;
  private static final int EDNS_PAYLOAD = 1232;

  private final LabDnsZone zone;
  private final LabDnsUpdates updates;

  private volatile boolean servfail;

  LabDnsResponder(LabDnsZone zone, LabDnsUpdates updates) {
    this.zone = zone;
    this.updates = updates;
  }

  /** While on, every message (query or update) is answered SERVFAIL. */
  void setServfail(boolean servfail) {
    this.servfail = servfail;
  }

  boolean isServfail() {
    return servfail;
  }

  /**
   * Answers one message; {@code null} if it cannot be answered at all (too short to have an id, or
   * itself a response).
   *
   * @param udp whether it came over UDP (the answer is then cut to the size the query allows)
   */
  byte[] handle(byte[] in, InetAddress client, boolean udp) {
    Message query;
    try {
      query = new Message(in);
    } catch (IOException e) {
      if (in.length < Header.LENGTH) {
        return null;
      }
      Message formerr = new Message(((in[0] & 0xFF) << 8) | (in[1] & 0xFF));
      formerr.getHeader().setFlag(Flags.QR);
      formerr.getHeader().setRcode(Rcode.FORMERR);
      return formerr.toWire();
    }
    if (query.getHeader().getFlag(Flags.QR)) {
      return null;
    }
    int maxLength = udp ? udpLimit(query) : 0xFFFF;
    Message response = newResponse(query);

    // TSIG first: a signed request with a bad signature gets NOTAUTH whatever it asked
    boolean verified = false;
    if (query.getTSIG() != null) {
      if (!updates.verify(query, in, response, client)) {
        return response.toWire(maxLength);
      }
      verified = true;
    }

    if (servfail) {
      response.getHeader().setRcode(Rcode.SERVFAIL);
      if (query.getHeader().getOpcode() == Opcode.UPDATE) {
        updates.record(query, client, "SERVFAIL");
      }
      return response.toWire(maxLength);
    }

    try {
      switch (query.getHeader().getOpcode()) {
        case Opcode.QUERY -> answerQuery(query, response);
        case Opcode.UPDATE -> updates.answer(query, response, verified, client);
        default -> response.getHeader().setRcode(Rcode.NOTIMP);
      }
    } catch (RuntimeException e) {
      log.warn("lab DNS failed to process a message from {}", client.getHostAddress(), e);
      response = newResponse(query);
      response.getHeader().setRcode(Rcode.SERVFAIL);
      if (verified) {
        updates.sign(response, query);
      }
    }
    return response.toWire(maxLength);
  }

  private void answerQuery(Message query, Message response) {
    Record question = query.getQuestion();
    if (question == null || query.getSection(Section.QUESTION).size() != 1) {
      response.getHeader().setRcode(Rcode.FORMERR);
      return;
    }
    Name name = question.getName();
    int type = question.getType();
    if (!name.subdomain(zone.origin())
        || (question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY)) {
      response.getHeader().setRcode(Rcode.REFUSED);
      return;
    }
    if (type == Type.AXFR || type == Type.IXFR) {
      response.getHeader().setRcode(Rcode.NOTIMP);
      return;
    }
    response.getHeader().setFlag(Flags.AA);
    LabDnsZone.Lookup found = zone.lookup(name, type);
    if (!found.nameExists()) {
      response.getHeader().setRcode(Rcode.NXDOMAIN);
      response.addRecord(found.soa(), Section.AUTHORITY);
    } else if (found.records().isEmpty()) {
      response.addRecord(found.soa(), Section.AUTHORITY);
    } else {
      found.records().forEach(r -> response.addRecord(r, Section.ANSWER));
    }
  }

  private static int udpLimit(Message query) {
    OPTRecord opt = query.getOPT();
    return opt == null ? UDP_PLAIN_LIMIT : Math.max(UDP_PLAIN_LIMIT, opt.getPayloadSize());
  }

  private static Message newResponse(Message query) {
    Message response = new Message(query.getHeader().getID());
    Header header = response.getHeader();
    header.setFlag(Flags.QR);
    header.setOpcode(query.getHeader().getOpcode());
    if (query.getHeader().getFlag(Flags.RD)) {
      header.setFlag(Flags.RD);
    }
    Record question = query.getQuestion();
    if (question != null) {
      response.addRecord(question, Section.QUESTION);
    }
    if (query.getOPT() != null) {
      response.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
    }
    return response;
  }
}
