package io.drrunbook.prechecks;

import io.drrunbook.engine.ListenerRefusal;
import org.camunda.bpm.engine.BadUserRequestException;

/**
 * A run started from a Tasklist start form (or the engine REST API without a business key) whose
 * ticket is missing or malformed, or whose ticket already has an active run of the procedure: refused,
 * a 400 whose message Tasklist shows as it is.
 */
public class TicketRefusedException extends BadUserRequestException implements ListenerRefusal {

  private static final long serialVersionUID = 1L;

  public TicketRefusedException(String message) {
    super(message);
  }
}
