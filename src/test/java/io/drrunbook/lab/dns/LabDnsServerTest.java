package io.drrunbook.lab.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

class LabDnsServerTest {

  private static final Name ZONE = Name.fromConstantString("genesys.lab.");
  private static final Name CS_MASTER = Name.fromConstantString("cs-master.genesys.lab.");
  private static final InetAddress SITE1 = address("127.0.1.10");
  private static final InetAddress SITE2 = address("127.0.2.10");

  private final TSIG key = newKey("dr-runbook-key.");
  private final List<List<Record>> changes = new CopyOnWriteArrayList<>();
  private LabDnsServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = new LabDnsServer(InetAddress.getLoopbackAddress(), 0, ZONE, key);
    server.setA(CS_MASTER, SITE1, 60);
    server.setChangeListener(changes::add);
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  // ---------------------------------------------------------------- queries

  @ParameterizedTest(name = "over TCP: {0}")
  @ValueSource(booleans = {false, true})
  void shouldAnswerAuthoritativelyWhenQueriedOverUdpOrTcp(boolean tcp) throws IOException {
    Message response = query(CS_MASTER, Type.A, tcp);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(response.getSection(Section.ANSWER)).singleElement()
        .isInstanceOfSatisfying(ARecord.class, a -> {
          assertThat(a.getAddress()).isEqualTo(SITE1);
          assertThat(a.getTTL()).isEqualTo(60);
        });
    assertThat(server.port()).isPositive();
  }

  @Test
  void shouldListenOnTheSamePortWithTheSameZoneWhenStartedAgainAfterClose() throws IOException {
    int port = server.port();
    server.close();

    // closed: no answer (a connection check on the freed port would race with other processes that
    // may bind it in the meantime on a shared machine; the server's own answer cannot)
    assertThat(server.isRunning()).isFalse();
    assertThatThrownBy(() -> query(CS_MASTER, Type.A, true)).isInstanceOf(IOException.class);
    server.start();

    assertThat(server.port()).isEqualTo(port);
    assertThat(query(CS_MASTER, Type.A, true).getSection(Section.ANSWER)).singleElement()
        .isInstanceOfSatisfying(ARecord.class, a -> assertThat(a.getAddress()).isEqualTo(SITE1));
  }

  @Test
  void shouldAnswerNxdomainWithSoaWhenNameIsAbsent() throws IOException {
    Message response = query(Name.fromConstantString("nobody.genesys.lab."), Type.A, false);

    assertThat(response.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(response.getSection(Section.ANSWER)).isEmpty();
    assertThat(response.getSection(Section.AUTHORITY)).singleElement()
        .isInstanceOf(SOARecord.class);
  }

  @Test
  void shouldAnswerNoDataWhenNameExistsWithoutThatType() throws IOException {
    Message response = query(CS_MASTER, Type.AAAA, false);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(response.getSection(Section.ANSWER)).isEmpty();
    assertThat(response.getSection(Section.AUTHORITY)).singleElement()
        .isInstanceOf(SOARecord.class);
  }

  @Test
  void shouldRefuseWhenNameIsOutsideTheZone() throws IOException {
    Message response = query(Name.fromConstantString("www.example.com."), Type.A, false);

    assertThat(response.getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(response.getHeader().getFlag(Flags.AA)).isFalse();
    assertThat(response.getSection(Section.ANSWER)).isEmpty();
  }

  @Test
  void shouldAnswerSoaNsAndAnyWhenAskedAtTheApex() throws IOException {
    assertThat(query(ZONE, Type.SOA, false).getSection(Section.ANSWER)).singleElement()
        .extracting(Record::getType).isEqualTo(Type.SOA);
    assertThat(query(ZONE, Type.NS, true).getSection(Section.ANSWER)).singleElement()
        .extracting(Record::getType).isEqualTo(Type.NS);
    assertThat(query(ZONE, Type.ANY, true).getSection(Section.ANSWER))
        .extracting(Record::getType).containsExactlyInAnyOrder(Type.SOA, Type.NS);
    assertThat(query(CS_MASTER, Type.ANY, false).getSection(Section.ANSWER))
        .extracting(Record::getType).containsExactly(Type.A);
  }

  @Test
  void shouldServeSeveralMessagesWhenOneTcpConnectionIsReused() throws IOException {
    SimpleResolver resolver = resolver(true, null);
    for (int i = 0; i < 3; i++) {
      assertThat(resolver.send(newQuery(CS_MASTER, Type.A)).getRcode()).isEqualTo(Rcode.NOERROR);
    }
  }

  // ---------------------------------------------------------------- TSIG

  @Test
  void shouldApplyUpdateAndSignAnswerWhenSignedWithTheKey() throws IOException {
    long serialBefore = serial();
    Update update = new Update(ZONE);
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));

    Message response = resolver(true, key).send(update);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(response.isVerified()).as("answer signed with the key").isTrue();
    assertThat(server.addresses(CS_MASTER)).containsExactly(SITE2);
    assertThat(serial()).isEqualTo(serialBefore + 1);
    assertThat(server.updatesReceived()).isEqualTo(1);
    assertThat(server.updatesApplied()).isEqualTo(1);
    assertThat(server.lastUpdate()).hasValueSatisfying(last -> {
      assertThat(last.keyName()).isEqualTo("dr-runbook-key.");
      assertThat(last.rcode()).isEqualTo("NOERROR");
      assertThat(last.updates()).contains("cs-master.genesys.lab. IN A 127.0.2.10");
    });
    assertThat(changes).singleElement().satisfies(zone -> assertThat(zone)
        .filteredOn(r -> r.getType() == Type.A && r.getName().equals(CS_MASTER))
        .singleElement().extracting(Record::rdataToString).isEqualTo("127.0.2.10"));
  }

  @Test
  void shouldRefuseUpdateAndKeepZoneWhenUnsigned() throws IOException {
    Update update = new Update(ZONE);
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));

    Message response = resolver(true, null).send(update);

    assertThat(response.getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(server.addresses(CS_MASTER)).containsExactly(SITE1);
    assertThat(server.updatesReceived()).isEqualTo(1);
    assertThat(server.updatesApplied()).isZero();
    assertThat(server.lastUpdate()).hasValueSatisfying(last -> {
      assertThat(last.keyName()).isNull();
      assertThat(last.rcode()).startsWith("REFUSED");
    });
    assertThat(changes).isEmpty();
  }

  @Test
  void shouldAnswerNotauthBadsigAndKeepZoneWhenSignedWithAnotherSecret() throws IOException {
    Update update = new Update(ZONE);
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));

    Message response = resolver(true, newKey("dr-runbook-key.")).send(update);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOTAUTH);
    assertThat(response.getTSIG()).isNotNull();
    assertThat(response.getTSIG().getError()).isEqualTo(Rcode.BADSIG);
    assertThat(response.getTSIG().getSignature()).isEmpty();
    assertThat(server.addresses(CS_MASTER)).containsExactly(SITE1);
    assertThat(server.lastUpdate()).hasValueSatisfying(
        last -> assertThat(last.rcode()).isEqualTo("NOTAUTH (TSIG BADSIG)"));
  }

  @Test
  void shouldAnswerNotauthBadkeyAndKeepZoneWhenSignedWithAnUnknownKeyName() throws IOException {
    Update update = new Update(ZONE);
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));

    Message response = resolver(false, newKey("someone-else.")).send(update);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOTAUTH);
    assertThat(response.getTSIG().getError()).isEqualTo(Rcode.BADKEY);
    assertThat(response.getTSIG().getName()).isEqualTo(Name.fromConstantString("someone-else."));
    assertThat(server.addresses(CS_MASTER)).containsExactly(SITE1);
  }

  @Test
  void shouldAnswerNotauthWhenUpdateNamesAnotherZone() throws IOException {
    Update update = new Update(Name.fromConstantString("example.com."));
    update.replace(new ARecord(Name.fromConstantString("www.example.com."), DClass.IN, 60, SITE2));

    assertThat(signedUpdate(update).getRcode()).isEqualTo(Rcode.NOTAUTH);
  }

  // ---------------------------------------------------------------- prerequisites (RFC 2136 3.2)

  @Test
  void shouldApplyUpdateWhenValueDependentPrerequisiteHolds() throws IOException {
    Update update = new Update(ZONE);
    update.present(new ARecord(CS_MASTER, DClass.IN, 0, SITE1));
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));

    assertThat(signedUpdate(update).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(server.addresses(CS_MASTER)).containsExactly(SITE2);
  }

  @Test
  void shouldAnswerNxrrsetAndKeepZoneWhenValueDependentPrerequisiteFails() throws IOException {
    Update update = new Update(ZONE);
    update.present(new ARecord(CS_MASTER, DClass.IN, 0, SITE2));
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, address("127.0.9.9")));

    assertThat(signedUpdate(update).getRcode()).isEqualTo(Rcode.NXRRSET);
    assertThat(server.addresses(CS_MASTER)).containsExactly(SITE1);
    assertThat(changes).isEmpty();
  }

  @Test
  void shouldAnswerNxrrsetWhenValueDependentPrerequisiteIsOnlyPartOfTheRrset() throws IOException {
    Update add = new Update(ZONE);
    add.add(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));
    assertThat(signedUpdate(add).getRcode()).isEqualTo(Rcode.NOERROR);

    Update update = new Update(ZONE);
    update.present(new ARecord(CS_MASTER, DClass.IN, 0, SITE1));
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, SITE1));

    assertThat(signedUpdate(update).getRcode()).isEqualTo(Rcode.NXRRSET);
    assertThat(server.addresses(CS_MASTER)).containsExactlyInAnyOrder(SITE1, SITE2);
  }

  @Test
  void shouldCheckValueIndependentPrerequisitesWhenGiven() throws IOException {
    Update exists = new Update(ZONE);
    exists.present(CS_MASTER, Type.A);
    assertThat(signedUpdate(exists).getRcode()).isEqualTo(Rcode.NOERROR);

    Update missingType = new Update(ZONE);
    missingType.present(CS_MASTER, Type.TXT);
    assertThat(signedUpdate(missingType).getRcode()).isEqualTo(Rcode.NXRRSET);

    Update notExists = new Update(ZONE);
    notExists.absent(CS_MASTER, Type.A);
    assertThat(signedUpdate(notExists).getRcode()).isEqualTo(Rcode.YXRRSET);

    Update notExistsTxt = new Update(ZONE);
    notExistsTxt.absent(CS_MASTER, Type.TXT);
    assertThat(signedUpdate(notExistsTxt).getRcode()).isEqualTo(Rcode.NOERROR);
  }

  @Test
  void shouldCheckNamePrerequisitesWhenGiven() throws IOException {
    Name absent = Name.fromConstantString("nobody.genesys.lab.");

    Update inUse = new Update(ZONE);
    inUse.present(absent);
    assertThat(signedUpdate(inUse).getRcode()).isEqualTo(Rcode.NXDOMAIN);

    Update notInUse = new Update(ZONE);
    notInUse.absent(CS_MASTER);
    assertThat(signedUpdate(notInUse).getRcode()).isEqualTo(Rcode.YXDOMAIN);

    Update create = new Update(ZONE);
    create.present(CS_MASTER);
    create.absent(absent);
    create.add(new ARecord(absent, DClass.IN, 30, SITE2));
    assertThat(signedUpdate(create).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(server.addresses(absent)).containsExactly(SITE2);
  }

  @Test
  void shouldAnswerNotzoneWhenPrerequisiteIsOutsideTheZone() throws IOException {
    Update update = new Update(ZONE);
    update.present(Name.fromConstantString("www.example.com."));

    assertThat(signedUpdate(update).getRcode()).isEqualTo(Rcode.NOTZONE);
  }

  // ---------------------------------------------------------------- update section (RFC 2136 3.4)

  @Test
  void shouldAddAndDeleteSingleRecordsWhenUpdateSaysSo() throws IOException {
    Update add = new Update(ZONE);
    add.add(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));
    assertThat(signedUpdate(add).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(server.addresses(CS_MASTER)).containsExactlyInAnyOrder(SITE1, SITE2);

    Update delete = new Update(ZONE);
    delete.delete(new ARecord(CS_MASTER, DClass.IN, 0, SITE1));
    assertThat(signedUpdate(delete).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(server.addresses(CS_MASTER)).containsExactly(SITE2);
  }

  @Test
  void shouldDeleteRrsetAndNameWhenUpdateSaysSo() throws IOException {
    Update txt = new Update(ZONE);
    txt.add(CS_MASTER, Type.TXT, 60, "\"master\"");
    assertThat(signedUpdate(txt).getRcode()).isEqualTo(Rcode.NOERROR);

    Update deleteRrset = new Update(ZONE);
    deleteRrset.delete(CS_MASTER, Type.A);
    assertThat(signedUpdate(deleteRrset).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(server.addresses(CS_MASTER)).isEmpty();
    assertThat(query(CS_MASTER, Type.TXT, false).getSection(Section.ANSWER)).hasSize(1);

    Update deleteName = new Update(ZONE);
    deleteName.delete(CS_MASTER);
    assertThat(signedUpdate(deleteName).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(query(CS_MASTER, Type.TXT, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void shouldKeepSoaAndNsWhenUpdateDeletesTheApex() throws IOException {
    Update update = new Update(ZONE);
    update.delete(ZONE);

    assertThat(signedUpdate(update).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(query(ZONE, Type.ANY, false).getSection(Section.ANSWER))
        .extracting(Record::getType).containsExactlyInAnyOrder(Type.SOA, Type.NS);
  }

  @Test
  void shouldAnswerFormerrAndKeepZoneWhenDeleteCarriesATtl() throws IOException {
    Update update = new Update(ZONE);
    update.add(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));
    // class NONE with a TTL is malformed (RFC 2136 3.4.1.3): nothing of this update applies
    update.addRecord(Record.newRecord(CS_MASTER, Type.A, DClass.NONE, 60,
        SITE1.getAddress()), Section.UPDATE);

    assertThat(signedUpdate(update).getRcode()).isEqualTo(Rcode.FORMERR);
    assertThat(server.addresses(CS_MASTER)).containsExactly(SITE1);
  }

  // ---------------------------------------------------------------- fault switches

  @Test
  void shouldRefuseSignedUpdateWhenUpdatesAreSwitchedOff() throws IOException {
    server.setRefuseUpdates(true);
    Update update = new Update(ZONE);
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));

    Message response = signedUpdate(update);

    assertThat(response.getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(response.isVerified()).isTrue();
    assertThat(server.addresses(CS_MASTER)).containsExactly(SITE1);
    assertThat(query(CS_MASTER, Type.A, false).getRcode()).isEqualTo(Rcode.NOERROR);
  }

  @Test
  void shouldAnswerServfailToEverythingWhenSwitchedOn() throws IOException {
    server.setServfail(true);
    Update update = new Update(ZONE);
    update.replace(new ARecord(CS_MASTER, DClass.IN, 60, SITE2));

    assertThat(query(CS_MASTER, Type.A, false).getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(query(CS_MASTER, Type.A, true).getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(signedUpdate(update).getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(server.addresses(CS_MASTER)).containsExactly(SITE1);

    server.setServfail(false);
    assertThat(query(CS_MASTER, Type.A, false).getRcode()).isEqualTo(Rcode.NOERROR);
  }

  // ---------------------------------------------------------------- zone content

  @Test
  void shouldRestoreTheSameZoneWhenItsMasterFileIsReadBack() throws IOException {
    server.setA(Name.fromConstantString("other.genesys.lab."), SITE2, 30);
    String masterFile = server.toMasterFile();

    List<Record> parsed = new ArrayList<>();
    try (Master master = new Master(
        new ByteArrayInputStream(masterFile.getBytes(StandardCharsets.UTF_8)), ZONE)) {
      for (Record r = master.nextRecord(); r != null; r = master.nextRecord()) {
        parsed.add(r);
      }
    }
    LabDnsServer copy = new LabDnsServer(InetAddress.getLoopbackAddress(), 0, ZONE, key);
    copy.replaceRecords(parsed);

    assertThat(copy.records()).containsExactlyElementsOf(server.records());
    assertThat(copy.addresses(CS_MASTER)).containsExactly(SITE1);
  }

  @Test
  void shouldAnswerLikeDnsjavaWhenAskedWithDig() throws Exception {
    assumeTrue(digAvailable(), "dig is not installed");
    Process dig = new ProcessBuilder("dig", "+short", "+time=2", "+tries=1",
        "@" + InetAddress.getLoopbackAddress().getHostAddress(), "-p", String.valueOf(server.port()),
        CS_MASTER.toString(), "A").redirectErrorStream(true).start();
    assertThat(dig.waitFor(10, TimeUnit.SECONDS)).isTrue();
    String out = new String(dig.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(out).isEqualTo("127.0.1.10");
  }

  // ---------------------------------------------------------------- helpers

  private Message query(Name name, int type, boolean tcp) throws IOException {
    return resolver(tcp, null).send(newQuery(name, type));
  }

  private Message signedUpdate(Message update) throws IOException {
    return resolver(true, key).send(update);
  }

  private long serial() throws IOException {
    return ((SOARecord) query(ZONE, Type.SOA, false).getSection(Section.ANSWER).get(0)).getSerial();
  }

  private static Message newQuery(Name name, int type) {
    return Message.newQuery(Record.newRecord(name, type, DClass.IN));
  }

  private SimpleResolver resolver(boolean tcp, TSIG tsig) {
    SimpleResolver resolver =
        new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
    resolver.setTCP(tcp);
    resolver.setTimeout(Duration.ofSeconds(3));
    if (tsig != null) {
      resolver.setTSIGKey(tsig);
    }
    return resolver;
  }

  private static TSIG newKey(String name) {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new TSIG(TSIG.HMAC_SHA256, name, Base64.getEncoder().encodeToString(secret));
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByAddress(InetAddress.getByName(text).getAddress());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean digAvailable() {
    try {
      Process which = new ProcessBuilder("which", "dig").start();
      return which.waitFor(5, TimeUnit.SECONDS) && which.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
