package io.drrunbook.connectors;

/**
 * A step was run without an input its connector needs (absent, null or blank). It names the input,
 * so that the step worker can say where the input comes from in the model ({@code scn <- exportScn}).
 */
public class MissingStepInputException extends IllegalArgumentException {

  private final String input;

  public MissingStepInputException(String input, String message) {
    super(message);
    this.input = input;
  }

  public String input() {
    return input;
  }
}
