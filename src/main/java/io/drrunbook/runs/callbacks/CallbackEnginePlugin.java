package io.drrunbook.runs.callbacks;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.bpmn.behavior.UserTaskActivityBehavior;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.incident.DefaultIncidentHandler;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.impl.incident.IncidentHandler;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.task.IdentityLink;
import org.camunda.bpm.model.bpmn.instance.UserTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Engine configuration for write-back to tickets: captures the events of every run and hands them
 * to the {@link CallbackRecorder} inside the engine transaction. Built-in listeners (they also fire
 * when a run is cancelled with "skip custom listeners", as Cockpit does) on the start and end of
 * every process and the creation of every user task; incident handlers for failed jobs and failed
 * external tasks that create the incident as the engine's default handler does, then record
 * step-failed. Recording never fails the engine's command: a fault is logged and the run goes on.
 */
@Component
public class CallbackEnginePlugin extends AbstractProcessEnginePlugin {

  private static final Logger log = LoggerFactory.getLogger(CallbackEnginePlugin.class);

  private final CallbackRecorder recorder;

  public CallbackEnginePlugin(CallbackRecorder recorder) {
    this.recorder = recorder;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<BpmnParseListener> parseListeners = configuration.getCustomPostBPMNParseListeners() == null
        ? new ArrayList<>() : new ArrayList<>(configuration.getCustomPostBPMNParseListeners());
    parseListeners.add(new ParseListener());
    configuration.setCustomPostBPMNParseListeners(parseListeners);

    List<IncidentHandler> handlers = configuration.getCustomIncidentHandlers() == null
        ? new ArrayList<>() : new ArrayList<>(configuration.getCustomIncidentHandlers());
    handlers.add(new RecordingIncidentHandler(Incident.FAILED_JOB_HANDLER_TYPE));
    handlers.add(new RecordingIncidentHandler(Incident.EXTERNAL_TASK_HANDLER_TYPE));
    configuration.setCustomIncidentHandlers(handlers);
  }

  private final class ParseListener extends AbstractBpmnParseListener {

    private final ExecutionListener processStart = execution ->
        safely("run-started", () -> recorder.runStarted(run(execution)));

    private final ExecutionListener processEnd = execution -> safely("run end", () ->
        recorder.runEnded(run(execution), execution.isCanceled(),
            ((ExecutionEntity) execution).getDeleteReason()));

    private final TaskListener taskCreated = task -> safely("waiting-for-manual-step", () ->
        recorder.waitingForManualStep(run(task.getExecution()), task.getTaskDefinitionKey(),
            stepName(task), candidateGroups(task)));

    /** The step's name in the model: the task's own name also carries the run's ticket. */
    private static String stepName(DelegateTask task) {
      UserTask element = task.getBpmnModelElementInstance();
      return element != null && element.getName() != null ? element.getName() : task.getName();
    }

    @Override
    public void parseProcess(Element processElement, ProcessDefinitionEntity processDefinition) {
      processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_START, processStart);
      processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_END, processEnd);
    }

    @Override
    public void parseUserTask(Element userTaskElement, ScopeImpl scope, ActivityImpl activity) {
      if (activity.getActivityBehavior() instanceof UserTaskActivityBehavior behavior) {
        behavior.getTaskDefinition().addBuiltInTaskListener(TaskListener.EVENTNAME_CREATE,
            taskCreated);
      }
    }
  }

  private final class RecordingIncidentHandler extends DefaultIncidentHandler {

    RecordingIncidentHandler(String type) {
      super(type);
    }

    @Override
    public Incident handleIncident(IncidentContext context, String message) {
      Incident incident = super.handleIncident(context, message);
      if (incident != null && incident.getExecutionId() != null) {
        safely("step-failed", () -> {
          ExecutionEntity execution = Context.getCommandContext().getExecutionManager()
              .findExecutionById(incident.getExecutionId());
          if (execution != null) {
            ActivityImpl activity = execution.getProcessDefinition()
                .findActivity(incident.getActivityId());
            recorder.stepFailed(run(execution), incident.getActivityId(),
                activity == null ? null : activity.getName(), incident.getIncidentMessage());
          }
        });
      }
      return incident;
    }
  }

  private static CallbackRecorder.Run run(DelegateExecution execution) {
    ExecutionEntity entity = (ExecutionEntity) execution;
    ProcessDefinitionEntity definition = entity.getProcessDefinition();
    return new CallbackRecorder.Run(execution.getProcessInstanceId(),
        definition == null ? null : definition.getKey(),
        definition == null ? null : definition.getName(),
        execution.getProcessBusinessKey(),
        text(execution.getVariable(CallbackRecorder.TICKET_SYSTEM)),
        text(execution.getVariable(CallbackRecorder.TICKET_ID)),
        text(execution.getVariable(CallbackRecorder.TICKET_URL)));
  }

  private static List<String> candidateGroups(DelegateTask task) {
    return task.getCandidates().stream().map(IdentityLink::getGroupId)
        .filter(Objects::nonNull).distinct().sorted().toList();
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  private static void safely(String what, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.error("could not record the {} callback; the run goes on without it: {}", what,
          e.toString());
    }
  }
}
