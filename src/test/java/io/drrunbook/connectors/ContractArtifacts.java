package io.drrunbook.connectors;

import io.drrunbook.connectors.ConnectorContract.BpmnError;
import io.drrunbook.connectors.ConnectorContract.Input;
import io.drrunbook.connectors.ConnectorContract.Output;
import io.drrunbook.connectors.ConnectorContract.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What is made from the connector contracts ({@code connectors/*.contract.yaml}): the route table of
 * {@code connectors/README.md} (between {@link #BEGIN} and {@link #END}), the header comment of each
 * route file, and the Camunda Modeler element template of each route
 * ({@code connectors/element-templates/<route>.json}, Camunda 7). {@code ConnectorContractsTest}
 * fails when a committed artifact differs from what this makes, and writes them with
 * {@code -Ddr.contracts.write=true}.
 */
final class ContractArtifacts {

  static final String BEGIN = "<!-- contracts:begin -->";
  static final String END = "<!-- contracts:end -->";
  static final String REGENERATE = "mvn -q -B -Dtest=ConnectorContractsTest -Ddr.contracts.write=true test";
  static final String SCHEMA = "https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json";
  static final String TEMPLATE_PREFIX = "io.drrunbook.connectors.";
  static final int TEMPLATE_VERSION = 1;
  static final String TOPIC = "dr-step";
  static final String HEADER_END = "# contract: ";
  private static final int WIDTH = 100;
  private static final String INTEGER_PATTERN = "^(|[0-9]+|[$#]\\{.+\\})$";

  private ContractArtifacts() {}

  // ---------------------------------------------------------------- README table

  /** The table of routes, one row a contract, with the markers around it. */
  static String readmeTable(Collection<ConnectorContract> contracts) {
    StringBuilder table = new StringBuilder(BEGIN).append('\n')
        .append("<!-- made from connectors/*.contract.yaml; after a change: ").append(REGENERATE).append(" -->\n")
        .append("| route | what | in | out | BPMN errors | read-only | config |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (ConnectorContract contract : contracts) {
      table.append("| `").append(contract.route()).append("` | ").append(cell(contract.title()))
          .append(" | ").append(cell(inputs(contract, "`")))
          .append(" | ").append(cell(contract.outputs().stream().map(output -> "`" + output.name() + "`")
              .collect(Collectors.joining(", "))))
          .append(" | ").append(contract.errors().isEmpty() ? "—" : contract.errors().stream()
              .map(error -> "`" + error.code() + "`").collect(Collectors.joining(", ")))
          .append(" | ").append(cell(contract.readOnly().describe()))
          .append(" | ").append(cell(contract.config().stream().map(ContractArtifacts::configKey)
              .collect(Collectors.joining(", "))))
          .append(" |\n");
    }
    return table.append(END).toString();
  }

  /** The README with its table between the markers replaced. */
  static String withReadmeTable(String readme, String table) {
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalStateException("connectors/README.md has no " + BEGIN + " ... " + END + " block");
    }
    return readme.substring(0, begin) + table + readme.substring(end + END.length());
  }

  private static String configKey(String config) {
    int note = config.indexOf(" (");
    return note < 0 ? "`" + config + "`" : "`" + config.substring(0, note) + "`" + config.substring(note);
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  /**
   * The inputs in one line: required plain, optional with ?, required for some values of another
   * input with [if input values], allowed values in parentheses.
   */
  static String inputs(ConnectorContract contract, String quote) {
    List<String> parts = new ArrayList<>();
    for (Input input : contract.inputs()) {
      String part = quote + input.name() + quote;
      if (!input.allowedValues().isEmpty()) {
        part += " (" + input.allowedValues().stream().map(value -> quote + value + quote)
            .collect(Collectors.joining(", ")) + ")";
      }
      if (input.requiredWhen() != null) {
        part += " [if " + input.requiredWhen().input() + " " + String.join(", ", input.requiredWhen().values()) + "]";
      } else if (!input.required()) {
        part += "?";
      }
      parts.add(part + (input.secret() ? " (secret)" : ""));
    }
    String line = String.join(", ", parts);
    return contract.otherInputs() == null ? line : line + "; " + contract.otherInputs();
  }

  // ---------------------------------------------------------------- route file header

  /** The comment a route file starts with, ending with the line that points to the contract. */
  static String routeHeader(ConnectorContract contract) {
    List<String> lines = new ArrayList<>();
    wrap(lines, contract.route() + ": " + contract.title() + ". " + contract.description());
    wrap(lines, "in: " + inputs(contract, ""));
    wrap(lines, "out: " + contract.outputs().stream().map(Output::name).collect(Collectors.joining(", ")));
    List<String> errors = new ArrayList<>();
    for (BpmnError error : contract.errors()) {
      errors.add(error.code() + " (" + error.when() + ")");
    }
    if (contract.technicalFailures() != null) {
      errors.add("technical (retried, then an incident): " + contract.technicalFailures());
    }
    wrap(lines, "errors: " + (errors.isEmpty() ? "-" : String.join("; ", errors)));
    wrap(lines, "read-only: " + contract.readOnly().describe());
    wrap(lines, "config: " + String.join(", ", contract.config()));
    lines.add(HEADER_END + contract.route() + ".contract.yaml (this header is made from it, see README.md)");
    return String.join("\n", lines) + "\n";
  }

  /** The route file with its generated header replaced (or, the first time, its leading comment). */
  static String withRouteHeader(String routeFile, String header) {
    List<String> lines = routeFile.lines().toList();
    int keep = 0;
    int headerEnd = -1;
    while (keep < lines.size() && lines.get(keep).startsWith("#")) {
      if (lines.get(keep).startsWith(HEADER_END)) {
        headerEnd = keep;
        break;
      }
      keep++;
    }
    int from = headerEnd >= 0 ? headerEnd + 1 : keep;
    String rest = String.join("\n", lines.subList(from, lines.size()));
    return header + rest + (routeFile.endsWith("\n") ? "\n" : "");
  }

  private static void wrap(List<String> lines, String text) {
    String prefix = "# ";
    StringBuilder line = new StringBuilder(prefix);
    for (String word : text.strip().split("\\s+")) {
      if (line.length() > prefix.length() && line.length() + 1 + word.length() > WIDTH) {
        lines.add(line.toString());
        prefix = "#     ";
        line = new StringBuilder(prefix);
      }
      if (line.length() > prefix.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
  }

  // ---------------------------------------------------------------- element template

  /** The Camunda 7 element template of the route, as JSON text. */
  static String elementTemplate(ConnectorContract contract) {
    Map<String, Object> template = new LinkedHashMap<>();
    template.put("$schema", SCHEMA);
    template.put("name", contract.title());
    template.put("id", TEMPLATE_PREFIX + contract.route());
    template.put("version", TEMPLATE_VERSION);
    template.put("description", contract.description() + (contract.otherInputs() == null ? ""
        : " Other inputs (add them as input parameters): " + contract.otherInputs() + "."));
    template.put("appliesTo", List.of("bpmn:ServiceTask"));
    template.put("groups", List.of(group("inputs", "Inputs"), group("outputs", "Outputs")));
    List<Object> properties = new ArrayList<>();
    properties.add(hidden("external", Map.of("type", "property", "name", "camunda:type")));
    properties.add(hidden(TOPIC, Map.of("type", "property", "name", "camunda:topic")));
    properties.add(hidden(contract.route(), inputBinding(ConnectorContract.ROUTE_INPUT)));
    for (Input input : contract.inputs()) {
      properties.add(inputProperty(input));
    }
    for (Output output : contract.outputs()) {
      Map<String, Object> property = new LinkedHashMap<>();
      property.put("label", "Variable for " + output.name());
      property.put("description", output.description() + " (the process variable to store it in; empty: not stored)");
      property.put("group", "outputs");
      property.put("type", "String");
      property.put("optional", true);
      Map<String, Object> binding = new LinkedHashMap<>();
      binding.put("type", "camunda:outputParameter");
      binding.put("source", "${" + output.name() + "}");
      property.put("binding", binding);
      properties.add(property);
    }
    template.put("properties", properties);
    StringBuilder json = new StringBuilder();
    writeJson(json, template, "");
    return json.append('\n').toString();
  }

  private static Map<String, Object> inputProperty(Input input) {
    Map<String, Object> property = new LinkedHashMap<>();
    property.put("label", input.name());
    String description = input.description();
    if (input.requiredWhen() != null) {
      description += " (required when " + input.requiredWhen().input() + " is "
          + String.join(" or ", input.requiredWhen().values()) + ")";
    }
    property.put("description", description);
    property.put("group", "inputs");
    if (input.allowedValues().isEmpty()) {
      property.put("type", "String");
    } else {
      property.put("type", "Dropdown");
      List<Object> choices = new ArrayList<>();
      if (input.required()) {
        property.put("value", input.allowedValues().get(0));
      } else {
        choices.add(choice("(not given)", ""));
      }
      input.allowedValues().forEach(value -> choices.add(choice(value, value)));
      property.put("choices", choices);
    }
    if (!input.required()) {
      property.put("optional", true);
    }
    property.put("binding", inputBinding(input.name()));
    Map<String, Object> constraints = new LinkedHashMap<>();
    if (input.required()) {
      constraints.put("notEmpty", true);
    }
    if (input.type() == Type.INTEGER) {
      Map<String, Object> pattern = new LinkedHashMap<>();
      pattern.put("value", INTEGER_PATTERN);
      pattern.put("message", "a whole number, or an expression ${...}");
      constraints.put("pattern", pattern);
    }
    if (!constraints.isEmpty()) {
      property.put("constraints", constraints);
    }
    return property;
  }

  private static Map<String, Object> group(String id, String label) {
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("id", id);
    group.put("label", label);
    return group;
  }

  private static Map<String, Object> choice(String name, String value) {
    Map<String, Object> choice = new LinkedHashMap<>();
    choice.put("name", name);
    choice.put("value", value);
    return choice;
  }

  private static Map<String, Object> inputBinding(String name) {
    Map<String, Object> binding = new LinkedHashMap<>();
    binding.put("type", "camunda:inputParameter");
    binding.put("name", name);
    return binding;
  }

  private static Map<String, Object> hidden(String value, Map<String, Object> binding) {
    Map<String, Object> property = new LinkedHashMap<>();
    property.put("type", "Hidden");
    property.put("value", value);
    Map<String, Object> ordered = new LinkedHashMap<>();
    ordered.put("type", binding.get("type"));
    ordered.put("name", binding.get("name"));
    property.put("binding", ordered);
    return property;
  }

  /** JSON with two-space indentation; lists of plain values on one line. */
  private static void writeJson(StringBuilder out, Object value, String indent) {
    if (value instanceof Map<?, ?> map) {
      out.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.append(indent).append("  ");
        string(out, String.valueOf(entry.getKey()));
        out.append(": ");
        writeJson(out, entry.getValue(), indent + "  ");
        out.append(++i < map.size() ? ",\n" : "\n");
      }
      out.append(indent).append('}');
    } else if (value instanceof List<?> list) {
      boolean plain = list.stream().noneMatch(item -> item instanceof Map<?, ?> || item instanceof List<?>);
      if (plain) {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
          writeJson(out, list.get(i), indent);
          out.append(i + 1 < list.size() ? ", " : "");
        }
        out.append(']');
        return;
      }
      out.append("[\n");
      for (int i = 0; i < list.size(); i++) {
        out.append(indent).append("  ");
        writeJson(out, list.get(i), indent + "  ");
        out.append(i + 1 < list.size() ? ",\n" : "\n");
      }
      out.append(indent).append(']');
    } else if (value instanceof String text) {
      string(out, text);
    } else {
      out.append(value);
    }
  }

  private static void string(StringBuilder out, String text) {
    out.append('"');
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
