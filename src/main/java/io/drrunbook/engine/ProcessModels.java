package io.drrunbook.engine;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.Activity;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.BoundaryEvent;
import org.camunda.bpm.model.bpmn.instance.ErrorEventDefinition;
import org.camunda.bpm.model.bpmn.instance.FlowElement;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.MultiInstanceLoopCharacteristics;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.StartEvent;
import org.camunda.bpm.model.bpmn.instance.SubProcess;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputOutput;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputParameter;
import org.camunda.bpm.model.xml.instance.ModelElementInstance;
import org.springframework.stereotype.Component;

/**
 * Reads deployed process models (cached per process definition): element names for the record, and
 * whether a BPMN error thrown by an element is caught by the model, so that an error nobody catches
 * becomes an incident instead of silently ending the run.
 */
@Component
public class ProcessModels {

  /** An input parameter that is exactly one run variable: {@code ${exportScn}}. */
  private static final Pattern RUN_VARIABLE = Pattern.compile("\\$\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}");
  /** Words of the expression language that look like a variable: {@code ${true}} is a constant. */
  private static final Set<String> EL_LITERALS = Set.of("true", "false", "null", "empty", "not");

  private final RepositoryService repositoryService;
  private final Map<String, BpmnModelInstance> models = new ConcurrentHashMap<>();

  public ProcessModels(RepositoryService repositoryService) {
    this.repositoryService = repositoryService;
  }

  public String elementName(String processDefinitionId, String activityId) {
    ModelElementInstance element = model(processDefinitionId).getModelElementById(activityId);
    if (element instanceof FlowElement flowElement && flowElement.getName() != null) {
      return flowElement.getName();
    }
    return activityId;
  }

  /**
   * The element's input parameters that take one run variable as they are ({@code scn} ←
   * {@code ${exportScn}}), input name to run variable, in model order. A step re-reads these from
   * the run whenever it is attempted, and a missing one is reported with its source.
   */
  public Map<String, String> inputSources(String processDefinitionId, String activityId) {
    return inputSources(model(processDefinitionId), activityId);
  }

  static Map<String, String> inputSources(BpmnModelInstance model, String activityId) {
    Map<String, String> sources = new LinkedHashMap<>();
    if (!(model.getModelElementById(activityId) instanceof BaseElement element)
        || element.getExtensionElements() == null) {
      return sources;
    }
    for (CamundaInputOutput io : element.getExtensionElements().getElementsQuery()
        .filterByType(CamundaInputOutput.class).list()) {
      for (CamundaInputParameter input : io.getCamundaInputParameters()) {
        Matcher matcher = RUN_VARIABLE.matcher(String.valueOf(input.getTextContent()).strip());
        if (matcher.matches() && !EL_LITERALS.contains(matcher.group(1))) {
          sources.put(input.getCamundaName(), matcher.group(1));
        }
      }
    }
    return sources;
  }

  /**
   * What names the element a step of a multi-instance works on (the step itself multi-instance, or
   * inside a multi-instance sub-process, like A1's proxy switch per host): the
   * {@code camunda:elementVariable} ({@code proxyHost}) and the step's input parameter that is
   * exactly that variable ({@code host} ← {@code ${proxyHost}}, null when it has none); empty
   * outside a multi-instance.
   */
  public Optional<ElementInput> elementInput(String processDefinitionId, String activityId) {
    if (processDefinitionId == null || activityId == null) {
      return Optional.empty();
    }
    ModelElementInstance element = model(processDefinitionId).getModelElementById(activityId);
    while (element != null) {
      if (element instanceof Activity activity
          && activity.getLoopCharacteristics() instanceof MultiInstanceLoopCharacteristics loop
          && loop.getCamundaElementVariable() != null) {
        String variable = loop.getCamundaElementVariable();
        return Optional.of(new ElementInput(variable, inputSources(processDefinitionId, activityId)
            .entrySet().stream().filter(source -> source.getValue().equals(variable))
            .map(Map.Entry::getKey).findFirst().orElse(null)));
      }
      element = element.getParentElement();
    }
    return Optional.empty();
  }

  /** The element variable of a multi-instance, and the step's input that takes it (or null). */
  public record ElementInput(String variable, String input) {}

  /** The step's name with its element ("Switch the proxy ... · site2-proxy1"), as every view shows it. */
  public static String withElement(String name, Object element) {
    return element == null || element.toString().isBlank() ? name : name + " · " + element;
  }

  /**
   * True when the element is an automated step: an external service task of the step worker's topic
   * (a {@code dr-step} task is created when the element starts).
   */
  public boolean isStep(String processDefinitionId, String activityId) {
    if (processDefinitionId == null || activityId == null) {
      return false;
    }
    return model(processDefinitionId).getModelElementById(activityId) instanceof ServiceTask task
        && "external".equals(task.getCamundaType()) && StepWorker.TOPIC.equals(task.getCamundaTopic());
  }

  /**
   * True when an error boundary event on the element or an enclosing sub-process, or an error event
   * sub-process in an enclosing scope, catches {@code errorCode} (or catches every error).
   */
  public boolean catches(String processDefinitionId, String activityId, String errorCode) {
    BpmnModelInstance model = model(processDefinitionId);
    ModelElementInstance element = model.getModelElementById(activityId);
    Collection<BoundaryEvent> boundaries = model.getModelElementsByType(BoundaryEvent.class);
    while (element != null) {
      if (element instanceof FlowNode node) {
        for (BoundaryEvent boundary : boundaries) {
          if (boundary.getAttachedTo() == node && catchesError(boundary.getEventDefinitions(), errorCode)) {
            return true;
          }
        }
      }
      if (element instanceof SubProcess || element instanceof org.camunda.bpm.model.bpmn.instance.Process) {
        if (eventSubProcessCatches(element, errorCode)) {
          return true;
        }
      }
      element = element.getParentElement();
    }
    return false;
  }

  private static boolean eventSubProcessCatches(ModelElementInstance scope, String errorCode) {
    for (SubProcess sub : scope.getChildElementsByType(SubProcess.class)) {
      if (sub.triggeredByEvent()) {
        for (StartEvent start : sub.getChildElementsByType(StartEvent.class)) {
          if (catchesError(start.getEventDefinitions(), errorCode)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static boolean catchesError(Collection<? extends ModelElementInstance> definitions, String errorCode) {
    for (ModelElementInstance definition : definitions) {
      if (definition instanceof ErrorEventDefinition errorDefinition) {
        if (errorDefinition.getError() == null
            || errorDefinition.getError().getErrorCode() == null
            || errorDefinition.getError().getErrorCode().equals(errorCode)) {
          return true;
        }
      }
    }
    return false;
  }

  private BpmnModelInstance model(String processDefinitionId) {
    return models.computeIfAbsent(processDefinitionId, repositoryService::getBpmnModelInstance);
  }
}
