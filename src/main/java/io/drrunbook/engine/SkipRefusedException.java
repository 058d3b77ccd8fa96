package io.drrunbook.engine;

import org.camunda.bpm.engine.AuthorizationException;

/**
 * A skip of a failed step by someone outside {@code dr-approvers}: a 403 over the engine REST API
 * ({@code submit-form}, {@code complete}) and in Tasklist, with this message, not a 500.
 */
public class SkipRefusedException extends AuthorizationException implements ListenerRefusal {

  private static final long serialVersionUID = 1L;

  public SkipRefusedException(String message) {
    super(message);
  }
}
