package io.drrunbook.connectors;

import java.util.Map;

/**
 * A check that says no (a precondition not met, a verification that failed after acting). The step
 * worker turns it into the BPMN error {@link #errorCode()}, which the process model can catch;
 * anything else a connector throws is a technical failure that is retried.
 */
public class StepBusinessException extends RuntimeException {

  private final String errorCode;
  private final transient Map<String, Object> result;

  public StepBusinessException(String errorCode, String message) {
    this(errorCode, message, Map.of());
  }

  public StepBusinessException(String errorCode, String message, Map<String, Object> result) {
    super(message);
    if (errorCode == null || !errorCode.startsWith("DR_")) {
      throw new IllegalArgumentException("BPMN error codes are DR_<REASON>, got " + errorCode);
    }
    this.errorCode = errorCode;
    this.result = Map.copyOf(result);
  }

  public String errorCode() {
    return errorCode;
  }

  /** What the connector saw when the check said no (exit code, output, answer), for the record. */
  public Map<String, Object> result() {
    return result;
  }
}
