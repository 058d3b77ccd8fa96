package io.drrunbook.approval;

import io.drrunbook.engine.ListenerRefusal;
import org.camunda.bpm.engine.BadUserRequestException;

/**
 * The evidence of a guided manual step refused ({@link GuidedStep}): a value the seed does not list,
 * one that means the step is not done, or missing evidence. A {@link BadUserRequestException}, so
 * that the engine REST API and Tasklist answer 400 with this message; the task stays open.
 */
public class EvidenceRefusedException extends BadUserRequestException implements ListenerRefusal {

  private static final long serialVersionUID = 1L;

  public EvidenceRefusedException(String message) {
    super(message);
  }
}
