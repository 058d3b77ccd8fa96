package io.drrunbook.prechecks;

import io.drrunbook.engine.ConflictRefusal;
import java.util.List;
import org.camunda.bpm.engine.BadUserRequestException;

/**
 * A run whose systems an active execute or drill run holds: refused at its start (a 409 through the
 * product API and through the engine's REST API, with this message).
 * Names the active run, its ticket and the systems both act on.
 */
public class ConflictingRunException extends BadUserRequestException implements ConflictRefusal {

  private static final long serialVersionUID = 1L;

  private final String activeRunId;
  private final String activeTicket;
  private final List<String> systems;

  public ConflictingRunException(String message, String activeRunId, String activeTicket,
      List<String> systems) {
    super(message);
    this.activeRunId = activeRunId;
    this.activeTicket = activeTicket;
    this.systems = List.copyOf(systems);
  }

  /** The active run that holds the systems; null when it is still starting (not visible yet). */
  public String activeRunId() {
    return activeRunId;
  }

  public String activeTicket() {
    return activeTicket;
  }

  public List<String> systems() {
    return systems;
  }
}
