package io.drrunbook.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.PostgresServer;
import io.drrunbook.common.TestProductSchema;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Leases of actions across nodes, on the databases nodes share: two "nodes" (two lease instances,
 * each with its own in-process locks, as two JVMs have) doing the same action at once run it one
 * after the other, never overlapping; a different action is not held up; a lease of a node that
 * died (never given back) is taken once it expires, and a held lease is renewed past its duration.
 * On H2 and on a real PostgreSQL server.
 */
class DatabaseActionLeasesTest {

  private static PostgresServer postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void shouldRunTheSameActionOfTwoNodesOneAfterTheOtherOnH2() throws Exception {
    DataSource h2 = new DriverManagerDataSource("jdbc:h2:mem:leases-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
    TestProductSchema.migrate(h2);
    assertOneAtATime(h2);
    assertExpiredLeaseTakenAndHeldLeaseRenewed(h2);
  }

  @Test
  void shouldRunTheSameActionOfTwoNodesOneAfterTheOtherOnPostgresql() throws Exception {
    DataSource database = postgres.createDatabase("leases");
    TestProductSchema.migrate(database, "postgresql");
    assertOneAtATime(database);
    assertExpiredLeaseTakenAndHeldLeaseRenewed(database);
  }

  private static void assertOneAtATime(DataSource database) throws Exception {
    List<ActionLocks> nodes = List.of(
        new ActionLocks(new DatabaseActionLeases(database, Duration.ofSeconds(30))),
        new ActionLocks(new DatabaseActionLeases(database, Duration.ofSeconds(30))));
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    ExecutorService steps = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> all = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        ActionLocks node = nodes.get(i % 2);
        all.add(steps.submit(() -> {
          start.await();
          return node.exclusively("site1.cs-proxy-1\ncs-switchover cs-master", "site1.cs-proxy-1 cs-switchover", () -> {
            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            sleep(50);
            inside.decrementAndGet();
            return done.incrementAndGet();
          });
        }));
      }
      start.countDown();
      for (Future<?> step : all) {
        step.get(60, TimeUnit.SECONDS);
      }
    } finally {
      steps.shutdownNow();
    }
    assertThat(done).hasValue(8);
    assertThat(mostInside).as("never two at once, across the two nodes").hasValue(1);
    assertThat(count(database)).as("every lease given back").isZero();

    // another action does not wait for a held one
    DatabaseActionLeases leases = new DatabaseActionLeases(database, Duration.ofSeconds(30));
    try (ActionLeases.Lease held = leases.acquire("a", "host a")) {
      long before = System.nanoTime();
      try (ActionLeases.Lease other = leases.acquire("b", "host b")) {
        assertThat(count(database)).isEqualTo(2);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
    }
  }

  private static void assertExpiredLeaseTakenAndHeldLeaseRenewed(DataSource database) throws Exception {
    // a node that died holding a lease never gives it back: the next taker waits for its expiry
    DatabaseActionLeases dead = new DatabaseActionLeases(database, Duration.ofMillis(600));
    dead.acquire("crashed", "site2.cs-mgmt genesys-ctl-start");
    dead.destroy();
    DatabaseActionLeases other = new DatabaseActionLeases(database, Duration.ofSeconds(30));
    long before = System.nanoTime();
    try (ActionLeases.Lease taken = other.acquire("crashed", "site2.cs-mgmt genesys-ctl-start")) {
      assertThat(owners(database, "site2.cs-mgmt genesys-ctl-start")).isEqualTo(1);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - before)).as("waited for the expiry, not more")
        .isLessThan(Duration.ofSeconds(10));

    // a lease renewed by its live holder outlasts its duration: nobody else gets it meanwhile
    DatabaseActionLeases holder = new DatabaseActionLeases(database, Duration.ofMillis(600));
    AtomicInteger taken = new AtomicInteger();
    try (ActionLeases.Lease held = holder.acquire("long", "site2.cs-mgmt long")) {
      Thread waiter = new Thread(() -> {
        try (ActionLeases.Lease second = other.acquire("long", "site2.cs-mgmt long")) {
          taken.incrementAndGet();
        }
      });
      waiter.start();
      sleep(2000);
      assertThat(taken).as("renewed three times its duration: still held").hasValue(0);
      held.close();
      waiter.join(10_000);
    } finally {
      holder.destroy();
    }
    assertThat(taken).hasValue(1);
  }

  private static int count(DataSource database) {
    return new JdbcTemplate(database).queryForObject("SELECT COUNT(*) FROM DR_ACTION_LEASE", Integer.class);
  }

  private static int owners(DataSource database, String text) {
    return new JdbcTemplate(database).queryForObject("SELECT COUNT(*) FROM DR_ACTION_LEASE WHERE ACTION_TEXT = ?",
        Integer.class, text);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
