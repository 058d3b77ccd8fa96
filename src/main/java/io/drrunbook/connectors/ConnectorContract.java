package io.drrunbook.connectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one connector route takes, returns and raises, read from {@code connectors/<route>.contract.yaml}
 * by {@link ConnectorContracts} (in the spirit of a Camel Kamelet's {@code spec.definition}). The
 * precheck read-only rule, the BPMN-against-contract test, the Modeler element templates and the
 * table of {@code connectors/README.md} are made from it.
 *
 * @param route the route id (called as {@code direct:<route>})
 * @param title a short name, shown in the Modeler's template list
 * @param description what the route does, in a few sentences
 * @param inputs the named inputs a service task may give
 * @param otherInputs null when only {@code inputs} are accepted; otherwise what any other input
 *     means (a template placeholder, a bound SQL parameter)
 * @param outputs the entries of the result map
 * @param errors the BPMN errors the route raises
 * @param technicalFailures what fails technically (retried, then an incident), in words
 * @param readOnly when a call changes nothing (the rule for prechecks)
 * @param config the configuration keys the route reads
 */
public record ConnectorContract(String route, String title, String description, List<Input> inputs,
    String otherInputs, List<Output> outputs, List<BpmnError> errors, String technicalFailures,
    ReadOnly readOnly, List<String> config) {

  /** The input every service task gives: it names the route. */
  public static final String ROUTE_INPUT = StepInputs.ROUTE;

  public ConnectorContract {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    errors = List.copyOf(errors);
    config = List.copyOf(config);
  }

  /** The types an input's value may have. */
  public enum Type {
    STRING, INTEGER, BOOLEAN;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One named input.
   *
   * @param requiredWhen null, or the condition under which the input is required
   * @param allowedValues empty, or the only values the connector accepts
   */
  public record Input(String name, Type type, boolean required, Condition requiredWhen, boolean secret,
      String description, List<String> allowedValues) {

    public Input {
      allowedValues = List.copyOf(allowedValues);
    }
  }

  /** An input that has one of some values. */
  public record Condition(String input, List<String> values) {

    public Condition {
      values = List.copyOf(values);
    }

    /** Whether {@code value} is one of the values, ignoring case (the connectors do too). */
    public boolean matches(String value) {
      return value != null && values.stream().anyMatch(wanted -> wanted.equalsIgnoreCase(value.strip()));
    }
  }

  /** One entry of the result map. */
  public record Output(String name, String description) {}

  /** One BPMN error the route raises, and when. */
  public record BpmnError(String code, String when) {}

  /** The kinds of read-only rule. */
  public enum ReadOnlyKind {
    /** Every call reads only. */
    ALWAYS,
    /** Every call may change a system. */
    NEVER,
    /** A call reads only when an input has one of some values (or is absent, when so declared). */
    INPUT,
    /** The catalog entry an input names decides (an entry without a run part reads only). */
    CATALOG
  }

  /** The catalogs whose entries may decide, with the input that names the entry. */
  public static final Set<String> CATALOGS = Set.of("commands", "sql-statements");

  /**
   * When a call of the route changes nothing.
   *
   * @param when for INPUT: the input and its read-only values
   * @param whenAbsent for INPUT: whether a call without the input reads only
   * @param catalog for CATALOG: the catalog ({@link #CATALOGS})
   * @param catalogInput for CATALOG: the input naming the entry
   */
  public record ReadOnly(ReadOnlyKind kind, Condition when, boolean whenAbsent, String catalog,
      String catalogInput) {

    public static ReadOnly always() {
      return new ReadOnly(ReadOnlyKind.ALWAYS, null, false, null, null);
    }

    public static ReadOnly never() {
      return new ReadOnly(ReadOnlyKind.NEVER, null, false, null, null);
    }

    /**
     * Whether a call with these inputs reads only, as far as the contract alone decides: empty for
     * CATALOG (the catalog entry decides).
     */
    public Optional<Boolean> readsOnly(Map<String, String> inputs) {
      return switch (kind) {
        case ALWAYS -> Optional.of(true);
        case NEVER -> Optional.of(false);
        case INPUT -> {
          String value = inputs.get(when.input());
          yield Optional.of(value == null || value.isBlank() ? whenAbsent : when.matches(value));
        }
        case CATALOG -> Optional.empty();
      };
    }

    /** The rule in words, e.g. "operation status or lag". */
    public String describe() {
      return switch (kind) {
        case ALWAYS -> "always";
        case NEVER -> "never";
        case INPUT -> when.input() + " " + String.join(" or ", when.values()) + (whenAbsent ? " or none" : "");
        case CATALOG -> "when the " + catalog + " entry named by " + catalogInput + " has no run";
      };
    }
  }

  /** The input named {@code name}, if the contract declares it. */
  public Optional<Input> input(String name) {
    return inputs.stream().filter(input -> input.name().equals(name)).findFirst();
  }

  /**
   * What is wrong with the inputs a step gives this route, one line an input: an input the contract
   * does not know (unless {@code otherInputs} allows it), a required one missing, a literal value
   * outside the allowed values or not of the input's type. A value holding an expression
   * ({@code ${...}}, {@code #{...}}) or null (not a literal: a list, map or script) is checked for
   * presence only.
   */
  public List<String> problems(Map<String, String> given) {
    List<String> problems = new ArrayList<>();
    given.forEach((name, value) -> {
      if (name.equals(ROUTE_INPUT)) {
        return;
      }
      Optional<Input> declared = input(name);
      if (declared.isEmpty()) {
        if (otherInputs == null) {
          problems.add("input " + name + " is not an input of " + route + " (it takes "
              + inputs.stream().map(Input::name).toList() + ")");
        }
        return;
      }
      Input input = declared.get();
      if (!isLiteral(value) || value.isBlank()) {
        return;
      }
      if (!input.allowedValues().isEmpty() && !input.allowedValues().contains(value.strip())) {
        problems.add("input " + name + " is '" + value.strip() + "', not one of " + input.allowedValues());
      } else if (input.type() == Type.INTEGER && !value.strip().matches("-?[0-9]+")) {
        problems.add("input " + name + " is '" + value.strip() + "', not an integer");
      } else if (input.type() == Type.BOOLEAN && !value.strip().matches("true|false")) {
        problems.add("input " + name + " is '" + value.strip() + "', not true or false");
      }
    });
    for (Input input : inputs) {
      String value = given.get(input.name());
      boolean missing = !given.containsKey(input.name()) || value != null && value.isBlank();
      if (!missing) {
        continue;
      }
      if (input.required()) {
        problems.add("required input " + input.name() + " is missing");
      } else if (input.requiredWhen() != null) {
        String condition = given.get(input.requiredWhen().input());
        if (isLiteral(condition) && input.requiredWhen().matches(condition)) {
          problems.add("input " + input.name() + " is missing (required when " + input.requiredWhen().input()
              + " is " + condition.strip() + ")");
        }
      }
    }
    return problems;
  }

  /** Whether a value is known before the run: text without an expression. */
  public static boolean isLiteral(String value) {
    return value != null && !value.contains("${") && !value.contains("#{");
  }
}
