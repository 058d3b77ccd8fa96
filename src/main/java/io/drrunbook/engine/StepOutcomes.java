package io.drrunbook.engine;

import io.drrunbook.common.SecretMasker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a step leaves in the engine: its result masked and bounded, and the one-text outcome
 * ({@link StepWorker#OUTCOME_VARIABLE}) that history keeps for the report. Secrets are masked and
 * every text cut to the output limit before it reaches a variable, an incident or a log.
 */
final class StepOutcomes {

  private final SecretMasker masker;
  private final int outputLimit;

  StepOutcomes(SecretMasker masker, int outputLimit) {
    this.masker = masker;
    this.outputLimit = outputLimit;
  }

  /** Strings are masked and cut to the output limit; lists of strings likewise, element by element. */
  Map<String, Object> bounded(Map<String, Object> result) {
    Map<String, Object> bounded = new LinkedHashMap<>();
    result.forEach((name, value) -> bounded.put(name, boundedValue(value)));
    return bounded;
  }

  /** The step's local variables: {@code values} (already bounded) and its {@code outcome}. */
  static Map<String, Object> locals(Map<String, Object> values, String outcome) {
    Map<String, Object> local = new LinkedHashMap<>(values);
    local.put(StepWorker.OUTCOME_VARIABLE, outcome);
    return local;
  }

  String outcome(String status, Map<String, Object> result, String message) {
    StringBuilder text = new StringBuilder(status);
    if (message != null) {
      text.append(": ").append(message);
    }
    result.forEach((name, value) -> text.append('\n').append(name).append(" = ").append(value));
    return truncate(masker.mask(text.toString()), 3 * outputLimit);
  }

  /** The masked message of a failure. */
  String message(Throwable e) {
    return masker.mask(String.valueOf(e.getMessage()));
  }

  /** The masked, bounded stack trace of a failure, for an incident's details. */
  String details(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    return masker.mask(truncate(out.toString(), 4000));
  }

  private Object boundedValue(Object value) {
    if (value instanceof String text) {
      return truncate(masker.mask(text), outputLimit);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(item -> copy.add(boundedValue(item)));
      return copy;
    }
    return value;
  }

  static String truncate(String text, int limit) {
    if (text == null || text.length() <= limit) {
      return text;
    }
    return text.substring(0, limit) + "... (" + (text.length() - limit) + " more characters)";
  }
}
