package io.drrunbook.connectors.ssh;

/** A remote command exited with a status that is neither 0 nor a declared precondition code. */
public class SshCommandFailedException extends SshCommandException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public SshCommandFailedException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
