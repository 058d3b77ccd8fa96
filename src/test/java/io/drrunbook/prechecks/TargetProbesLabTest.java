package io.drrunbook.prechecks;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.faults.FaultRequest;
import io.drrunbook.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The probes as the application wires them (bean, {@code dr.prechecks.probe-timeout}), against the
 * drill lab's real SSH hosts, databases and DNS server with its generated keys and TSIG secret.
 */
@DrillContext
class TargetProbesLabTest {

  @Autowired TargetProbes probes;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired io.drrunbook.lab.LabProperties labProperties;

  /** Before: other tests' leftovers; after: this test's faults. */
  @BeforeEach
  @AfterEach
  void resetLab() {
    lab.reset();
  }

  @Test
  void shouldReachEveryTargetOfTheLabWhenItRunsAsItStarted() {
    List<ProbeResult> results = new ArrayList<>();
    // every system of the topology the lab plays (a role for hosts and endpoints, a lab database)
    topology.properties().getSites().forEach((siteId, site) -> {
      site.getHosts().keySet().stream().filter(host -> labProperties.getRoles().containsKey(siteId + "." + host))
          .forEach(host -> results.add(probes.probe(TargetKind.HOST, siteId + "." + host)));
      site.getDatabases().keySet().stream()
          .filter(database -> labProperties.getDatabases().containsKey(siteId + "." + database))
          .forEach(database -> results.add(probes.probe(TargetKind.DATABASE, siteId + "." + database)));
      site.getEndpoints().keySet().stream().filter(endpoint -> labProperties.getRoles().containsKey(siteId + "." + endpoint))
          .forEach(endpoint -> results.add(probes.probe(TargetKind.ENDPOINT, siteId + "." + endpoint)));
    });
    topology.properties().getDnsServers().keySet().forEach(server ->
        results.add(probes.probe(TargetKind.DNS_SERVER, server)));

    assertThat(results).extracting(ProbeResult::kind)
        .contains(TargetKind.HOST, TargetKind.DATABASE, TargetKind.DNS_SERVER);
    assertThat(results).allSatisfy(result -> {
      assertThat(result.ok()).as(result.detail()).isTrue();
      assertThat(result.check()).isEqualTo(ProbeResult.REACHABLE);
    });
  }

  @Test
  void shouldReportTheHostAndTheDnsServerWhenTheLabMakesThemUnreachable() {
    String host = topology.properties().getSites().entrySet().iterator().next().getKey() + "."
        + topology.properties().getSites().values().iterator().next().getHosts().keySet()
            .iterator().next();
    String dnsServer = topology.properties().getDnsServers().keySet().iterator().next();
    lab.faults().add(FaultRequest.of("unreachable", host));
    lab.faults().add(FaultRequest.of("unreachable", dnsServer));

    ProbeResult hostResult = probes.probe(TargetKind.HOST, host);
    ProbeResult dnsResult = probes.probe(TargetKind.DNS_SERVER, dnsServer);

    assertThat(hostResult.ok()).isFalse();
    assertThat(hostResult.check()).as(hostResult.detail()).isEqualTo(ProbeResult.CONNECTION);
    assertThat(hostResult.detail()).startsWith("host " + host + " (");
    assertThat(dnsResult.ok()).isFalse();
    assertThat(dnsResult.check()).as(dnsResult.detail()).isEqualTo(ProbeResult.CONNECTION);
    assertThat(dnsResult.detail()).startsWith("DNS server " + dnsServer + " (")
        .contains("for SOA");
    assertThat(dnsResult.durationMs()).isLessThan(7000);
  }
}
