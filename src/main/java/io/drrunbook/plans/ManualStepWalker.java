package io.drrunbook.plans;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.core.RunMode;
import io.drrunbook.core.RunVariables;
import io.drrunbook.engine.PeriodicTask;
import io.drrunbook.prechecks.ProcedureChecks;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.engine.FormService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.IdentityLinkType;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.model.bpmn.instance.Documentation;
import org.camunda.bpm.model.bpmn.instance.UserTask;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The manual steps of a dry-run or precheck run: each is listed in the plan with its instructions
 * (the element's documentation, the form's text and fields, who must do it) and answered by the walk
 * itself as user {@value #WALK_USER}, with the answer the procedure declares for its main path: the
 * user task's extension property {@value #ANSWER_PROPERTY}, e.g. {@code disasterDeclared=true} (several
 * separated by commas; {@code true}, {@code false} and integers are typed). A task without one is
 * completed without variables.
 */
@Component
public class ManualStepWalker {

  public static final String WALK_USER = "plan-walk";
  public static final String ANSWER_PROPERTY = "dryRunAnswer";
  private static final Logger log = LoggerFactory.getLogger(ManualStepWalker.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TaskService tasks;
  private final RepositoryService repository;
  private final FormService forms;
  private final RunPlans plans;
  private final ProcedureChecks procedureChecks;
  private final StepRehearsal rehearsal;
  private final PeriodicTask poller;
  private final Set<String> refused = ConcurrentHashMap.newKeySet();

  public ManualStepWalker(TaskService tasks, RepositoryService repository, FormService forms,
      RunPlans plans, ProcedureChecks procedureChecks, StepRehearsal rehearsal,
      @Value("${dr.steps.poll-interval:500ms}") Duration interval) {
    this.rehearsal = rehearsal;
    this.tasks = tasks;
    this.repository = repository;
    this.forms = forms;
    this.plans = plans;
    this.procedureChecks = procedureChecks;
    this.poller = new PeriodicTask("dr-plan-walk", interval, this::walk);
  }

  @EventListener(ApplicationReadyEvent.class)
  public void start() {
    poller.start();
  }

  @jakarta.annotation.PreDestroy
  public void stop() {
    poller.stop();
  }

  /** Answers every waiting manual step of every dry-run and precheck run. */
  public void walk() {
    for (RunMode mode : List.of(RunMode.DRY_RUN, RunMode.PRECHECK)) {
      for (Task task : tasks.createTaskQuery().processVariableValueEquals(RunVariables.RUN_MODE, mode.id())
          .active().list()) {
        // the variable finds candidates; only the mode recorded at the start makes a run a walk
        if (!refused.contains(task.getId()) && rehearsal.walkMode(task.getProcessInstanceId())
            .filter(mode::equals).isPresent()) {
          if (mode == RunMode.PRECHECK) {
            procedureChecks.runOnce(task.getProcessInstanceId(),
                repository.getProcessDefinition(task.getProcessDefinitionId()).getKey());
          }
          answer(task);
        }
      }
    }
  }

  private void answer(Task task) {
    UserTask element = repository.getBpmnModelInstance(task.getProcessDefinitionId())
        .getModelElementById(task.getTaskDefinitionKey());
    Map<String, Object> answers = answers(element);
    List<String> lines = new ArrayList<>();
    List<String> groups = tasks.getIdentityLinksForTask(task.getId()).stream()
        .filter(link -> IdentityLinkType.CANDIDATE.equals(link.getType()) && link.getGroupId() != null)
        .map(link -> link.getGroupId()).toList();
    lines.add("manual step for " + (groups.isEmpty() ? "its assignee" : String.join(", ", groups))
        + ": " + task.getName());
    element.getDocumentations().stream().map(Documentation::getTextContent)
        .filter(text -> text != null && !text.isBlank())
        .forEach(text -> lines.add("documentation: " + text.strip()));
    lines.addAll(formLines(task, element));
    lines.add(answers.isEmpty() ? "walked on without an answer"
        : "walked on with the answer " + answers);
    plans.record(new RunPlans.Entry(task.getProcessInstanceId(), task.getProcessInstanceId() + ":task:"
        + task.getId(), task.getTaskDefinitionKey(), task.getName(), "manual", null, lines, List.of(),
        Instant.now()));
    try {
      tasks.setAssignee(task.getId(), WALK_USER);
      tasks.complete(task.getId(), answers);
      log.info("manual step {} of {} run {} walked", task.getName(), task.getProcessInstanceId(),
          answers.isEmpty() ? "(no answer)" : answers.keySet());
    } catch (RuntimeException e) {
      refused.add(task.getId());
      log.warn("manual step {} of run {} could not be walked (left waiting): {}", task.getName(),
          task.getProcessInstanceId(), e.getMessage());
    }
  }

  /** The form's text and fields, as an operator would see them. */
  private List<String> formLines(Task task, UserTask element) {
    if (element.getCamundaFormRef() == null) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    lines.add("form: " + element.getCamundaFormRef());
    try (InputStream form = forms.getDeployedTaskForm(task.getId())) {
      collect(JSON.readTree(form).path("components"), lines);
    } catch (java.io.IOException | RuntimeException e) {
      lines.add("(the form could not be read: " + e.getMessage() + ")");
    }
    return lines;
  }

  private static void collect(JsonNode components, List<String> lines) {
    for (JsonNode component : components) {
      String type = component.path("type").asText("");
      if ("text".equals(type) && component.path("text").asText("").startsWith("{{")) {
        continue; // the run's context (procedure, ticket, links), filled in for each task
      } else if ("text".equals(type)) {
        lines.add("instructions: " + component.path("text").asText("").strip());
      } else if (component.hasNonNull("key") && !"button".equals(type)) {
        String options = "";
        if (component.has("values")) {
          List<String> values = new ArrayList<>();
          component.path("values").forEach(v -> values.add(v.path("label").asText()));
          options = " " + values;
        }
        lines.add("field " + component.path("key").asText() + " (" + type + "): "
            + component.path("label").asText("") + options);
      }
      collect(component.path("components"), lines);
    }
  }

  static Map<String, Object> answers(UserTask element) {
    Map<String, Object> answers = new LinkedHashMap<>();
    if (element.getExtensionElements() == null) {
      return answers;
    }
    Collection<CamundaProperty> properties = element.getExtensionElements().getElementsQuery()
        .filterByType(org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties.class).list().stream()
        .flatMap(p -> p.getCamundaProperties().stream()).toList();
    for (CamundaProperty property : properties) {
      if (!ANSWER_PROPERTY.equals(property.getCamundaName()) || property.getCamundaValue() == null) {
        continue;
      }
      for (String pair : property.getCamundaValue().split(",")) {
        String[] parts = pair.split("=", 2);
        if (parts.length == 2 && !parts[0].isBlank()) {
          answers.put(parts[0].strip(), typed(parts[1].strip()));
        }
      }
    }
    return answers;
  }

  private static Object typed(String text) {
    if ("true".equals(text) || "false".equals(text)) {
      return Boolean.valueOf(text);
    }
    if (text.matches("-?\\d{1,9}")) {
      return Integer.valueOf(text);
    }
    return text;
  }
}
