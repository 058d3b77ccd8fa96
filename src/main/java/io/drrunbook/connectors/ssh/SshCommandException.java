package io.drrunbook.connectors.ssh;

/**
 * A technical failure of an SSH step (host unreachable, host key unknown or changed, authentication
 * failed, command failed or ran too long): the step worker retries it, then raises an incident.
 * The message names the logical host and never holds a secret.
 */
public class SshCommandException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SshCommandException(String message) {
    super(message);
  }

  public SshCommandException(String message, Throwable cause) {
    super(message, cause);
  }
}
