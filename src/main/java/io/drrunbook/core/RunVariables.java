package io.drrunbook.core;

/** The process variables the product API sets on every run it starts. */
public final class RunVariables {
  public static final String TICKET_SYSTEM = "ticketSystem";
  public static final String TICKET_ID = "ticketId";
  public static final String TICKET_URL = "ticketUrl";
  public static final String RUN_MODE = "runMode";
  /** Set by the engine from the start event's {@code camunda:initiator}: the authenticated caller. */
  public static final String STARTED_BY = "runStartedBy";

  private RunVariables() {}
}
