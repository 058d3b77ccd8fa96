package io.drrunbook.approval;

import io.drrunbook.common.DrGroups;
import io.drrunbook.common.SecretMasker;
import io.drrunbook.core.ProcedureCatalog;
import io.drrunbook.core.RunModes;
import java.util.function.Supplier;
import org.camunda.bpm.engine.delegate.Expression;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.bpmn.behavior.UserTaskActivityBehavior;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.task.TaskDefinition;
import org.camunda.bpm.engine.impl.util.xml.Element;

/**
 * Engine configuration: every user task of every deployed model gets a built-in {@code create}
 * listener that gives it the run's context ({@link TaskContext}) and a built-in {@code complete}
 * listener ({@link ManualDecisionListener}) that records the decision; for a task whose candidate
 * groups include {@code dr-approvers} it also enforces the four-eyes rule. A guided manual step
 * ({@link GuidedStep}) gets its options on {@code create} and its evidence checked on
 * {@code complete}. Built-in: a model cannot
 * leave it out, and skipping custom listeners does not skip it.
 */
class ApprovalParseListener extends AbstractBpmnParseListener {

  private final TaskListener approval;
  private final TaskListener decision;
  private final TaskListener context;
  private final TaskListener guided;

  ApprovalParseListener(DecisionRecord decisions, SecretMasker masker, RunModes modes,
      Supplier<ProcedureCatalog> catalog) {
    this.approval = new ManualDecisionListener(true, decisions, masker, modes);
    this.decision = new ManualDecisionListener(false, decisions, masker, modes);
    this.context = new TaskContext(catalog);
    this.guided = new GuidedStep(modes);
  }

  @Override
  public void parseUserTask(Element userTaskElement, ScopeImpl scope, ActivityImpl activity) {
    if (!(activity.getActivityBehavior() instanceof UserTaskActivityBehavior behavior)) {
      return;
    }
    TaskDefinition definition = behavior.getTaskDefinition();
    boolean isApproval = definition.getCandidateGroupIdExpressions().stream()
        .map(Expression::getExpressionText).anyMatch(DrGroups.APPROVERS::equals);
    definition.addBuiltInTaskListener(TaskListener.EVENTNAME_CREATE, context);
    definition.addBuiltInTaskListener(TaskListener.EVENTNAME_CREATE, guided);
    // the evidence of a guided step is checked before the decision is recorded
    definition.addBuiltInTaskListener(TaskListener.EVENTNAME_COMPLETE, guided);
    definition.addBuiltInTaskListener(TaskListener.EVENTNAME_COMPLETE, isApproval ? approval : decision);
    if (isApproval) {
      definition.addBuiltInTaskListener(TaskListener.EVENTNAME_ASSIGNMENT, approval);
    }
  }
}
