package io.drrunbook.core;

/** The process variables the product API sets on every run it starts. */
public final class RunVariables {
  public static final String TICKET_SYSTEM = "ticketSystem";
  public static final String TICKET_ID = "ticketId";
  public static final String TICKET_URL = "ticketUrl";
  public static final String RUN_MODE = "runMode";
  /** Set by the engine from the start event's {@code camunda:initiator}: the authenticated caller. */
  public static final String STARTED_BY = "runStartedBy";

  /**
   * Given at the start by a dr-approvers member to start a run whose systems an active run holds:
   * why (see the conflict gate in {@code prechecks}); the gate records who and over which runs.
   */
  public static final String OVERLAP_REASON = "overlapReason";
  /** Set by the conflict gate when a run was started over active runs: the approver. */
  public static final String OVERLAP_APPROVED_BY = "overlapApprovedBy";
  /** Set by the conflict gate with {@link #OVERLAP_APPROVED_BY}: the active runs, comma-separated. */
  public static final String OVERLAP_RUNS = "overlapRuns";

  private RunVariables() {}
}
