package io.drrunbook.engine;

import org.camunda.bpm.engine.BadUserRequestException;

/**
 * A deployment whose model contains a script while {@code dr.deployments.allow-scripts} is off: a
 * 400 over the engine REST API, with the script's element and line in the message.
 */
public class ScriptsRefusedException extends BadUserRequestException implements ListenerRefusal {

  private static final long serialVersionUID = 1L;

  public ScriptsRefusedException(String message) {
    super(message);
  }
}
