package io.drrunbook.lab.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * TSIG checks and RFC 2136 updates on their own, without sockets: each message is signed, put on
 * the wire and parsed back as the server receives it.
 */
class LabDnsUpdatesTest {

  private static final Name ZONE = Name.fromConstantString("genesys.lab.");
  private static final Name KEY_NAME = Name.fromConstantString("dr-runbook-key.");
  private static final Name CS_MASTER = Name.fromConstantString("cs-master.genesys.lab.");
  private static final InetAddress CLIENT = address("127.0.0.7");
  private static final InetAddress SITE1 = address("127.0.1.10");
  private static final InetAddress SITE2 = address("127.0.2.10");

  private final byte[] secret = randomSecret();
  private final TSIG key = key(KEY_NAME, secret, Clock.systemUTC());
  private final LabDnsZone zone = new LabDnsZone(ZONE, InetAddress.getLoopbackAddress());
  private final LabDnsUpdates updates = new LabDnsUpdates(zone, key);
  private final List<List<Record>> changes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void seedZone() {
    zone.setA(CS_MASTER, SITE1, 60);
    zone.setChangeListener(changes::add);
  }

  // ---------------------------------------------------------------- TSIG

  @Test
  void shouldAcceptAndSignTheAnswerWhenSignedWithTheKey() throws IOException {
    Received request = receive(replaceCsMaster(), key);
    Message response = responseTo(request);

    assertThat(updates.verify(request.message(), request.wire(), response, CLIENT)).isTrue();

    byte[] answer = response.toWire(0xFFFF);
    assertThat(key.verify(new Message(answer), answer, request.message().getTSIG()))
        .as("the answer verifies with the key").isEqualTo(Rcode.NOERROR);
    assertThat(updates.received()).as("only answering counts an update").isZero();
  }

  @Test
  void shouldRefuseWithBadsigAndRecordItWhenSignedWithAnotherSecret() throws IOException {
    TSIGRecord tsig = refused(replaceCsMaster(), key(KEY_NAME, randomSecret(), Clock.systemUTC()));

    assertThat(tsig.getError()).isEqualTo(Rcode.BADSIG);
    assertThat(tsig.getSignature()).as("no MAC").isEmpty();
    assertThat(updates.received()).isEqualTo(1);
    assertThat(updates.last()).hasValueSatisfying(last -> {
      assertThat(last.rcode()).isEqualTo("NOTAUTH (TSIG BADSIG)");
      assertThat(last.keyName()).isEqualTo("dr-runbook-key.");
      assertThat(last.client()).isEqualTo("127.0.0.7");
    });
  }

  @Test
  void shouldRefuseWithBadkeyNamingTheirKeyWhenTheKeyNameIsUnknown() throws IOException {
    Name other = Name.fromConstantString("someone-else.");

    TSIGRecord tsig = refused(replaceCsMaster(), key(other, secret, Clock.systemUTC()));

    assertThat(tsig.getError()).isEqualTo(Rcode.BADKEY);
    assertThat(tsig.getName()).isEqualTo(other);
    assertThat(tsig.getSignature()).isEmpty();
  }

  @Test
  void shouldRefuseWithASignedBadtimeWhenSignedOutsideTheFudge() throws IOException {
    TSIG late = key(KEY_NAME, secret, Clock.offset(Clock.systemUTC(), Duration.ofHours(1)));

    TSIGRecord tsig = refused(replaceCsMaster(), late);

    assertThat(tsig.getError()).isEqualTo(Rcode.BADTIME);
    assertThat(tsig.getSignature()).as("BADTIME answers are signed").isNotEmpty();
    assertThat(updates.last()).hasValueSatisfying(
        last -> assertThat(last.rcode()).isEqualTo("NOTAUTH (TSIG BADTIME)"));
  }

  @Test
  void shouldNotCountAnUpdateWhenASignedQueryFailsVerification() throws IOException {
    Message query = Message.newQuery(Record.newRecord(CS_MASTER, Type.A, DClass.IN));

    TSIGRecord tsig = refused(query, key(KEY_NAME, randomSecret(), Clock.systemUTC()));

    assertThat(tsig.getError()).isEqualTo(Rcode.BADSIG);
    assertThat(updates.received()).isZero();
    assertThat(updates.last()).isEmpty();
  }

  // ---------------------------------------------------------------- UPDATE

  @Test
  void shouldRefuseAndKeepTheZoneWhenTheUpdateIsUnsigned() throws IOException {
    Message response = answer(replaceCsMaster(), false);

    assertThat(response.getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE1);
    assertThat(updates.received()).isEqualTo(1);
    assertThat(updates.applied()).isZero();
    assertThat(updates.last()).hasValueSatisfying(last -> {
      assertThat(last.rcode()).isEqualTo("REFUSED (unsigned)");
      assertThat(last.keyName()).isNull();
    });
    assertThat(changes).isEmpty();
  }

  @Test
  void shouldApplyRaiseTheSerialAndTellTheListenerWhenVerified() throws IOException {
    long serial = zone.soa().getSerial();

    Message response = answer(replaceCsMaster(), true);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE2);
    assertThat(zone.soa().getSerial()).isEqualTo(serial + 1);
    assertThat(updates.received()).isEqualTo(1);
    assertThat(updates.applied()).isEqualTo(1);
    assertThat(updates.last()).hasValueSatisfying(last -> {
      assertThat(last.rcode()).isEqualTo("NOERROR");
      assertThat(last.prerequisites()).isEmpty();
      assertThat(last.updates()).containsExactly("cs-master.genesys.lab. ANY A",
          "cs-master.genesys.lab. IN A 127.0.2.10");
    });
    assertThat(changes).singleElement().isEqualTo(zone.records());
  }

  @Test
  void shouldRefuseAVerifiedUpdateWhenUpdatesAreSwitchedOff() throws IOException {
    updates.setRefuse(true);

    Message response = answer(replaceCsMaster(), true);

    assertThat(updates.isRefusing()).isTrue();
    assertThat(response.getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE1);
    assertThat(updates.last()).hasValueSatisfying(
        last -> assertThat(last.rcode()).isEqualTo("REFUSED (updates switched off)"));
  }

  @Test
  void shouldAnswerNxrrsetAndChangeNothingWhenAValuePrerequisiteFails() throws IOException {
    long serial = zone.soa().getSerial();
    Update update = new Update(ZONE);
    update.present(new ARecord(CS_MASTER, DClass.IN, 0, SITE2));
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));

    Message response = answer(update, true);

    assertThat(response.getRcode()).isEqualTo(Rcode.NXRRSET);
    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE1);
    assertThat(zone.soa().getSerial()).isEqualTo(serial);
    assertThat(updates.received()).isEqualTo(1);
    assertThat(updates.applied()).isZero();
    assertThat(updates.last()).hasValueSatisfying(last -> {
      assertThat(last.rcode()).isEqualTo("NXRRSET");
      assertThat(last.prerequisites()).containsExactly("cs-master.genesys.lab. IN A 127.0.2.10");
    });
    assertThat(changes).isEmpty();
  }

  @Test
  void shouldAnswerYxdomainAndChangeNothingWhenTheNameMustNotExistButDoes() throws IOException {
    Update update = new Update(ZONE);
    update.absent(CS_MASTER);
    update.add(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));

    assertThat(answer(update, true).getRcode()).isEqualTo(Rcode.YXDOMAIN);
    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE1);
    assertThat(changes).isEmpty();
  }

  @Test
  void shouldApplyWhenAllPrerequisitesHold() throws IOException {
    Name created = Name.fromConstantString("new.genesys.lab.");
    Update update = new Update(ZONE);
    update.present(new ARecord(CS_MASTER, DClass.IN, 0, SITE1));
    update.present(CS_MASTER, Type.A);
    update.absent(CS_MASTER, Type.TXT);
    update.absent(created);
    update.add(new ARecord(created, DClass.IN, 30, SITE2));

    assertThat(answer(update, true).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(zone.addresses(created)).containsExactly(SITE2);
  }

  @Test
  void shouldAnswerFormerrAndApplyNothingWhenOneUpdateRecordIsMalformed() throws IOException {
    Update update = new Update(ZONE);
    update.add(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));
    // class NONE with a TTL is malformed (RFC 2136 3.4.1.3)
    update.addRecord(Record.newRecord(CS_MASTER, Type.A, DClass.NONE, 60, SITE1.getAddress()),
        Section.UPDATE);

    assertThat(answer(update, true).getRcode()).isEqualTo(Rcode.FORMERR);
    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE1);
  }

  @Test
  void shouldAnswerNotauthWhenTheUpdateNamesAnotherZone() throws IOException {
    Update update = new Update(Name.fromConstantString("example.com."));
    update.add(new ARecord(Name.fromConstantString("www.example.com."), DClass.IN, 60, SITE2));

    assertThat(answer(update, true).getRcode()).isEqualTo(Rcode.NOTAUTH);
    assertThat(zone.nameInUse(Name.fromConstantString("www.example.com."))).isFalse();
  }

  @Test
  void shouldKeepTheSerialWhenAnAppliedUpdateChangesNothing() throws IOException {
    long serial = zone.soa().getSerial();
    Update update = new Update(ZONE);
    update.add(new ARecord(CS_MASTER, DClass.IN, 60, SITE1));

    assertThat(answer(update, true).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(zone.soa().getSerial()).isEqualTo(serial);
    assertThat(updates.applied()).isEqualTo(1);
  }

  @Test
  void shouldKeepTheApexSoaAndLastNsWhenAnUpdateDeletesThem() throws IOException {
    Update update = new Update(ZONE);
    update.delete(ZONE);
    update.delete(ZONE, Type.SOA);
    update.delete(zone.rrset(ZONE, Type.NS).get(0));

    assertThat(answer(update, true).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(zone.types(ZONE)).containsExactlyInAnyOrder(Type.SOA, Type.NS);
    assertThat(zone.rrset(ZONE, Type.NS)).hasSize(1);
  }

  @Test
  void shouldDeleteAnApexNsWhenAnotherOneStays() throws IOException {
    Name ns2 = Name.fromConstantString("ns2.genesys.lab.");
    Update add = new Update(ZONE);
    add.add(new NSRecord(ZONE, DClass.IN, 3600, ns2));
    assertThat(answer(add, true).getRcode()).isEqualTo(Rcode.NOERROR);

    Update delete = new Update(ZONE);
    delete.delete(new NSRecord(ZONE, DClass.IN, 0, ns2));

    assertThat(answer(delete, true).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(zone.rrset(ZONE, Type.NS)).singleElement()
        .isInstanceOfSatisfying(NSRecord.class,
            ns -> assertThat(ns.getTarget()).isEqualTo(Name.fromConstantString("ns1.genesys.lab.")));
  }

  @Test
  void shouldTakeAnSoaOnlyWhenItsSerialIsHigher() throws IOException {
    long serial = zone.soa().getSerial();
    Update lower = new Update(ZONE);
    lower.add(soa(serial));
    assertThat(answer(lower, true).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(zone.soa().getSerial()).isEqualTo(serial);

    Update higher = new Update(ZONE);
    higher.add(soa(serial + 100));
    assertThat(answer(higher, true).getRcode()).isEqualTo(Rcode.NOERROR);

    // the update changed the zone, so the serial went up once more
    assertThat(zone.soa().getSerial()).isEqualTo(serial + 101);
    assertThat(zone.soa().getMinimum()).isEqualTo(5);
  }

  // ---------------------------------------------------------------- helpers

  private record Received(Message message, byte[] wire) { }

  /** The message as the server gets it: signed with {@code signer} (null: unsigned), parsed back. */
  private static Received receive(Message message, TSIG signer) throws IOException {
    if (signer != null) {
      signer.apply(message, null);
    }
    byte[] wire = message.toWire();
    return new Received(new Message(wire), wire);
  }

  /** Answers {@code update} as the responder does once the signature was checked (or not). */
  private Message answer(Message update, boolean verified) throws IOException {
    Received request = receive(update, verified ? key : null);
    Message response = responseTo(request);
    if (verified) {
      assertThat(updates.verify(request.message(), request.wire(), response, CLIENT)).isTrue();
    }
    updates.answer(request.message(), response, verified, CLIENT);
    return response;
  }

  /**
   * Checks the signature of {@code message} signed with {@code signer}, which must fail with a
   * NOTAUTH answer that keeps the zone; the TSIG record of that answer as sent.
   */
  private TSIGRecord refused(Message message, TSIG signer) throws IOException {
    Received request = receive(message, signer);
    Message response = responseTo(request);

    assertThat(updates.verify(request.message(), request.wire(), response, CLIENT)).isFalse();

    assertThat(response.getRcode()).isEqualTo(Rcode.NOTAUTH);
    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE1);
    assertThat(changes).isEmpty();
    return onTheWire(response).getTSIG();
  }

  private static Message responseTo(Received request) {
    return new Message(request.message().getHeader().getID());
  }

  /** The response as sent (only {@code toWire} with a size limit applies its TSIG). */
  private static Message onTheWire(Message response) throws IOException {
    return new Message(response.toWire(0xFFFF));
  }

  private static Update replaceCsMaster() {
    Update update = new Update(ZONE);
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));
    return update;
  }

  private static SOARecord soa(long serial) {
    return new SOARecord(ZONE, DClass.IN, 3600, Name.fromConstantString("ns1.genesys.lab."),
        Name.fromConstantString("hostmaster.genesys.lab."), serial, 3600, 600, 86400, 5);
  }

  private static TSIG key(Name name, byte[] secret, Clock clock) {
    return new TSIG(TSIG.HMAC_SHA256, name, new SecretKeySpec(secret, "HmacSHA256"), clock);
  }

  private static byte[] randomSecret() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return secret;
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByAddress(InetAddress.getByName(text).getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
