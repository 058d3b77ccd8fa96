package io.drrunbook.connectors;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inputs a connector route receives: exactly the input parameters of the service task, plus
 * {@code idempotencyKey} (process instance and activity instance, stable across retries and restarts)
 * and {@code stepName}. Accessors fail with a message that names the missing input.
 */
public final class StepInputs {

  public static final String ROUTE = "route";
  public static final String IDEMPOTENCY_KEY = "idempotencyKey";
  public static final String STEP_NAME = "stepName";
  public static final String TIMEOUT_SECONDS = "timeoutSeconds";

  private final Map<String, Object> values;

  public StepInputs(Map<String, Object> values) {
    this.values = values == null ? Map.of() : values;
  }

  public String required(String name) {
    Object value = values.get(name);
    if (value == null || value.toString().isBlank()) {
      throw new MissingStepInputException(name, "the step has no input '" + name + "'");
    }
    return value.toString();
  }

  public String optional(String name, String fallback) {
    Object value = values.get(name);
    return value == null || value.toString().isBlank() ? fallback : value.toString();
  }

  public Duration timeout(Duration fallback) {
    Object value = values.get(TIMEOUT_SECONDS);
    if (value == null || value.toString().isBlank()) {
      return fallback;
    }
    try {
      return Duration.ofSeconds(Long.parseLong(value.toString().trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("input timeoutSeconds is not a number: " + value, e);
    }
  }

  public String idempotencyKey() {
    return optional(IDEMPOTENCY_KEY, "");
  }

  /** Every input except the reserved ones, for templates that take named arguments. */
  public Map<String, Object> arguments(String... reservedAlso) {
    Map<String, Object> args = new LinkedHashMap<>(values);
    args.remove(ROUTE);
    args.remove(IDEMPOTENCY_KEY);
    args.remove(STEP_NAME);
    args.remove(TIMEOUT_SECONDS);
    for (String reserved : reservedAlso) {
      args.remove(reserved);
    }
    return args;
  }

  public Map<String, Object> asMap() {
    return values;
  }
}
