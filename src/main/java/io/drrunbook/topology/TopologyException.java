package io.drrunbook.topology;

/** A logical name that the topology does not define, or a secret reference that cannot be read. */
public class TopologyException extends RuntimeException {
  public TopologyException(String message) {
    super(message);
  }

  public TopologyException(String message, Throwable cause) {
    super(message, cause);
  }
}
