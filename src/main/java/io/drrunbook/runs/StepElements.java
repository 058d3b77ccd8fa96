package io.drrunbook.runs;

import io.drrunbook.engine.ProcessModels;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;

/**
 * The names of a run's steps as the status, the report (steps, timeline, critical path) show them:
 * an instance of a multi-instance step carries its element ("Switch the proxy to the backup master
 * · site2-proxy1"), read from the step's own input that takes the element variable (kept in
 * history with the step's activity instance).
 */
final class StepElements {

  private final Map<String, String> elements = new HashMap<>();

  private StepElements() {}

  static StepElements of(HistoryService history, ProcessModels models, String processInstanceId,
      List<HistoricActivityInstance> activities) {
    StepElements names = new StepElements();
    Map<String, ProcessModels.ElementInput> byInstance = new HashMap<>();
    Set<String> variables = new HashSet<>();
    for (HistoricActivityInstance activity : activities) {
      models.elementInput(activity.getProcessDefinitionId(), activity.getActivityId()).ifPresent(e -> {
        byInstance.put(activity.getId(), e);
        variables.add(e.variable());
        if (e.input() != null) {
          variables.add(e.input());
        }
      });
    }
    if (byInstance.isEmpty()) {
      return names;
    }
    // name -> activity instance -> value
    Map<String, Map<String, Object>> values = new HashMap<>();
    for (HistoricVariableInstance variable : history.createHistoricVariableInstanceQuery()
        .processInstanceId(processInstanceId).variableNameIn(variables.toArray(String[]::new))
        .disableCustomObjectDeserialization().list()) {
      if (variable.getValue() != null && variable.getActivityInstanceId() != null) {
        values.computeIfAbsent(variable.getName(), n -> new HashMap<>())
            .put(variable.getActivityInstanceId(), variable.getValue());
      }
    }
    // the steps' own inputs first; an event or a manual step of the same instance of a
    // multi-instance sub-process (same parent activity instance) is named after its steps
    Map<String, String> byParent = new HashMap<>();
    for (HistoricActivityInstance activity : activities) {
      ProcessModels.ElementInput element = byInstance.get(activity.getId());
      Object value = element == null ? null : values.getOrDefault(element.input(), Map.of()).get(activity.getId());
      if (value == null && element != null) {
        value = values.getOrDefault(element.variable(), Map.of()).get(activity.getId());
      }
      if (value != null) {
        names.elements.put(activity.getId(), value.toString());
        if (activity.getParentActivityInstanceId() != null) {
          byParent.putIfAbsent(activity.getParentActivityInstanceId(), value.toString());
        }
      }
    }
    for (HistoricActivityInstance activity : activities) {
      if (byInstance.containsKey(activity.getId()) && !names.elements.containsKey(activity.getId())
          && byParent.containsKey(activity.getParentActivityInstanceId())) {
        names.elements.put(activity.getId(), byParent.get(activity.getParentActivityInstanceId()));
      }
    }
    return names;
  }

  /**
   * The activity's name with its element when it is one of several instances (then its id when it
   * has no name); otherwise its name as the model gives it (null when none).
   */
  String name(HistoricActivityInstance activity) {
    String element = elements.get(activity.getId());
    return element == null ? activity.getActivityName() : ProcessModels.withElement(
        Objects.requireNonNullElse(activity.getActivityName(), activity.getActivityId()), element);
  }
}
