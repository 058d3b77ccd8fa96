package io.drrunbook.engine;

import org.camunda.bpm.engine.BadUserRequestException;

/**
 * A task completed without a field its run's branch needs ({@link RequiredWhenListener}): a 400
 * over the engine REST API and in Tasklist, with a message that names the field.
 */
public class FieldRequiredRefusedException extends BadUserRequestException implements ListenerRefusal {

  private static final long serialVersionUID = 1L;

  public FieldRequiredRefusedException(String message) {
    super(message);
  }
}
