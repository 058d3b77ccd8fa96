package io.drrunbook.connectors.ssh;

/**
 * The dialog of an interactive command went differently from what its catalog entry declares: a
 * prompt did not come within its time limit, another prompt came, or the command ended first. The
 * command was stopped (its channel closed). Carries what the command printed so far, with the
 * answers sent (secrets as ****), for the record. {@link SshExecConnector} turns it into the BPMN
 * error DR_PROMPT_UNANSWERED.
 */
public class SshPromptException extends SshCommandException {

  private static final long serialVersionUID = 1L;

  private final String transcript;
  private final String stderr;

  public SshPromptException(String message, String transcript, String stderr) {
    super(message);
    this.transcript = transcript;
    this.stderr = stderr;
  }

  public String transcript() {
    return transcript;
  }

  public String stderr() {
    return stderr;
  }
}
