package io.drrunbook.lab.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/** One message in, its answer out, without sockets: the wire bytes the listener would pass. */
class LabDnsResponderTest {

  private static final Name ZONE = Name.fromConstantString("genesys.lab.");
  private static final Name CS_MASTER = Name.fromConstantString("cs-master.genesys.lab.");
  private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();
  private static final InetAddress SITE1 = address("127.0.1.10");
  private static final InetAddress SITE2 = address("127.0.2.10");

  private final TSIG key = newKey();
  private final LabDnsZone zone = new LabDnsZone(ZONE, InetAddress.getLoopbackAddress());
  private final LabDnsUpdates updates = new LabDnsUpdates(zone, key);
  private final LabDnsResponder responder = new LabDnsResponder(zone, updates);

  LabDnsResponderTest() {
    zone.setA(CS_MASTER, SITE1, 60);
  }

  @Test
  void shouldAnswerTheARecordAuthoritativelyWhenTheNameHasOne() throws IOException {
    Message query = query(CS_MASTER, Type.A);
    query.getHeader().setFlag(Flags.RD);

    Message response = ask(query, true);

    assertThat(response.getHeader().getID()).isEqualTo(query.getHeader().getID());
    assertThat(response.getHeader().getFlag(Flags.QR)).isTrue();
    assertThat(response.getHeader().getFlag(Flags.RD)).as("RD copied").isTrue();
    assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(response.getQuestion()).isEqualTo(query.getQuestion());
    assertThat(response.getSection(Section.ANSWER)).singleElement()
        .isInstanceOfSatisfying(ARecord.class, a -> {
          assertThat(a.getName()).isEqualTo(CS_MASTER);
          assertThat(a.getAddress()).isEqualTo(SITE1);
          assertThat(a.getTTL()).isEqualTo(60);
        });
  }

  @Test
  void shouldAnswerNxdomainWithTheSoaWhenTheNameIsAbsent() throws IOException {
    Message response = ask(query(Name.fromConstantString("nobody.genesys.lab."), Type.A), true);

    assertThat(response.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(response.getSection(Section.ANSWER)).isEmpty();
    assertThat(response.getSection(Section.AUTHORITY)).singleElement()
        .isInstanceOfSatisfying(SOARecord.class,
            soa -> assertThat(soa.getSerial()).isEqualTo(zone.soa().getSerial()));
  }

  @Test
  void shouldAnswerNoDataWithTheSoaWhenTheNameHasOtherTypesOnly() throws IOException {
    Message response = ask(query(CS_MASTER, Type.AAAA), true);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(response.getSection(Section.ANSWER)).isEmpty();
    assertThat(response.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
  }

  @Test
  void shouldRefuseWithoutAuthorityWhenTheNameIsOutsideTheZone() throws IOException {
    Message response = ask(query(Name.fromConstantString("www.example.com."), Type.A), true);

    assertThat(response.getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(response.getHeader().getFlag(Flags.AA)).isFalse();
    assertThat(response.getSection(Section.AUTHORITY)).isEmpty();
  }

  @Test
  void shouldAnswerNotimpWhenAskedForAZoneTransferOrAnotherOpcode() throws IOException {
    Message notify = query(ZONE, Type.SOA);
    notify.getHeader().setOpcode(Opcode.NOTIFY);

    assertThat(ask(query(ZONE, Type.AXFR), false).getRcode()).isEqualTo(Rcode.NOTIMP);
    assertThat(ask(query(ZONE, Type.IXFR), false).getRcode()).isEqualTo(Rcode.NOTIMP);
    assertThat(ask(notify, true).getRcode()).isEqualTo(Rcode.NOTIMP);
  }

  @Test
  void shouldAnswerFormerrWithTheIdWhenTheMessageDoesNotParse() throws IOException {
    byte[] garbage = new byte[20];
    garbage[0] = 0x12;
    garbage[1] = 0x34;
    garbage[5] = 9; // nine questions that are not there

    Message response = new Message(responder.handle(garbage, CLIENT, true));

    assertThat(response.getHeader().getID()).isEqualTo(0x1234);
    assertThat(response.getHeader().getFlag(Flags.QR)).isTrue();
    assertThat(response.getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void shouldNotAnswerWhenTheMessageIsTooShortOrItselfAResponse() {
    Message response = query(CS_MASTER, Type.A);
    response.getHeader().setFlag(Flags.QR);

    assertThat(responder.handle(new byte[5], CLIENT, true)).isNull();
    assertThat(responder.handle(response.toWire(), CLIENT, true)).isNull();
  }

  @Test
  void shouldTruncateOverUdpAndNotOverTcpWhenTheAnswerIsLarge() throws IOException {
    Name big = Name.fromConstantString("big.genesys.lab.");
    for (int i = 1; i <= 60; i++) {
      zone.merge(new ARecord(big, DClass.IN, 60, address("127.0.3." + i)));
    }

    Message overUdp = ask(query(big, Type.A), true);
    Message overTcp = ask(query(big, Type.A), false);
    Message withEdns = query(big, Type.A);
    withEdns.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    Message overUdpWithEdns = ask(withEdns, true);

    assertThat(overUdp.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(overTcp.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(overTcp.getSection(Section.ANSWER)).hasSize(60);
    assertThat(overUdpWithEdns.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(overUdpWithEdns.getSection(Section.ANSWER)).hasSize(60);
    assertThat(overUdpWithEdns.getOPT().getPayloadSize()).isEqualTo(1232);
  }

  @Test
  void shouldAnswerServfailToQueriesAndUpdatesWhenSwitchedOn() throws IOException {
    responder.setServfail(true);

    assertThat(responder.isServfail()).isTrue();
    assertThat(ask(query(CS_MASTER, Type.A), true).getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(ask(signed(replaceCsMaster()), false).getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE1);
    assertThat(updates.last()).hasValueSatisfying(
        last -> assertThat(last.rcode()).isEqualTo("SERVFAIL"));

    responder.setServfail(false);
    assertThat(ask(query(CS_MASTER, Type.A), true).getRcode()).isEqualTo(Rcode.NOERROR);
  }

  @Test
  void shouldApplyAndSignWhenTheUpdateIsSignedWithTheKey() throws IOException {
    Message update = signed(replaceCsMaster());

    byte[] wire = responder.handle(update.toWire(), CLIENT, false);
    Message response = new Message(wire);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(key.verify(response, wire, update.getTSIG())).isEqualTo(Rcode.NOERROR);
    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE2);
  }

  @Test
  void shouldRefuseWhenTheUpdateIsUnsigned() throws IOException {
    Message response = ask(replaceCsMaster(), false);

    assertThat(response.getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(response.getTSIG()).isNull();
    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE1);
  }

  @Test
  void shouldAnswerNotauthWhateverWasAskedWhenTheSignatureIsWrong() throws IOException {
    Message query = query(CS_MASTER, Type.A);
    newKey().apply(query, null);

    Message response = ask(query, true);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOTAUTH);
    assertThat(response.getSection(Section.ANSWER)).isEmpty();
    assertThat(response.getTSIG().getError()).isEqualTo(Rcode.BADSIG);
  }

  // ---------------------------------------------------------------- helpers

  private Message ask(Message message, boolean udp) throws IOException {
    return new Message(responder.handle(message.toWire(), CLIENT, udp));
  }

  private Message signed(Message message) {
    key.apply(message, null);
    return message;
  }

  private static Message query(Name name, int type) {
    return Message.newQuery(Record.newRecord(name, type, DClass.IN));
  }

  private static Update replaceCsMaster() {
    Update update = new Update(ZONE);
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));
    return update;
  }

  private static TSIG newKey() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new TSIG(TSIG.HMAC_SHA256, "dr-runbook-key.", Base64.getEncoder().encodeToString(secret));
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByAddress(InetAddress.getByName(text).getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
