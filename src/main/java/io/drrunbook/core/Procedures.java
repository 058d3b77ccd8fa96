package io.drrunbook.core;

/**
 * Which deployed processes are procedures (runs of a vendor procedure) and which are the
 * application's own: the one answer that the catalog check, the ticketing grants, the run metrics
 * and the run API share. A procedure's process id is {@code dr-<system>-<action>}; the failure
 * decision ({@value #FAILURE_DECISION}) is the application's own process, started by the step
 * worker for the operators, never a run.
 */
public final class Procedures {

  /** Process id of the failure decision (processes/dr-step-failure-decision.bpmn). */
  public static final String FAILURE_DECISION = "dr-step-failure-decision";

  private static final String PREFIX = "dr-";

  private Procedures() {}

  /** True when the process with this key is a procedure, false for the application's own processes. */
  public static boolean isProcedure(String processDefinitionKey) {
    return processDefinitionKey != null && processDefinitionKey.startsWith(PREFIX)
        && !FAILURE_DECISION.equals(processDefinitionKey);
  }
}
