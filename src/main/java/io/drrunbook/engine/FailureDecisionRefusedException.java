package io.drrunbook.engine;

import org.camunda.bpm.engine.BadUserRequestException;

/**
 * A failure decision the listener refuses (choice unknown, note missing, the step no longer failed):
 * a 400 over the engine REST API and in Tasklist, with this message, not a 500.
 */
public class FailureDecisionRefusedException extends BadUserRequestException implements ListenerRefusal {

  private static final long serialVersionUID = 1L;

  public FailureDecisionRefusedException(String message) {
    super(message);
  }
}
