package io.drrunbook.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.lab.faults.FaultRequestException.Problem;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import io.drrunbook.topology.TopologyProperties.Endpoint;
import io.drrunbook.topology.TopologyProperties.Site;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fault registry alone: what it accepts, what it refuses and what the simulators read from it. */
class LabFaultsTest {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T10:00:00Z"), ZoneOffset.UTC);
  private static final String MGMT = "site1.cs-mgmt";

  private final LabFaults faults = new LabFaults(() -> List.of(MGMT, "site2.cs-mgmt"),
      new Topology(topology()), CLOCK);

  @Test
  void shouldKeepTheFaultWithItsParametersWhenTheRequestIsValid() {
    Fault fault = faults.add(new FaultRequest("command-fails", MGMT, 3, "out\n", "err\n", null,
        null, null, "genesys-ctl start"), "operator");

    assertThat(fault.id()).isNotBlank();
    assertThat(fault).extracting(Fault::type, Fault::target, Fault::exitCode, Fault::stdout,
            Fault::stderr, Fault::command, Fault::createdAt, Fault::createdBy)
        .containsExactly(FaultType.COMMAND_FAILS, MGMT, 3, "out\n", "err\n", "genesys-ctl start",
            CLOCK.instant(), "operator");
    assertThat(faults.list()).containsExactly(fault);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // why | type | target | exitCode | delay | seconds | status | command | field at fault
      "no type                   |                  | site1.cs-mgmt  |     |       |    |     |   | type",
      "unknown type              | flood            | site1.cs-mgmt  |     |       |    |     |   | type",
      "no target                 | unreachable      |                |     |       |    |     |   | target",
      "unknown host              | unreachable      | site9.cs-mgmt  |     |       |    |     |   | target",
      "DNS fault on a host       | dns-servfail     | site1.cs-mgmt  |     |       |    |     |   | target",
      "host key of a DNS server  | host-key-changed | lab-dns        |     |       |    |     |   | target",
      "exit code missing         | command-fails    | site1.cs-mgmt  |     |       |    |     |   | exitCode",
      "exit code too big         | command-fails    | site1.cs-mgmt  | 256 |       |    |     |   | exitCode",
      "delay missing             | slow             | site1.cs-mgmt  |     |       |    |     |   | delay",
      "delay negative            | slow             | site1.cs-mgmt  |     | PT-1S |    |     |   | delay",
      "delay not a duration      | slow             | site1.cs-mgmt  |     | soon  |    |     |   | delay",
      "seconds missing           | replication-lag  | site1-to-site2 |     |       |    |     |   | seconds",
      "seconds negative          | replication-lag  | site1-to-site2 |     |       | -5 |     |   | seconds",
      "replication to itself     | replication-lag  | site1-to-site1 |     |       | 5  |     |   | target",
      "status not 5xx            | http-error       | site1.gim-api  |     |       |    | 404 |   | status",
      "bad regular expression    | command-hangs    | site1.cs-mgmt  |     |       |    |     | ( | command",
      "parameter of another type | unreachable      | lab-dns        | 1   |       |    |     |   | exitCode"})
  void shouldNameTheFieldWhenTheRequestIsInvalid(String why, String type, String target,
      Integer exitCode, String delay, Long seconds, Integer status, String command, String field) {
    FaultRequest request = new FaultRequest(type, target, exitCode, null, null, delay, seconds,
        status, command);

    assertThatThrownBy(() -> faults.add(request))
        .isInstanceOfSatisfying(FaultRequestException.class, e ->
            assertThat(e.problems()).extracting(Problem::field).containsExactly(field));
    assertThat(faults.list()).isEmpty();
  }

  @Test
  void shouldAcceptEveryKindOfTargetWhenItIsInTheTopology() {
    faults.add(FaultRequest.of("unreachable", MGMT));
    faults.add(FaultRequest.of("unreachable", "lab-dns"));
    faults.add(FaultRequest.of("unreachable", "site2.gim-api"));
    faults.add(new FaultRequest("replication-lag", "site2-to-site1", null, null, null, null, 90L,
        null, null));
    faults.add(new FaultRequest("slow", "site1.gim-api", null, null, null, "5s", null, null, null));

    assertThat(faults.list()).extracting(Fault::target)
        .containsExactly(MGMT, "lab-dns", "site2.gim-api", "site2-to-site1", "site1.gim-api");
    assertThat(faults.list().get(4).delay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(faults.unreachable("lab-dns")).isTrue();
    assertThat(faults.unreachable("site2.cs-mgmt")).isFalse();
  }

  @Test
  void shouldFindTheFirstMatchingCommandFaultWhenSeveralTargetTheHost() {
    Fault start = faults.add(new FaultRequest("command-fails", MGMT, 3, null, null, null, null,
        null, "genesys-ctl start"));
    Fault any = faults.add(new FaultRequest("slow", MGMT, null, null, null, "PT1S", null, null,
        null));

    assertThat(faults.commandFault(MGMT, "/opt/dr/bin/genesys-ctl start 'scs-master'"))
        .contains(start);
    assertThat(faults.commandFault(MGMT, "/opt/dr/bin/genesys-ctl status 'scs-master'"))
        .contains(any);
    assertThat(faults.commandFault("site2.cs-mgmt", "/opt/dr/bin/genesys-ctl start 'x'")).isEmpty();
  }

  @Test
  void shouldReportTheLagWhenReplicationLagIsInjected() {
    faults.add(new FaultRequest("replication-lag", "site1-to-site2", null, null, null, null, 120L,
        null, null));

    assertThat(faults.replicationLag("site1-to-site2")).isEqualTo(OptionalLong.of(120));
    assertThat(faults.replicationLag("site2-to-site1")).isEmpty();
  }

  @Test
  void shouldMatchHttpAndSoapFaultsByTheirPatternWhenTheEndpointIsCalled() {
    Fault error = faults.add(new FaultRequest("http-error", "site1.gim-api", null, null, null,
        null, null, null, "^POST /jobs"));
    Fault soap = faults.add(new FaultRequest("soap-fault", "site2.gim-api", null, "Server busy",
        null, null, null, null, "Failover"));

    assertThat(error.status()).as("default status").isEqualTo(500);
    assertThat(faults.httpFault("site1.gim-api", "POST", "/jobs/7", null)).contains(error);
    assertThat(faults.httpFault("site1.gim-api", "GET", "/jobs/7", null)).isEmpty();
    assertThat(faults.httpFault("site2.gim-api", "POST", "/soap", "urn:StartFailover")).contains(soap);
    assertThat(faults.httpFault("site2.gim-api", "POST", "/soap", "urn:Status")).isEmpty();
  }

  @Test
  void shouldTellListenersTheWholeListWhenFaultsChange() {
    List<List<Fault>> seen = new ArrayList<>();
    faults.addListener(seen::add);

    Fault fault = faults.add(FaultRequest.of("host-key-changed", MGMT));
    assertThat(faults.hostKeyChanged(MGMT)).isTrue();
    assertThat(faults.remove(fault.id())).isTrue();
    assertThat(faults.remove(fault.id())).isFalse();
    faults.clear();

    assertThat(seen).containsExactly(List.of(fault), List.of(), List.of());
    assertThat(faults.hostKeyChanged(MGMT)).isFalse();
  }

  @Test
  void shouldReleaseAWaitingThreadWhenTheFaultIsRemoved() throws Exception {
    Fault hang = faults.add(FaultRequest.of("command-hangs", MGMT));
    CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return faults.awaitGone(hang.id(), null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    });

    assertThat(faults.awaitGone(hang.id(), Duration.ofMillis(50))).isFalse();
    faults.remove(hang.id());

    assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
  }

  private static TopologyProperties topology() {
    TopologyProperties topology = new TopologyProperties();
    for (String siteId : List.of("site1", "site2")) {
      Site site = new Site();
      Endpoint endpoint = new Endpoint();
      endpoint.setUrl("http://127.0.0.1:0/");
      site.getEndpoints().put("gim-api", endpoint);
      topology.getSites().put(siteId, site);
    }
    DnsServer dns = new DnsServer();
    dns.setAddress("127.0.0.1");
    topology.getDnsServers().put("lab-dns", dns);
    return topology;
  }
}
