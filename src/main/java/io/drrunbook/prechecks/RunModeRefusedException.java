package io.drrunbook.prechecks;

import io.drrunbook.engine.ListenerRefusal;
import org.camunda.bpm.engine.BadUserRequestException;

/** A run started with a mode the product does not know: refused, a 400 over the engine REST API. */
public class RunModeRefusedException extends BadUserRequestException implements ListenerRefusal {

  private static final long serialVersionUID = 1L;

  public RunModeRefusedException(String message) {
    super(message);
  }
}
