package io.drrunbook.lab.model;

/**
 * A simulated command that cannot go on (a DNS lookup failed, say): it ends with exit code 1 and
 * {@code <program>: <message>} on stderr, as the real tool would report it.
 */
public class LabCommandException extends RuntimeException {
  public LabCommandException(String message) {
    super(message);
  }
}
