package io.drrunbook.connectors;

import io.drrunbook.connectors.ConnectorContract.BpmnError;
import io.drrunbook.connectors.ConnectorContract.Condition;
import io.drrunbook.connectors.ConnectorContract.Input;
import io.drrunbook.connectors.ConnectorContract.Output;
import io.drrunbook.connectors.ConnectorContract.ReadOnly;
import io.drrunbook.connectors.ConnectorContract.ReadOnlyKind;
import io.drrunbook.connectors.ConnectorContract.Type;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.springframework.stereotype.Component;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Every connector contract ({@link ConnectorContract}), loaded at start-up from the files
 * {@code <route>.contract.yaml} next to the route files: each pattern of
 * {@code camel.main.routes-include-pattern} ending in {@code .camel.yaml} is read with
 * {@code .contract.yaml} instead (by default {@code classpath:connectors/*.contract.yaml}). A contract
 * that is not well-formed stops the application with a message naming the file and the field.
 * Used by the precheck read-only rule ({@code prechecks.ProcedureChecks}).
 */
@Component
public class ConnectorContracts {

  static final String ROUTE_SUFFIX = ".camel.yaml";
  static final String CONTRACT_SUFFIX = ".contract.yaml";
  private static final Pattern ROUTE_ID = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
  private static final Pattern INPUT_NAME = Pattern.compile("[a-z][A-Za-z0-9]*");
  private static final Pattern ERROR_CODE = Pattern.compile("DR_[A-Z0-9]+(_[A-Z0-9]+)*");
  private static final Set<String> KEYS = Set.of("route", "title", "description", "inputs", "otherInputs",
      "outputs", "errors", "technicalFailures", "readOnly", "config");
  private static final Set<String> INPUT_KEYS = Set.of("name", "type", "required", "requiredWhen", "secret",
      "description", "allowedValues");

  private final Map<String, ConnectorContract> contracts;

  @Autowired
  public ConnectorContracts(@Value("${camel.main.routes-include-pattern}") String routesIncludePattern) {
    this(read(contractPatterns(routesIncludePattern)));
  }

  ConnectorContracts(Collection<ConnectorContract> contracts) {
    Map<String, ConnectorContract> byRoute = new TreeMap<>();
    for (ConnectorContract contract : contracts) {
      if (byRoute.put(contract.route(), contract) != null) {
        throw new IllegalStateException("two connector contracts declare route " + contract.route());
      }
    }
    if (byRoute.isEmpty()) {
      throw new IllegalStateException("no connector contract found (" + CONTRACT_SUFFIX + " files next to the routes)");
    }
    this.contracts = Map.copyOf(byRoute);
  }

  /** The contracts found by these resource patterns, e.g. {@code classpath:connectors/*.contract.yaml}. */
  public static ConnectorContracts load(String... patterns) {
    return new ConnectorContracts(read(List.of(patterns)));
  }

  /** The contract of {@code route}, if there is one. */
  public Optional<ConnectorContract> contract(String route) {
    return Optional.ofNullable(route == null ? null : contracts.get(route));
  }

  /** Every contract, by route id. */
  public Map<String, ConnectorContract> all() {
    return new TreeMap<>(contracts);
  }

  /** The routes that read only in some or all of their calls (what a precheck may use). */
  public Set<String> readingRoutes() {
    Set<String> routes = new LinkedHashSet<>();
    all().forEach((route, contract) -> {
      if (contract.readOnly().kind() != ReadOnlyKind.NEVER) {
        routes.add(route);
      }
    });
    return routes;
  }

  static List<String> contractPatterns(String routesIncludePattern) {
    List<String> patterns = new ArrayList<>();
    for (String pattern : routesIncludePattern.split(",")) {
      String trimmed = pattern.strip();
      if (trimmed.endsWith(ROUTE_SUFFIX)) {
        patterns.add(trimmed.substring(0, trimmed.length() - ROUTE_SUFFIX.length()) + CONTRACT_SUFFIX);
      }
    }
    if (patterns.isEmpty()) {
      throw new IllegalStateException("camel.main.routes-include-pattern '" + routesIncludePattern
          + "' has no pattern ending in " + ROUTE_SUFFIX + ": the connector contracts are looked for next to"
          + " the route files");
    }
    return patterns;
  }

  private static List<ConnectorContract> read(List<String> patterns) {
    ResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
    List<ConnectorContract> contracts = new ArrayList<>();
    for (String pattern : patterns) {
      Resource[] resources;
      try {
        resources = resolver.getResources(pattern);
      } catch (IOException e) {
        throw new IllegalStateException("cannot list the connector contracts " + pattern + ": " + e.getMessage(), e);
      }
      for (Resource resource : resources) {
        String file = resource.getFilename();
        try (InputStream in = resource.getInputStream()) {
          contracts.add(parse(file, in));
        } catch (IOException e) {
          throw new IllegalStateException("cannot read connector contract " + file + ": " + e.getMessage(), e);
        }
      }
    }
    return contracts;
  }

  /** One contract from its file; a contract that is not well-formed names the file and the field. */
  public static ConnectorContract parse(String file, InputStream in) {
    Object document;
    try {
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    } catch (RuntimeException e) {
      throw new IllegalStateException("connector contract " + file + " is not YAML: " + e.getMessage(), e);
    }
    Fields top = new Fields(file, "", map(file, "the document", document), KEYS);
    String route = top.text("route", true);
    if (!ROUTE_ID.matcher(route).matches()) {
      throw top.problem("route", "'" + route + "' is not a route id (<system>-<operation>)");
    }
    if (file != null && !file.equals(route + CONTRACT_SUFFIX)) {
      throw top.problem("route", "'" + route + "' does not match the file name (expected " + route + CONTRACT_SUFFIX + ")");
    }
    List<Input> inputs = new ArrayList<>();
    List<Object> inputList = top.list("inputs", true);
    for (int i = 0; i < inputList.size(); i++) {
      inputs.add(input(new Fields(file, "inputs[" + i + "].", map(file, "inputs[" + i + "]", inputList.get(i)),
          INPUT_KEYS)));
    }
    Set<String> names = new LinkedHashSet<>();
    for (Input input : inputs) {
      if (input.name().equals(ConnectorContract.ROUTE_INPUT) || !names.add(input.name())) {
        throw top.problem("inputs", "input " + input.name() + " is declared twice or is the reserved input route");
      }
    }
    for (Input input : inputs) {
      if (input.requiredWhen() != null) {
        checkCondition(top, "inputs: " + input.name() + ".requiredWhen", input.requiredWhen(), inputs);
      }
    }
    List<Output> outputs = new ArrayList<>();
    List<Object> outputList = top.list("outputs", true);
    for (int i = 0; i < outputList.size(); i++) {
      Fields output = new Fields(file, "outputs[" + i + "].", map(file, "outputs[" + i + "]", outputList.get(i)),
          Set.of("name", "description"));
      outputs.add(new Output(output.text("name", true), output.text("description", true)));
    }
    List<BpmnError> errors = new ArrayList<>();
    List<Object> errorList = top.list("errors", true);
    for (int i = 0; i < errorList.size(); i++) {
      Fields error = new Fields(file, "errors[" + i + "].", map(file, "errors[" + i + "]", errorList.get(i)),
          Set.of("code", "when"));
      String code = error.text("code", true);
      if (!ERROR_CODE.matcher(code).matches()) {
        throw error.problem("code", "'" + code + "' is not a BPMN error code (DR_<REASON>)");
      }
      errors.add(new BpmnError(code, error.text("when", true)));
    }
    ReadOnly readOnly = readOnly(top, inputs);
    List<String> config = top.list("config", true).stream().map(String::valueOf).toList();
    return new ConnectorContract(route, top.text("title", true), top.text("description", true), inputs,
        top.text("otherInputs", false), outputs, errors, top.text("technicalFailures", false), readOnly, config);
  }

  private static Input input(Fields fields) {
    String name = fields.text("name", true);
    if (!INPUT_NAME.matcher(name).matches()) {
      throw fields.problem("name", "'" + name + "' is not a lowerCamelCase input name");
    }
    String typeText = fields.text("type", true);
    Type type = null;
    for (Type candidate : Type.values()) {
      if (candidate.id().equals(typeText)) {
        type = candidate;
      }
    }
    if (type == null) {
      throw fields.problem("type", "'" + typeText + "' is not one of string, integer, boolean");
    }
    boolean required = fields.flag("required");
    Condition requiredWhen = null;
    if (fields.has("requiredWhen")) {
      if (required) {
        throw fields.problem("requiredWhen", "is given although the input is always required");
      }
      requiredWhen = condition(fields.nested("requiredWhen", Set.of("input", "values")));
    }
    List<String> allowed = fields.has("allowedValues")
        ? fields.list("allowedValues", true).stream().map(String::valueOf).toList() : List.of();
    if (fields.has("allowedValues") && allowed.isEmpty()) {
      throw fields.problem("allowedValues", "is empty");
    }
    return new Input(name, type, required, requiredWhen, fields.flag("secret"), fields.text("description", true),
        allowed);
  }

  private static Condition condition(Fields fields) {
    List<String> values = fields.list("values", true).stream().map(String::valueOf).toList();
    if (values.isEmpty()) {
      throw fields.problem("values", "is empty");
    }
    return new Condition(fields.text("input", true), values);
  }

  private static void checkCondition(Fields top, String where, Condition condition, List<Input> inputs) {
    Input input = inputs.stream().filter(candidate -> candidate.name().equals(condition.input())).findFirst()
        .orElseThrow(() -> top.problem(where, "names input " + condition.input() + ", which is not declared"));
    if (!input.allowedValues().isEmpty() && !input.allowedValues().containsAll(condition.values())) {
      throw top.problem(where, "values " + condition.values() + " are not all allowed values of "
          + input.name() + " " + input.allowedValues());
    }
  }

  private static ReadOnly readOnly(Fields top, List<Input> inputs) {
    Object value = top.raw("readOnly");
    if (value == null) {
      throw top.problem("readOnly", "is missing (always, never, {input, values, whenAbsent} or {catalog, input})");
    }
    if (value instanceof String text) {
      return switch (text) {
        case "always" -> ReadOnly.always();
        case "never" -> ReadOnly.never();
        default -> throw top.problem("readOnly", "'" + text + "' is not always, never, {input, values, whenAbsent}"
            + " or {catalog, input}");
      };
    }
    Fields rule = top.nested("readOnly", Set.of("input", "values", "whenAbsent", "catalog"));
    String input = rule.text("input", true);
    if (inputs.stream().noneMatch(declared -> declared.name().equals(input))) {
      throw rule.problem("input", "names input " + input + ", which is not declared");
    }
    if (rule.has("catalog")) {
      String catalog = rule.text("catalog", true);
      if (!ConnectorContract.CATALOGS.contains(catalog)) {
        throw rule.problem("catalog", "'" + catalog + "' is not one of " + new TreeSet<>(ConnectorContract.CATALOGS));
      }
      if (rule.has("values") || rule.has("whenAbsent")) {
        throw rule.problem("catalog", "is given with values or whenAbsent: the catalog entry decides");
      }
      return new ReadOnly(ReadOnlyKind.CATALOG, null, false, catalog, input);
    }
    Condition when = new Condition(input, rule.list("values", true).stream().map(String::valueOf).toList());
    if (when.values().isEmpty()) {
      throw rule.problem("values", "is empty");
    }
    checkCondition(top, "readOnly", when, inputs);
    return new ReadOnly(ReadOnlyKind.INPUT, when, rule.flag("whenAbsent"), null, null);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(String file, String what, Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalStateException("connector contract " + file + ": " + what + " is not a mapping");
    }
    return (Map<String, Object>) map;
  }

  /** The fields of one mapping of a contract, each read with a message naming file and field. */
  private record Fields(String file, String prefix, Map<String, Object> values, Set<String> known) {

    Fields {
      for (Object key : values.keySet()) {
        if (!known.contains(String.valueOf(key))) {
          throw new IllegalStateException("connector contract " + file + ": unknown field " + prefix + key
              + " (known: " + new TreeSet<>(known) + ")");
        }
      }
    }

    IllegalStateException problem(String field, String message) {
      return new IllegalStateException("connector contract " + file + ": " + prefix + field + " " + message);
    }

    boolean has(String field) {
      return values.get(field) != null;
    }

    Object raw(String field) {
      return values.get(field);
    }

    String text(String field, boolean required) {
      Object value = values.get(field);
      if (value == null || value instanceof String text && text.isBlank()) {
        if (required) {
          throw problem(field, "is missing");
        }
        return null;
      }
      if (value instanceof Map<?, ?> || value instanceof List<?>) {
        throw problem(field, "is not a text");
      }
      return String.valueOf(value).strip();
    }

    boolean flag(String field) {
      Object value = values.get(field);
      if (value == null) {
        return false;
      }
      if (!(value instanceof Boolean flag)) {
        throw problem(field, "is '" + value + "', not true or false");
      }
      return flag;
    }

    @SuppressWarnings("unchecked")
    List<Object> list(String field, boolean required) {
      Object value = values.get(field);
      if (value == null) {
        if (required) {
          throw problem(field, "is missing");
        }
        return List.of();
      }
      if (!(value instanceof List<?> list)) {
        throw problem(field, "is not a list");
      }
      return (List<Object>) list;
    }

    Fields nested(String field, Set<String> keys) {
      return new Fields(file, prefix + field + ".", map(file, prefix + field, values.get(field)), keys);
    }
  }
}
