package io.drrunbook.connectors.ssh;

import java.time.Duration;

/** A remote command ran longer than its time limit; its channel was closed. */
public class SshCommandTimeoutException extends SshCommandException {

  private static final long serialVersionUID = 1L;

  private final transient Duration limit;

  public SshCommandTimeoutException(String message, Duration limit) {
    super(message);
    this.limit = limit;
  }

  public Duration limit() {
    return limit;
  }
}
