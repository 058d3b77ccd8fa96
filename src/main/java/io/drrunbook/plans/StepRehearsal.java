package io.drrunbook.plans;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.StepPlanner;
import io.drrunbook.core.RunMode;
import io.drrunbook.core.RunModes;
import io.drrunbook.core.RunVariables;
import io.drrunbook.engine.StepGate;
import io.drrunbook.prechecks.PrecheckResults;
import io.drrunbook.prechecks.ProcedureChecks;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.RuntimeService;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The automated steps of a dry-run or precheck run: instead of calling its route, the step's
 * connector renders what it would send ({@link StepPlanner}), the plan entry is recorded
 * ({@link RunPlans}), a precheck run checks each system the step would reach
 * ({@link PrecheckResults}), and the step hands on the result of its main path so the walk goes on.
 */
@Component
@Order(1)
public class StepRehearsal implements StepGate {

  private final RuntimeService runtime;
  private final RunModes modes;
  private final RunPlans plans;
  private final SecretMasker masker;
  private final PrecheckResults prechecks;
  private final ProcedureChecks procedureChecks;
  private final Map<String, StepPlanner> planners = new HashMap<>();

  /** {@code prechecks} and {@code procedureChecks} may be null where only dry-runs are walked (engine tests). */
  public StepRehearsal(RuntimeService runtime, RunModes modes, RunPlans plans, SecretMasker masker,
      PrecheckResults prechecks, ProcedureChecks procedureChecks, List<StepPlanner> planners) {
    this.modes = modes;
    this.procedureChecks = procedureChecks;
    this.runtime = runtime;
    this.plans = plans;
    this.masker = masker;
    this.prechecks = prechecks;
    for (StepPlanner planner : planners) {
      planner.plannedRoutes().forEach(route -> {
        StepPlanner previous = this.planners.put(route, planner);
        if (previous != null) {
          throw new IllegalStateException("route " + route + " has two planners: "
              + previous.getClass().getSimpleName() + " and " + planner.getClass().getSimpleName());
        }
      });
    }
  }

  /** A dry-run or precheck run walks its steps; every other run runs them. */
  @Override
  public Pass pass(String processInstanceId) {
    return walkMode(processInstanceId)
        .<Pass>map(mode -> new Walk(mode.id(), step -> rehearse(mode, step.procedureId(),
            step.processInstanceId(), step.activityId(), step.activityInstanceId(), step.stepName(),
            step.route(), step.inputs())))
        .orElse(RUN);
  }

  /** The run's mode when it only walks the procedure (dry-run, precheck); empty for real runs. */
  public Optional<RunMode> walkMode(String processInstanceId) {
    return modes.walkMode(processInstanceId,
        () -> runtime.getVariable(processInstanceId, RunVariables.RUN_MODE));
  }

  /**
   * Renders and records one automated step of a walk; in a precheck, checks what it would reach.
   *
   * @return the step's result on its main path (becomes the step's local variables)
   * @throws IllegalStateException when the route cannot be rendered (no planner, unknown host...)
   */
  public Map<String, Object> rehearse(RunMode mode, String procedureId, String processInstanceId, String activityId,
      String activityInstanceId, String stepName, String route, Map<String, Object> inputs) {
    if (mode == RunMode.PRECHECK && procedureChecks != null) {
      // the state the procedure expects, checked when its walk begins
      procedureChecks.runOnce(processInstanceId, procedureId);
    }
    StepPlanner planner = planners.get(route);
    if (planner == null) {
      throw new IllegalStateException("route " + route + " has no dry-run planner: step '" + stepName
          + "' cannot be walked without running it");
    }
    StepPlan plan = planner.plan(route, inputs);
    List<String> targets = plan.targets().stream().map(StepPlan.Target::toString).toList();
    plans.record(new RunPlans.Entry(processInstanceId, processInstanceId + ":" + activityInstanceId,
        activityId, stepName, "step", route, plan.actions().stream().map(masker::mask).toList(),
        targets, Instant.now()));
    if (mode == RunMode.PRECHECK) {
      if (prechecks == null) {
        throw new IllegalStateException("prechecks are not available in this application");
      }
      prechecks.check(processInstanceId, activityId, plan.targets());
    }
    return plan.result();
  }
}
