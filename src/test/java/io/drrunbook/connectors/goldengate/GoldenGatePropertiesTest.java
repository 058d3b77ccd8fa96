package io.drrunbook.connectors.goldengate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.connectors.goldengate.GoldenGateProperties.CommandSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A command set that does not fit the catalog stops the application with the problem named. */
class GoldenGatePropertiesTest {

  private static CommandSet complete() {
    CommandSet set = new CommandSet();
    set.getGroupTypes().putAll(Map.of("extract", "EXTRACT", "pump", "EXTRACT", "replicat", "REPLICAT"));
    GoldenGateProperties.OPERATIONS.forEach(op -> set.getCommands().put(op, "ogg-" + op));
    set.setStatusPattern("Status (?<status>[A-Z]+)");
    set.setLagPattern("lag (?<lag>\\d+)");
    return set;
  }

  private static Set<String> catalog() {
    return Set.of("ogg-status", "ogg-lag", "ogg-stop", "ogg-start", "ogg-start-replicat-at-scn",
        "ogg-clean-folders");
  }

  @Test
  void shouldFindNoProblemWhenEveryOperationHasACatalogEntry() {
    assertThat(complete().problems("ggsci", catalog())).isEmpty();
  }

  @Test
  void shouldNameEachProblemWhenSetDoesNotFitTheCatalog() {
    CommandSet set = complete();
    set.getCommands().remove("lag");
    set.getCommands().put("stop", "ogg-halt");
    set.getGroupTypes().remove("pump");
    set.setStatusPattern("Status ([A-Z]+)");
    set.setLagPattern("lag (?<lag>\\d+");

    assertThat(set.problems("rest", catalog())).containsExactlyInAnyOrder(
        "dr.goldengate.command-sets.rest.commands has no entry for lag",
        "dr.goldengate.command-sets.rest.commands.stop names 'ogg-halt', not in dr.commands",
        "dr.goldengate.command-sets.rest.group-types has no entry for pump",
        "dr.goldengate.command-sets.rest.status-pattern has no named group (?<status>...)",
        "dr.goldengate.command-sets.rest.lag-pattern is not a valid regular expression: Unclosed group");
  }

  @Test
  void shouldNameTheSetsThatExistWhenSelectedSetIsUnknown() {
    GoldenGateProperties properties = new GoldenGateProperties();
    properties.getCommandSets().put("ggsci", complete());
    properties.setCommandSet("ogg-rest");

    assertThatThrownBy(properties::selected).hasMessageContaining("'ogg-rest'").hasMessageContaining("[ggsci]");
  }
}
