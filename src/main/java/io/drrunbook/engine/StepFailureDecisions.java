package io.drrunbook.engine;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.core.Procedures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngineServices;
import org.camunda.bpm.engine.externaltask.ExternalTask;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.impl.incident.IncidentHandler;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.FlowElement;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputOutput;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaOutputParameter;
import org.camunda.bpm.model.xml.instance.ModelElementInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Engine configuration for failure decisions: wraps the engine's handler of failed external tasks
 * (whatever handler is registered for them, e.g. the ticket write-back's) so that the transaction
 * that creates the incident of a failed automated step (topic {@value StepWorker#TOPIC}: retries
 * used up, or a BPMN error the model does not catch) also starts one instance of
 * {@value #PROCESS} for it: the operators' Tasklist task "Step &lt;name&gt; failed". When the
 * incident is resolved or deleted otherwise (retried in Cockpit, run cancelled, step completed),
 * the same transaction ends that decision instance. One transaction each way: a crash can neither
 * lose a decision nor leave a second one. The decision itself is carried out by
 * {@link StepFailureDecisionListener}.
 */
@Component
public class StepFailureDecisions extends AbstractProcessEnginePlugin {

  /** Process id of the decision (processes/dr-step-failure-decision.bpmn). */
  public static final String PROCESS = Procedures.FAILURE_DECISION;
  public static final String TASK = "UserTask_DecideOnFailedStep";

  // variables of a decision instance (= field keys of forms/form-step-failure-decision.form)
  public static final String RUN_ID = "runId";
  public static final String RUN_ACTIVITY_ID = "runActivityId";
  public static final String RUN_STEP_NAME = "runStepName";
  public static final String EXTERNAL_TASK_ID = "stepExternalTaskId";
  public static final String INCIDENT_ID = "stepIncidentId";
  public static final String STEP_INPUTS = "stepInputs";
  public static final String STEP_ERROR = "stepError";
  public static final String STEP_OUTPUT = "stepOutput";
  public static final String STEP_ATTEMPTS = "stepAttempts";
  /** What the run takes from the step's results (its output mapping), for done-by-hand and skip. */
  public static final String STEP_RESULTS_USED = "stepResultsUsed";
  /** The results of a step done by hand or skipped: a JSON object, named as the step returns them. */
  public static final String RESULTS = "decisionResults";
  /** The step's inputs that come from one run variable ("scn ← exportScn"), which a retry can correct. */
  public static final String STEP_INPUT_SOURCES = "stepInputSources";
  /** With retry: the step input to correct (one of {@link #STEP_INPUT_SOURCES}) and its new value. */
  public static final String CORRECT_INPUT = "correctInput";
  public static final String CORRECT_VALUE = "correctValue";
  public static final String CHOICE = "decisionChoice";
  public static final String NOTE = "decisionNote";

  public static final String RETRY = "retry";
  public static final String DONE_BY_HAND = "done-by-hand";
  public static final String SKIP = "skip";
  public static final String ABORT = "abort";
  public static final List<String> CHOICES = List.of(RETRY, DONE_BY_HAND, SKIP, ABORT);

  private static final int TEXT_LIMIT = 4000;
  private static final Set<String> NOT_INPUTS = Set.of(StepWorker.OUTCOME_VARIABLE);
  private static final Logger log = LoggerFactory.getLogger(StepFailureDecisions.class);
  /** The external task whose decision this thread is carrying out (its own end is not "otherwise"). */
  private static final ThreadLocal<String> CARRYING_OUT = new ThreadLocal<>();

  private final StepJournal journal;
  private final SecretMasker masker;

  public StepFailureDecisions(StepJournal journal, SecretMasker masker) {
    this.journal = journal;
    this.masker = masker;
  }

  /** After init: the incident handlers are in place (also those other plugins registered). */
  @Override
  public void postInit(ProcessEngineConfigurationImpl configuration) {
    IncidentHandler handler = configuration.getIncidentHandlers().get(Incident.EXTERNAL_TASK_HANDLER_TYPE);
    configuration.getIncidentHandlers().put(Incident.EXTERNAL_TASK_HANDLER_TYPE, new Handler(handler));
  }

  /** Runs {@code work} while the decision on {@code externalTaskId} is being carried out. */
  static void carryingOut(String externalTaskId, Runnable work) {
    CARRYING_OUT.set(externalTaskId);
    try {
      work.run();
    } finally {
      CARRYING_OUT.remove();
    }
  }

  private final class Handler implements IncidentHandler {

    private final IncidentHandler delegate;

    Handler(IncidentHandler delegate) {
      this.delegate = delegate;
    }

    @Override
    public String getIncidentHandlerType() {
      return delegate.getIncidentHandlerType();
    }

    @Override
    public Incident handleIncident(IncidentContext context, String message) {
      Incident incident = delegate.handleIncident(context, message);
      if (incident != null && context.getConfiguration() != null) {
        asApplication(services -> startDecision(services, incident, context.getConfiguration()));
      }
      return incident;
    }

    @Override
    public void resolveIncident(IncidentContext context) {
      delegate.resolveIncident(context);
      endDecisions(context, "the step's incident was resolved (retried outside the decision)");
    }

    @Override
    public void deleteIncident(IncidentContext context) {
      delegate.deleteIncident(context);
      endDecisions(context, "the step or its run ended outside the decision");
    }

    private void endDecisions(IncidentContext context, String reason) {
      String externalTaskId = context.getConfiguration();
      if (externalTaskId == null || externalTaskId.equals(CARRYING_OUT.get())) {
        return;
      }
      asApplication(services -> {
        // the engine resolves an external task's incidents at every completion: the query by
        // variable value runs only while some decision is open at all (most completions find none)
        if (services.getRuntimeService().createProcessInstanceQuery().processDefinitionKey(PROCESS).count() == 0) {
          return;
        }
        for (ProcessInstance decision : services.getRuntimeService().createProcessInstanceQuery()
            .processDefinitionKey(PROCESS).variableValueEquals(EXTERNAL_TASK_ID, externalTaskId).list()) {
          log.info("decision {} on failed step (external task {}) ended: {}", decision.getId(),
              externalTaskId, reason);
          services.getRuntimeService().deleteProcessInstance(decision.getId(), reason, true, true);
        }
      });
    }
  }

  private void startDecision(ProcessEngineServices services, Incident incident, String externalTaskId) {
    ExternalTask task = services.getExternalTaskService().createExternalTaskQuery()
        .externalTaskId(externalTaskId).singleResult();
    if (task == null || !StepWorker.TOPIC.equals(task.getTopicName())
        || PROCESS.equals(task.getProcessDefinitionKey())) {
      return;
    }
    boolean open = services.getRuntimeService().createProcessInstanceQuery().processDefinitionKey(PROCESS)
        .variableValueEquals(EXTERNAL_TASK_ID, externalTaskId).count() > 0;
    if (open) {
      return;
    }
    Map<String, Object> local = services.getRuntimeService().getVariablesLocal(task.getExecutionId());
    Map<String, Object> variables = new LinkedHashMap<>();
    String stepName = stepName(services, task);
    variables.put(RUN_ID, task.getProcessInstanceId());
    variables.put(RUN_ACTIVITY_ID, task.getActivityId());
    variables.put(RUN_STEP_NAME, stepName);
    variables.put(EXTERNAL_TASK_ID, externalTaskId);
    variables.put(INCIDENT_ID, incident.getId());
    variables.put(STEP_INPUTS, inputs(local));
    variables.put(STEP_ERROR, bounded(incident.getIncidentMessage()));
    variables.put(STEP_OUTPUT, bounded(local.get(StepWorker.OUTCOME_VARIABLE) == null ? null
        : String.valueOf(local.get(StepWorker.OUTCOME_VARIABLE))));
    variables.put(STEP_ATTEMPTS, attempts(task));
    variables.put(STEP_RESULTS_USED, resultsUsed(services, task));
    variables.put(STEP_INPUT_SOURCES, inputSourcesText(services, task));
    ProcessInstance decision = services.getRuntimeService()
        .startProcessInstanceByKey(PROCESS, task.getBusinessKey(), variables);
    log.info("step {} of run {} failed: decision {} waits for the operators", stepName,
        task.getProcessInstanceId(), decision.getId());
  }

  private static String stepName(ProcessEngineServices services, ExternalTask task) {
    ModelElementInstance element = services.getRepositoryService()
        .getBpmnModelInstance(task.getProcessDefinitionId()).getModelElementById(task.getActivityId());
    if (element instanceof FlowElement flow && flow.getName() != null) {
      return flow.getName();
    }
    return task.getActivityId();
  }

  /**
   * The step's output mapping, one line per run variable ("currentScn ← ${valueAfter}"): what a
   * person who does the step by hand must give as its results; "nothing" when the run takes none.
   */
  private static String resultsUsed(ProcessEngineServices services, ExternalTask task) {
    List<String> lines = new ArrayList<>();
    for (CamundaInputOutput io : inputOutput(services, task)) {
      for (CamundaOutputParameter output : io.getCamundaOutputParameters()) {
        lines.add(output.getCamundaName() + " ← " + String.valueOf(output.getTextContent()).strip());
      }
    }
    return lines.isEmpty() ? "nothing: the run uses no result of this step" : String.join("\n", lines);
  }

  /** One line per input taken from a run variable ("scn ← exportScn"), or why none can be corrected. */
  private static String inputSourcesText(ProcessEngineServices services, ExternalTask task) {
    List<String> lines = new ArrayList<>();
    inputSources(services, task).forEach((input, variable) -> lines.add(input + " ← " + variable));
    return lines.isEmpty() ? "none: no input of this step comes from a run variable"
        : String.join("\n", lines);
  }

  /** The step's inputs that come from one run variable, input name to run variable. */
  static Map<String, String> inputSources(ProcessEngineServices services, ExternalTask task) {
    return ProcessModels.inputSources(services.getRepositoryService()
        .getBpmnModelInstance(task.getProcessDefinitionId()), task.getActivityId());
  }

  /** The names of the step's input parameters (its inputs, as opposed to what an attempt returned). */
  static Set<String> inputNames(ProcessEngineServices services, ExternalTask task) {
    Set<String> names = new HashSet<>();
    for (CamundaInputOutput io : inputOutput(services, task)) {
      io.getCamundaInputParameters().forEach(input -> names.add(input.getCamundaName()));
    }
    return names;
  }

  private static List<CamundaInputOutput> inputOutput(ProcessEngineServices services, ExternalTask task) {
    ModelElementInstance element = services.getRepositoryService()
        .getBpmnModelInstance(task.getProcessDefinitionId()).getModelElementById(task.getActivityId());
    if (element instanceof BaseElement base && base.getExtensionElements() != null) {
      return base.getExtensionElements().getElementsQuery().filterByType(CamundaInputOutput.class).list();
    }
    return List.of();
  }

  private String inputs(Map<String, Object> local) {
    StringBuilder text = new StringBuilder();
    new TreeMap<>(local).forEach((name, value) -> {
      if (!NOT_INPUTS.contains(name)) {
        text.append(name).append(" = ").append(value).append('\n');
      }
    });
    return bounded(text.toString().strip());
  }

  private String attempts(ExternalTask task) {
    Optional<StepJournal.Entry> entry =
        journal.find(task.getProcessInstanceId() + ":" + task.getActivityInstanceId());
    if (entry.isEmpty()) {
      return "no attempt journaled";
    }
    StepJournal.Entry e = entry.get();
    return bounded(e.attempts() + " attempt(s) through route " + e.route() + ", last from "
        + e.startedAt() + " to " + Optional.ofNullable(e.endedAt()).map(Instant::toString).orElse("-")
        + ", state " + e.state() + (e.lastError() == null ? "" : ": " + e.lastError()));
  }

  private String bounded(String text) {
    if (text == null) {
      return null;
    }
    String masked = masker.mask(text);
    return masked.length() <= TEXT_LIMIT ? masked : masked.substring(0, TEXT_LIMIT) + " ...";
  }

  /**
   * Runs engine calls in the current command as the application: the incident belongs to whoever
   * made the step fail (the step worker, or a user setting retries to 0), the decision to the run.
   */
  private static void asApplication(java.util.function.Consumer<ProcessEngineServices> work) {
    ProcessEngineConfigurationImpl configuration = Context.getProcessEngineConfiguration();
    IdentityService identity = configuration.getIdentityService();
    Authentication authentication = identity.getCurrentAuthentication();
    identity.clearAuthentication();
    try {
      work.accept(configuration.getProcessEngine());
    } finally {
      if (authentication != null) {
        identity.setAuthentication(authentication);
      }
    }
  }
}
