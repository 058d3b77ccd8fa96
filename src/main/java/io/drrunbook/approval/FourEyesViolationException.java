package io.drrunbook.approval;

import io.drrunbook.engine.ListenerRefusal;
import org.camunda.bpm.engine.AuthorizationException;

/**
 * An approval refused by the four-eyes rule. An {@link AuthorizationException}, so that the engine
 * REST API and the web apps answer 403 with this message.
 */
public class FourEyesViolationException extends AuthorizationException implements ListenerRefusal {

  private static final long serialVersionUID = 1L;

  public FourEyesViolationException(String message) {
    super(message);
  }
}
