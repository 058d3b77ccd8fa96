package io.drrunbook.engine;

import org.camunda.bpm.engine.BadUserRequestException;

/**
 * A failure decision (done by hand, skip) refused because of its results: not a JSON object of
 * plain values, or missing a value the run takes from the step. The task stays open; the message
 * names what the run takes from the step.
 */
public class StepResultsRefusedException extends BadUserRequestException implements ListenerRefusal {

  private static final long serialVersionUID = 1L;

  public StepResultsRefusedException(String message) {
    super(message);
  }
}
