package io.drrunbook.runs;

import io.drrunbook.approval.DecisionRecord;
import io.drrunbook.engine.StepFailureDecisions;
import io.drrunbook.runs.RunViews.FailureDecision;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.springframework.stereotype.Component;

/**
 * The decisions on failed steps of a run, read from the history of their own process
 * ({@link StepFailureDecisions#PROCESS}) and the decision record: waiting (with the task to
 * complete), decided (choice, note, who and when) or ended otherwise.
 */
@Component
class FailureDecisionHistory {

  private final HistoryService history;
  private final TaskService tasks;
  private final DecisionRecord decisionRecord;

  FailureDecisionHistory(HistoryService history, TaskService tasks, DecisionRecord decisionRecord) {
    this.history = history;
    this.tasks = tasks;
    this.decisionRecord = decisionRecord;
  }

  /** The decisions on failed steps of a run, oldest first (call as the application). */
  List<FailureDecision> forRun(String runId) {
    List<FailureDecision> result = new ArrayList<>();
    for (HistoricProcessInstance decision : history.createHistoricProcessInstanceQuery()
        .processDefinitionKey(StepFailureDecisions.PROCESS)
        .variableValueEquals(StepFailureDecisions.RUN_ID, runId)
        .orderByProcessInstanceStartTime().asc().list()) {
      Map<String, Object> values = new HashMap<>();
      history.createHistoricVariableInstanceQuery().processInstanceId(decision.getId())
          .disableCustomObjectDeserialization().list()
          .forEach(v -> values.put(v.getName(), RunLookup.value(v)));
      String activityId = RunLookup.text(values.get(StepFailureDecisions.RUN_ACTIVITY_ID));
      String stepName = RunLookup.text(values.get(StepFailureDecisions.RUN_STEP_NAME));
      String error = RunLookup.text(values.get(StepFailureDecisions.STEP_ERROR));
      String resultsUsed = RunLookup.text(values.get(StepFailureDecisions.STEP_RESULTS_USED));
      String results = RunLookup.text(values.get(StepFailureDecisions.RESULTS));
      if (decision.getEndTime() == null) {
        Task task = tasks.createTaskQuery().processInstanceId(decision.getId()).singleResult();
        result.add(new FailureDecision(activityId, stepName, "WAITING", error,
            task == null ? null : task.getId(), null, null, null, null, RunLookup.instant(decision.getStartTime()),
            resultsUsed, null));
      } else if (HistoricProcessInstance.STATE_COMPLETED.equals(decision.getState())) {
        Optional<DecisionRecord.Decision> record = decisionRecord.forProcessInstance(decision.getId())
            .stream().reduce((first, second) -> second);
        result.add(new FailureDecision(activityId, stepName, "DECIDED", error, null,
            RunLookup.text(values.get(StepFailureDecisions.CHOICE)), RunLookup.text(values.get(StepFailureDecisions.NOTE)),
            record.map(DecisionRecord.Decision::userId).orElse(null),
            record.map(DecisionRecord.Decision::decidedAt).orElse(RunLookup.instant(decision.getEndTime())),
            RunLookup.instant(decision.getStartTime()), resultsUsed, results));
      } else {
        result.add(new FailureDecision(activityId, stepName, "ENDED", error, null, null,
            decision.getDeleteReason(), null, RunLookup.instant(decision.getEndTime()),
            RunLookup.instant(decision.getStartTime()), resultsUsed, null));
      }
    }
    return result;
  }
}
