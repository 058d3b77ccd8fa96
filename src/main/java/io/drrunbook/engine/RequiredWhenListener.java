package io.drrunbook.engine;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.model.bpmn.instance.UserTask;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;
import org.springframework.stereotype.Component;

/**
 * {@code complete} listener ({@code ${requiredWhen}}) for a form field that only a branch of the run
 * needs, which a form cannot require on its own: the user task's property {@value #PROPERTY}, e.g.
 * {@code exportScn if largeDatabase} (several separated by {@code ;}), refuses the completion
 * without a value for {@code exportScn} when the run variable {@code largeDatabase} is true, naming
 * the field.
 */
@Component("requiredWhen")
public class RequiredWhenListener implements TaskListener {

  public static final String PROPERTY = "requiredWhen";

  @Override
  public void notify(DelegateTask task) {
    for (String[] rule : rules(task)) {
      String field = rule[0];
      String condition = rule[1];
      Object value = task.getVariable(field);
      if (Boolean.TRUE.equals(task.getVariable(condition))
          && (value == null || value.toString().isBlank())) {
        throw new FieldRequiredRefusedException("Field " + field + " is required: this run has "
            + condition + " = true (" + task.getName() + ")");
      }
    }
  }

  private static List<String[]> rules(DelegateTask task) {
    List<String[]> rules = new ArrayList<>();
    UserTask element = task.getBpmnModelElementInstance();
    if (element == null || element.getExtensionElements() == null) {
      return rules;
    }
    for (CamundaProperties properties : element.getExtensionElements().getElementsQuery()
        .filterByType(CamundaProperties.class).list()) {
      for (CamundaProperty property : properties.getCamundaProperties()) {
        if (!PROPERTY.equals(property.getCamundaName()) || property.getCamundaValue() == null) {
          continue;
        }
        for (String rule : property.getCamundaValue().split(";")) {
          String[] parts = rule.strip().split("\\s+if\\s+");
          if (parts.length != 2) {
            throw new IllegalStateException("property " + PROPERTY + " of " + element.getId()
                + ": '" + rule.strip() + "' is not '<field> if <run variable>'");
          }
          rules.add(new String[] {parts[0].strip(), parts[1].strip()});
        }
      }
    }
    return rules;
  }
}
