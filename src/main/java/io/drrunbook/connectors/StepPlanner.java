package io.drrunbook.connectors;

import java.util.Map;
import java.util.Set;

/**
 * A connector that can say what a step would do without doing it (dry-run and precheck runs). Every
 * connector route offered to the procedures has one; a route without a planner cannot be rehearsed.
 */
public interface StepPlanner {

  /** The connector routes (route ids, e.g. {@code ssh-exec}) this planner renders. */
  Set<String> plannedRoutes();

  /**
   * Renders the step with the same inputs the route would get. Must not open any connection.
   *
   * @throws RuntimeException when the step could not run either (unknown host, missing input...)
   */
  StepPlan plan(String route, Map<String, Object> inputs);
}
