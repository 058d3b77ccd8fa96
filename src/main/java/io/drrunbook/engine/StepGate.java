package io.drrunbook.engine;

import java.util.Map;

/**
 * Asked by the step worker before a step acts: run it, walk it (render and record it without
 * reaching any system), or hold it. The engine owns the question; the answers come from the layers
 * above it (plans walk the steps of a dry-run or precheck run, prechecks hold an execute run until
 * its precheck has passed). The worker asks every gate in their order and takes the first answer
 * that is not {@link #RUN}.
 */
public interface StepGate {

  /** The answer of a gate that neither walks nor holds the run. */
  Pass RUN = new Run();

  /** What to do with the next step of the run {@code processInstanceId}. */
  Pass pass(String processInstanceId);

  /** A gate's answer. */
  sealed interface Pass permits Run, Walk, Hold {}

  /** Run the step: call its route. */
  record Run() implements Pass {}

  /** Do not run the step now; it is handed out again shortly. {@code reason} is logged. */
  record Hold(String reason) implements Pass {}

  /** Walk the step in run mode {@code mode} (its id, e.g. dry-run) with {@code walker} instead of running it. */
  record Walk(String mode, Walker walker) implements Pass {}

  /** Renders and records a walked step; returns the result its main path hands on. */
  @FunctionalInterface
  interface Walker {
    Map<String, Object> walk(WalkedStep step);
  }

  /** The step being walked and the inputs it would send to its route. */
  record WalkedStep(String procedureId, String processInstanceId, String activityId,
      String activityInstanceId, String stepName, String route, Map<String, Object> inputs) {}
}
