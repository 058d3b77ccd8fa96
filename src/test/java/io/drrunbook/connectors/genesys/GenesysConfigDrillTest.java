package io.drrunbook.connectors.genesys;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import io.drrunbook.lab.Lab;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The route direct:genesys-config as the application wires it (route file, bean, lab topology with
 * its generated endpoint secret) against the lab's site2.config-api: seed 001 B1 steps 2.1 and 3
 * (the Info Mart Server's host moved to Site 2, its Info Mart DAP swapped) end as the lab shows.
 */
@DrillContext
class GenesysConfigDrillTest {

  private static final String API = "site2.config-api";

  @Autowired ProducerTemplate producer;
  @Autowired Lab lab;

  /** Before: other tests' leftovers; after: this test's changes. */
  @BeforeEach
  @AfterEach
  void resetLab() {
    lab.reset();
  }

  @Test
  void shouldPointInfoMartAtSite2WhenRouteRuns() {
    Map<?, ?> host = producer.requestBody("direct:genesys-config", Map.of("endpoint", API,
        "application", "GIM_Server", "operation", "set-host", "host", "site2.gim"), Map.class);
    Map<?, ?> removed = producer.requestBody("direct:genesys-config", Map.of("endpoint", API,
        "application", "GIM_Server", "operation", "remove-connection", "connection", "DAP_InfoMart_Site1"), Map.class);
    Map<?, ?> added = producer.requestBody("direct:genesys-config", Map.of("endpoint", API,
        "application", "GIM_Server", "operation", "add-connection", "connection", "DAP_InfoMart_Site2"), Map.class);

    assertThat(host.get("current")).isEqualTo("gim.site2.genesys.lab");
    assertThat(removed.get("changed")).isEqualTo(true);
    assertThat(added.get("changed")).isEqualTo(true);
    assertThat(lab.state().attribute(API, "GIM_Server", "host")).isEqualTo("gim.site2.genesys.lab");
    assertThat(lab.state().attribute(API, "GIM_Server", "connections")).isEqualTo(
        List.of("ICON_Site1_Voice", "ICON_Site2_Voice", "DAP_IDB_Site1", "DAP_IDB_Site2", "DAP_InfoMart_Site2"));
    assertThat(lab.state().actionCount(API, "set-host GIM_Server gim.site2.genesys.lab")).isEqualTo(1);
  }
}
