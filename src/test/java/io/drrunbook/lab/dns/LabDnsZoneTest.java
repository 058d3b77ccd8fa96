package io.drrunbook.lab.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** The lab DNS server's zone on its own: content, serial, change listener, lock. */
class LabDnsZoneTest {

  private static final Name ZONE = Name.fromConstantString("genesys.lab.");
  private static final Name NS1 = Name.fromConstantString("ns1.genesys.lab.");
  private static final Name CS_MASTER = Name.fromConstantString("cs-master.genesys.lab.");
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final InetAddress SITE1 = address("127.0.1.10");
  private static final InetAddress SITE2 = address("127.0.2.10");

  private final LabDnsZone zone = new LabDnsZone(ZONE, LOOPBACK);
  private final List<List<Record>> changes = new CopyOnWriteArrayList<>();

  @Test
  void shouldHoldSoaNsAndTheNameServersAddressWhenNew() {
    assertThat(zone.soa().getName()).isEqualTo(ZONE);
    assertThat(zone.soa().getSerial()).isEqualTo(1);
    assertThat(zone.soa().getHost()).isEqualTo(NS1);
    assertThat(zone.soa().getAdmin()).isEqualTo(Name.fromConstantString("hostmaster.genesys.lab."));
    assertThat(zone.rrset(ZONE, Type.NS)).singleElement()
        .isInstanceOfSatisfying(NSRecord.class, ns -> assertThat(ns.getTarget()).isEqualTo(NS1));
    assertThat(zone.addresses(NS1)).containsExactly(LOOPBACK);
    assertThat(zone.records()).first().isInstanceOf(SOARecord.class);
  }

  @Test
  void shouldGiveTheNameServerNoAddressWhenItIsNotIpv4() throws Exception {
    LabDnsZone v6 = new LabDnsZone(ZONE, InetAddress.getByName("::1"));

    assertThat(v6.nameInUse(NS1)).isFalse();
    assertThat(v6.records()).extracting(Record::getType).containsExactly(Type.SOA, Type.NS);
  }

  @Test
  void shouldReplaceTheRrsetRaiseTheSerialAndTellTheListenerWhenAIsSet() {
    zone.setChangeListener(changes::add);
    zone.setA(CS_MASTER, SITE1, 60);

    zone.setA(CS_MASTER, SITE2, 30);

    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE2);
    assertThat(zone.rrset(CS_MASTER, Type.A)).singleElement()
        .extracting(Record::getTTL).isEqualTo(30L);
    assertThat(zone.soa().getSerial()).isEqualTo(3);
    assertThat(changes).hasSize(2);
    assertThat(changes.get(1)).isEqualTo(zone.records());
  }

  @Test
  void shouldRefuseANameOutsideTheZoneWhenAIsSet() {
    Name outside = Name.fromConstantString("www.example.com.");

    assertThatThrownBy(() -> zone.setA(outside, SITE1, 60))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("www.example.com. is not in zone genesys.lab.");
    assertThat(zone.soa().getSerial()).isEqualTo(1);
  }

  @Test
  void shouldKeepTheDefaultApexWhenReplacedRecordsHaveNoSoa() {
    zone.setChangeListener(changes::add);

    zone.replaceRecords(List.of(new ARecord(CS_MASTER, DClass.IN, 60, SITE1)));

    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE1);
    assertThat(zone.rrset(ZONE, Type.SOA)).hasSize(1);
    assertThat(zone.rrset(ZONE, Type.NS)).hasSize(1);
    assertThat(zone.soa().getSerial()).isEqualTo(1);
    assertThat(changes).singleElement().isEqualTo(zone.records());
  }

  @Test
  void shouldTakeTheGivenSoaWhenReplacedRecordsHaveOne() {
    SOARecord soa = new SOARecord(ZONE, DClass.IN, 3600, NS1,
        Name.fromConstantString("hostmaster.genesys.lab."), 42, 3600, 600, 86400, 60);

    zone.replaceRecords(List.of(soa, new NSRecord(ZONE, DClass.IN, 3600, NS1)));

    assertThat(zone.soa().getSerial()).isEqualTo(42);
    assertThat(zone.nameInUse(NS1)).as("the seeded A record of ns1 is gone").isFalse();
  }

  @Test
  void shouldRefuseAnSoaAwayFromTheApexWhenRecordsAreReplaced() {
    SOARecord misplaced = new SOARecord(CS_MASTER, DClass.IN, 3600, NS1,
        Name.fromConstantString("hostmaster.genesys.lab."), 7, 3600, 600, 86400, 60);

    assertThatThrownBy(() -> zone.replaceRecords(List.of(misplaced)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("an SOA record belongs at the zone apex");
  }

  @Test
  void shouldWrapTheSerialToOneWhenItPassesTwoToThe32() {
    zone.replaceRecords(List.of(new SOARecord(ZONE, DClass.IN, 3600, NS1,
        Name.fromConstantString("hostmaster.genesys.lab."), 0xFFFFFFFFL, 3600, 600, 86400, 60)));

    zone.bumpSerial();

    assertThat(zone.soa().getSerial()).isEqualTo(1);
  }

  @Test
  void shouldGiveTheWholeRrsetTheNewTtlWhenARecordIsMerged() {
    zone.setA(CS_MASTER, SITE1, 60);

    assertThat(zone.merge(new ARecord(CS_MASTER, DClass.IN, 30, SITE2))).isTrue();
    assertThat(zone.merge(new ARecord(CS_MASTER, DClass.IN, 30, SITE2))).as("no change").isFalse();
    assertThat(zone.merge(new ARecord(CS_MASTER, DClass.IN, 10, SITE2))).as("TTL change").isTrue();

    assertThat(zone.rrset(CS_MASTER, Type.A)).extracting(Record::getTTL).containsOnly(10L);
    assertThat(zone.addresses(CS_MASTER)).containsExactly(SITE1, SITE2);
  }

  @Test
  void shouldForgetTheNameWhenItsLastRecordIsRemoved() {
    zone.setA(CS_MASTER, SITE1, 60);

    assertThat(zone.removeRecord(Record.newRecord(CS_MASTER, Type.A, DClass.NONE, 0,
        SITE2.getAddress()))).as("another address").isFalse();
    assertThat(zone.removeRecord(Record.newRecord(CS_MASTER, Type.A, DClass.NONE, 0,
        SITE1.getAddress()))).isTrue();

    assertThat(zone.nameInUse(CS_MASTER)).isFalse();
    assertThat(zone.types(CS_MASTER)).isEmpty();
    assertThat(zone.removeRrset(CS_MASTER, Type.A)).isFalse();
  }

  @Test
  void shouldKeepTheOtherTypesWhenOneRrsetIsRemoved() throws Exception {
    zone.setA(CS_MASTER, SITE1, 60);
    zone.merge(new TXTRecord(CS_MASTER, DClass.IN, 60, "master"));

    assertThat(zone.removeRrset(CS_MASTER, Type.A)).isTrue();

    assertThat(zone.types(CS_MASTER)).containsExactly(Type.TXT);
    assertThat(zone.lookup(CS_MASTER, Type.A).nameExists()).isTrue();
    assertThat(zone.lookup(CS_MASTER, Type.A).records()).isEmpty();
  }

  @Test
  void shouldTreatAnEmptyNonTerminalAsInUseWhenANameBelowOwnsRecords() {
    Name below = Name.fromConstantString("a.b.genesys.lab.");
    zone.setA(below, SITE1, 60);

    assertThat(zone.nameInUse(Name.fromConstantString("b.genesys.lab."))).isTrue();
    assertThat(zone.nameInUse(Name.fromConstantString("c.genesys.lab."))).isFalse();
  }

  @Test
  void shouldFindEveryTypeAndTheSoaWhenLookingUpAny() throws Exception {
    zone.setA(CS_MASTER, SITE1, 60);
    zone.merge(new TXTRecord(CS_MASTER, DClass.IN, 60, "master"));

    LabDnsZone.Lookup any = zone.lookup(CS_MASTER, Type.ANY);
    LabDnsZone.Lookup absent = zone.lookup(Name.fromConstantString("nobody.genesys.lab."), Type.A);

    assertThat(any.nameExists()).isTrue();
    assertThat(any.records()).extracting(Record::getType).containsExactly(Type.A, Type.TXT);
    assertThat(any.soa()).isEqualTo(zone.soa());
    assertThat(absent.nameExists()).isFalse();
    assertThat(absent.records()).isEmpty();
    assertThat(absent.soa()).isEqualTo(zone.soa());
  }

  @Test
  void shouldNotShowAHalfDoneChangeWhenWorkRunsAtomically() throws Exception {
    AtomicReference<Thread> readerThread = new AtomicReference<>();
    ExecutorService reader = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "zone-reader");
      readerThread.set(thread);
      return thread;
    });
    try {
      Future<List<InetAddress>> seen = zone.atomically(() -> {
        zone.setA(CS_MASTER, SITE1, 60);
        zone.removeRrset(CS_MASTER, Type.A);
        Future<List<InetAddress>> read = reader.submit(() -> zone.addresses(CS_MASTER));
        // without the lock the reader would finish now and see no address at all
        awaitBlockedOrDone(readerThread, read);
        zone.setA(CS_MASTER, SITE2, 60);
        return read;
      });

      assertThat(readerThread.get()).isNotNull();
      assertThat(seen.get(5, TimeUnit.SECONDS)).containsExactly(SITE2);
    } finally {
      reader.shutdownNow();
    }
  }

  @Test
  void shouldCountEveryChangeInTheSerialWhenThreadsChangeTheZoneAtOnce() throws Exception {
    int threads = 4;
    int changesEach = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Name name = Name.fromConstantString("host" + t + ".genesys.lab.");
        done.add(pool.submit(() -> {
          for (int i = 0; i < changesEach; i++) {
            zone.setA(name, SITE1, 60 + i);
          }
        }));
      }
      for (Future<?> each : done) {
        each.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(zone.soa().getSerial()).isEqualTo(1 + threads * changesEach);
  }

  /** Waits, at most 5 s, until the reader waits for a lock or has read. */
  private static void awaitBlockedOrDone(AtomicReference<Thread> thread, Future<?> read) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!read.isDone() && System.nanoTime() < deadline) {
      Thread current = thread.get();
      if (current != null && current.getState() == Thread.State.BLOCKED) {
        return;
      }
      Thread.onSpinWait();
    }
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByAddress(InetAddress.getByName(text).getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
