package io.drrunbook.core;

import io.drrunbook.common.FieldProblem;
import io.drrunbook.common.FreeText;
import java.math.BigInteger;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * The procedures the product API offers and the run parameters each declares, from
 * {@code dr.procedures} ({@code config/procedures.yaml}): the one place that both the validation of
 * {@code POST /api/runs} and {@code GET /api/procedures} (and so the API documentation) read.
 *
 * <p>Checked at start-up, after the models are deployed: a malformed entry or an entry whose process
 * is not deployed stops the application; a deployed process without an entry is only logged (it can
 * still be started from Tasklist, not through {@code /api}).
 */
@Component
public class ProcedureCatalog implements SmartInitializingSingleton {

  /** Variables the API itself sets on every run; no parameter may take these names. */
  public static final Set<String> RESERVED = Set.of(
      RunVariables.TICKET_SYSTEM, RunVariables.TICKET_ID, RunVariables.TICKET_URL,
      RunVariables.RUN_MODE, RunVariables.STARTED_BY);

  public static final int DEFAULT_MAX_LENGTH = 1000;
  private static final Pattern PARAMETER_NAME = Pattern.compile("[a-z][A-Za-z0-9]{0,63}");
  private static final Pattern IPV4 = Pattern.compile(
      "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  private static final Logger log = LoggerFactory.getLogger(ProcedureCatalog.class);

  private final Map<String, ProcedureSpec> procedures;
  private final RepositoryService repositoryService;

  public ProcedureCatalog(ProcedureProperties properties, RepositoryService repositoryService) {
    this.procedures = Map.copyOf(new LinkedHashMap<>(properties));
    this.repositoryService = repositoryService;
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the procedure catalog (dr.procedures) is not well-formed: "
          + problems);
    }
  }

  /** The procedure ids, sorted. */
  public Collection<String> ids() {
    return new TreeSet<>(procedures.keySet());
  }

  public Optional<ProcedureSpec> find(String id) {
    return Optional.ofNullable(id == null ? null : procedures.get(id));
  }

  @Override
  public void afterSingletonsInstantiated() {
    Set<String> deployed = repositoryService.createProcessDefinitionQuery().latestVersion().list()
        .stream().map(ProcessDefinition::getKey).collect(Collectors.toCollection(TreeSet::new));
    Set<String> missing = new TreeSet<>(procedures.keySet());
    missing.removeAll(deployed);
    if (!missing.isEmpty()) {
      throw new IllegalStateException("the procedure catalog (dr.procedures, config/procedures.yaml)"
          + " lists " + missing + " but no such process is deployed (deployed: " + deployed + ")");
    }
    Set<String> unlisted = new TreeSet<>(deployed);
    unlisted.removeAll(procedures.keySet());
    unlisted.removeIf(key -> !Procedures.isProcedure(key));
    if (!unlisted.isEmpty()) {
      log.warn("deployed processes {} have no entry in the procedure catalog (dr.procedures):"
          + " they cannot be started through /api", unlisted);
    }
    log.info("procedure catalog: {}", ids());
  }

  /**
   * The process variables for the parameters of a start request, defaults filled in; every problem
   * is added to {@code problems} with its field ({@code parameters.<name>}).
   */
  public Map<String, Object> variables(ProcedureSpec procedure, Map<String, Object> given,
      List<FieldProblem> problems) {
    Map<String, Object> values = given == null ? Map.of() : given;
    Map<String, ParameterSpec> declared = new LinkedHashMap<>();
    procedure.getParameters().forEach(p -> declared.put(p.getName(), p));
    for (String name : values.keySet()) {
      if (!declared.containsKey(name)) {
        problems.add(new FieldProblem("parameters." + fieldName(name),
            "not a parameter of this procedure (declared: " + declared.keySet() + ")"));
      }
    }
    Map<String, Object> variables = new LinkedHashMap<>();
    for (ParameterSpec parameter : declared.values()) {
      String field = "parameters." + parameter.getName();
      if (!values.containsKey(parameter.getName())) {
        if (parameter.getDefault() != null) {
          variables.put(parameter.getName(), convert(parameter, textDefault(parameter), new ArrayList<>()));
        } else if (parameter.isRequired()) {
          problems.add(new FieldProblem(field, "is required"));
        }
        continue;
      }
      List<String> wrong = new ArrayList<>();
      Object value = convert(parameter, values.get(parameter.getName()), wrong);
      wrong.forEach(message -> problems.add(new FieldProblem(field, message)));
      if (wrong.isEmpty()) {
        variables.put(parameter.getName(), value);
      }
    }
    for (ParameterSpec parameter : declared.values()) {
      ParameterSpec.RequiredWhen when = parameter.getRequiredWhen();
      Object other = when == null ? null : variables.get(when.getParameter());
      if (other != null && when.getValues().contains(String.valueOf(other))
          && !variables.containsKey(parameter.getName()) && !values.containsKey(parameter.getName())) {
        problems.add(new FieldProblem("parameters." + parameter.getName(),
            "is required when " + when.getParameter() + " is " + other));
      }
    }
    return variables;
  }

  /** Converts one JSON value (as Jackson read it) to the variable value; problems go to {@code wrong}. */
  static Object convert(ParameterSpec parameter, Object value, List<String> wrong) {
    if (value == null) {
      wrong.add("must not be null");
      return null;
    }
    switch (parameter.getType()) {
      case BOOLEAN -> {
        if (value instanceof Boolean) {
          return value;
        }
        wrong.add("must be a JSON boolean (true or false)");
      }
      case INTEGER -> {
        if (!(value instanceof Integer || value instanceof Long || value instanceof BigInteger)) {
          wrong.add("must be a JSON integer");
          return null;
        }
        BigInteger number = new BigInteger(value.toString());
        if (number.bitLength() > 63) {
          wrong.add("is out of range");
          return null;
        }
        long n = number.longValue();
        if (parameter.getMinimum() != null && n < parameter.getMinimum()
            || parameter.getMaximum() != null && n > parameter.getMaximum()) {
          wrong.add("must be between " + parameter.getMinimum() + " and " + parameter.getMaximum());
          return null;
        }
        return n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE ? (Object) (int) n : (Object) n;
      }
      case STRING -> {
        if (!(value instanceof String text)) {
          wrong.add("must be a JSON string");
          return null;
        }
        int max = parameter.getMaxLength() == null ? DEFAULT_MAX_LENGTH : parameter.getMaxLength();
        if (text.length() > max) {
          wrong.add("must be at most " + max + " characters long");
        } else if (!FreeText.plain(text)) {
          wrong.add("must not contain control, formatting or unassigned characters");
        } else if (parameter.getPattern() != null && !text.matches(parameter.getPattern())) {
          wrong.add("must match " + parameter.getPattern());
        } else {
          return text;
        }
      }
      case ENUM -> {
        if (value instanceof String text && parameter.getAllowedValues().contains(text)) {
          return text;
        }
        wrong.add("must be one of " + parameter.getAllowedValues());
      }
      case DATETIME -> {
        if (value instanceof String text && text.length() <= 64) {
          try {
            return Date.from(OffsetDateTime.parse(text).toInstant());
          } catch (DateTimeParseException e) {
            // reported below
          }
        }
        wrong.add("must be an ISO-8601 date and time with offset, e.g. 2025-01-31T22:00:00Z");
      }
      case IPV4 -> {
        long[] range = addressRange(parameter.getAddressRange());
        String within = range == null ? "" : " between " + parameter.getAddressRange().replace("-", " and ");
        if (value instanceof String text && IPV4.matcher(text).matches()) {
          long address = ipv4(text);
          if (range == null || address >= range[0] && address <= range[1]) {
            return text;
          }
        }
        wrong.add("must be an IPv4 address (four numbers 0-255: a.b.c.d)" + within);
      }
      case DURATION -> {
        if (value instanceof String text && text.length() <= 32) {
          try {
            Duration duration = Duration.parse(text);
            if (!duration.isNegative() && !duration.isZero()) {
              return text;
            }
          } catch (DateTimeParseException e) {
            // reported below
          }
        }
        wrong.add("must be a positive ISO-8601 duration, e.g. PT30S, PT5M or P1DT2H");
      }
      default -> throw new IllegalStateException("unhandled type " + parameter.getType());
    }
    return null;
  }

  /** An IPv4 address in dotted-quad form as an unsigned 32-bit number. */
  private static long ipv4(String address) {
    long n = 0;
    for (String part : address.split("\\.")) {
      n = n << 8 | Integer.parseInt(part);
    }
    return n;
  }

  /** The bounds of an {@code address-range} ({@code <first>-<last>}), null when there is none or it is malformed. */
  private static long[] addressRange(String range) {
    if (range == null) {
      return null;
    }
    String[] bounds = range.split("-", -1);
    if (bounds.length != 2 || !IPV4.matcher(bounds[0]).matches() || !IPV4.matcher(bounds[1]).matches()
        || ipv4(bounds[0]) > ipv4(bounds[1])) {
      return null;
    }
    return new long[] {ipv4(bounds[0]), ipv4(bounds[1])};
  }

  private static boolean compiles(String regex) {
    try {
      Pattern.compile(regex);
      return true;
    } catch (PatternSyntaxException e) {
      return false;
    }
  }

  /** A field name safe to echo in an error (a hostile key is not repeated verbatim). */
  static String fieldName(String name) {
    return PARAMETER_NAME.matcher(name).matches() ? name : "(an unknown name)";
  }

  private static Object textDefault(ParameterSpec parameter) {
    String text = parameter.getDefault();
    return switch (parameter.getType()) {
      case BOOLEAN -> Boolean.parseBoolean(text);
      case INTEGER -> Long.parseLong(text.strip());
      default -> text;
    };
  }

  private List<String> problems() {
    List<String> problems = new ArrayList<>();
    procedures.forEach((id, procedure) -> {
      if (procedure.getTitle() == null || procedure.getTitle().isBlank()) {
        problems.add(id + ": title is missing");
      }
      Set<String> names = new TreeSet<>();
      for (ParameterSpec parameter : procedure.getParameters()) {
        String where = id + ".parameters." + parameter.getName();
        if (parameter.getName() == null || !PARAMETER_NAME.matcher(parameter.getName()).matches()) {
          problems.add(where + ": name must match " + PARAMETER_NAME);
        } else if (RESERVED.contains(parameter.getName())) {
          problems.add(where + ": name is reserved for the API (" + RESERVED + ")");
        } else if (!names.add(parameter.getName())) {
          problems.add(where + ": declared twice");
        }
        if (parameter.getType() == null) {
          problems.add(where + ": type is missing (string, boolean, integer, enum, datetime, ipv4, duration)");
          continue;
        }
        if (parameter.getType() == ParameterType.ENUM && parameter.getAllowedValues().isEmpty()) {
          problems.add(where + ": an enum needs allowed-values");
        }
        if (parameter.getType() != ParameterType.ENUM && !parameter.getAllowedValues().isEmpty()) {
          problems.add(where + ": allowed-values apply to enums only");
        }
        if (parameter.getAddressRange() != null && (parameter.getType() != ParameterType.IPV4
            || addressRange(parameter.getAddressRange()) == null)) {
          problems.add(where + ": address-range applies to ipv4 only, as <first>-<last> (first not above last)");
        }
        ParameterSpec.RequiredWhen when = parameter.getRequiredWhen();
        if (when != null && (when.getValues().isEmpty() || procedure.getParameters().stream()
            .noneMatch(p -> p != parameter && Objects.equals(p.getName(), when.getParameter())))) {
          problems.add(where + ": required-when names another parameter of the procedure and its values");
        }
        if (parameter.getPattern() != null && (parameter.getType() != ParameterType.STRING
            || !compiles(parameter.getPattern()))) {
          problems.add(where + ": pattern applies to strings only, as a regular expression");
        }
        if (parameter.getMinimum() != null && parameter.getMaximum() != null
            && parameter.getMinimum() > parameter.getMaximum()) {
          problems.add(where + ": minimum is above maximum");
        }
        if (parameter.getDefault() != null) {
          List<String> wrong = new ArrayList<>();
          try {
            convert(parameter, textDefault(parameter), wrong);
          } catch (NumberFormatException e) {
            wrong.add("not a number");
          }
          wrong.forEach(message -> problems.add(where + ": default " + message));
        }
      }
    });
    return problems;
  }
}
