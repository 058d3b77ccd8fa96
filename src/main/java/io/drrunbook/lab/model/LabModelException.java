package io.drrunbook.lab.model;

/** A lab model that cannot be loaded or evaluated: names the file, element or expression at fault. */
public class LabModelException extends RuntimeException {
  public LabModelException(String message) {
    super(message);
  }

  public LabModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
