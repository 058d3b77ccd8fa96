package io.drrunbook.connectors.goldengate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How route {@code goldengate} talks to GoldenGate ({@code dr.goldengate.*}, product defaults in
 * {@code config/commands-goldengate.yaml}): {@code command-set} selects one of {@code command-sets},
 * each mapping the route's operations to entries of the command catalog and saying how to read their
 * output. GGSCI through the {@code ggsci-exec} wrapper is the shipped set; a site using the
 * Microservices REST API configures another set (documented in that file).
 */
@ConfigurationProperties("dr.goldengate")
public class GoldenGateProperties {

  /** The operations of route goldengate. */
  public static final List<String> OPERATIONS = List.of("status", "lag", "stop", "start",
      "start-replicat-at-scn", "clean-folders");
  /** The process types a step may name. */
  public static final List<String> TYPES = List.of("extract", "pump", "replicat");

  /** The command set in use (a key of command-sets). */
  private String commandSet = "ggsci";
  private Map<String, CommandSet> commandSets = new LinkedHashMap<>();

  public String getCommandSet() { return commandSet; }
  public void setCommandSet(String commandSet) { this.commandSet = commandSet; }
  public Map<String, CommandSet> getCommandSets() { return commandSets; }
  public void setCommandSets(Map<String, CommandSet> commandSets) { this.commandSets = commandSets; }

  /** The selected command set; fails naming the sets that exist. */
  public CommandSet selected() {
    CommandSet set = commandSets.get(commandSet);
    if (set == null) {
      throw new IllegalStateException("dr.goldengate.command-set is '" + commandSet
          + "' but dr.goldengate.command-sets defines " + commandSets.keySet());
    }
    return set;
  }

  /** One way of driving GoldenGate: operation -> catalog key, type -> {groupType}, output patterns. */
  public static class CommandSet {
    /** Word a template's {groupType} placeholder gets, by process type (extract, pump, replicat). */
    private Map<String, String> groupTypes = new LinkedHashMap<>();
    /** Command catalog key (dr.commands) by operation. */
    private Map<String, String> commands = new LinkedHashMap<>();
    /** Regex with a named group "status" over the status command's output. */
    private String statusPattern;
    /** Regex with a named group "lag" (seconds) over the lag command's output. */
    private String lagPattern;
    /** Regex with a named group "scn" over the status output: the CSN a Replicat was started after. */
    private String startScnPattern;

    public Map<String, String> getGroupTypes() { return groupTypes; }
    public void setGroupTypes(Map<String, String> groupTypes) { this.groupTypes = groupTypes; }
    public Map<String, String> getCommands() { return commands; }
    public void setCommands(Map<String, String> commands) { this.commands = commands; }
    public String getStatusPattern() { return statusPattern; }
    public void setStatusPattern(String statusPattern) { this.statusPattern = statusPattern; }
    public String getLagPattern() { return lagPattern; }
    public void setLagPattern(String lagPattern) { this.lagPattern = lagPattern; }
    public String getStartScnPattern() { return startScnPattern; }
    public void setStartScnPattern(String startScnPattern) { this.startScnPattern = startScnPattern; }

    /** The catalog key of an operation. */
    public String command(String operation) {
      String key = commands.get(operation);
      if (key == null) {
        throw new IllegalArgumentException("the GoldenGate command set has no command for operation '"
            + operation + "'");
      }
      return key;
    }

    /** What is wrong with this set, given the catalog's keys (empty if nothing). */
    public List<String> problems(String name, java.util.Set<String> catalogKeys) {
      List<String> problems = new ArrayList<>();
      String where = "dr.goldengate.command-sets." + name;
      for (String operation : OPERATIONS) {
        String key = commands.get(operation);
        if (key == null) {
          problems.add(where + ".commands has no entry for " + operation);
        } else if (!catalogKeys.contains(key)) {
          problems.add(where + ".commands." + operation + " names '" + key + "', not in dr.commands");
        }
      }
      for (String type : TYPES) {
        if (!groupTypes.containsKey(type)) {
          problems.add(where + ".group-types has no entry for " + type);
        }
      }
      checkPattern(problems, where + ".status-pattern", statusPattern, "status", true);
      checkPattern(problems, where + ".lag-pattern", lagPattern, "lag", true);
      checkPattern(problems, where + ".start-scn-pattern", startScnPattern, "scn", false);
      return problems;
    }

    private static void checkPattern(List<String> problems, String where, String regex, String group,
        boolean required) {
      if (regex == null || regex.isBlank()) {
        if (required) {
          problems.add(where + " is missing");
        }
        return;
      }
      try {
        Pattern.compile(regex);
        if (!regex.contains("(?<" + group + ">")) {
          problems.add(where + " has no named group (?<" + group + ">...)");
        }
      } catch (PatternSyntaxException e) {
        problems.add(where + " is not a valid regular expression: " + e.getDescription());
      }
    }
  }
}
