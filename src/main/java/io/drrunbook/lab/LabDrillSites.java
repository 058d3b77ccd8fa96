package io.drrunbook.lab;

import io.drrunbook.core.RunMode;
import io.drrunbook.core.RunVariables;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.model.bpmn.instance.FlowElement;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.StartEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A drill is as real as the lab can make it: when a drill run of a procedure starts, the site its
 * scenario loses ({@code dr.lab.drills.<process id>.loses-site}) goes down in the lab, as the disaster
 * would take it, and a failback's drill brings its site back first ({@code restores-site}); with
 * {@code when}, only a run whose variable of that name is true (A1's {@code site1Lost}). Done
 * after the start is committed (a refused start loses nothing), before the request that started the
 * run returns; the run's own steps then meet the lost site as they would on the day. On a node of a
 * lab that runs in a process of its own (profile {@code lab-node}) the sites change in that lab,
 * through its API ({@link RemoteLabSites}).
 */
@Component
@Profile({"lab", "lab-node"})
public class LabDrillSites {

  private static final Logger log = LoggerFactory.getLogger(LabDrillSites.class);

  private final LabProperties properties;
  private final LabSiteSwitch sites;

  public LabDrillSites(LabProperties properties, LabSiteSwitch sites) {
    this.properties = properties;
    this.sites = sites;
  }

  /** The Camunda starter publishes every execution event; a run's start event is the one. */
  @EventListener
  public void onExecution(DelegateExecution execution) {
    if (!ExecutionListener.EVENTNAME_START.equals(execution.getEventName())
        || !execution.getId().equals(execution.getProcessInstanceId())) {
      return;
    }
    String procedure = procedureOf(execution);
    LabProperties.Drill drill = procedure == null ? null : properties.getDrills().get(procedure);
    if (drill == null || !(execution.getBpmnModelElementInstance() instanceof StartEvent start)
        || !(start.getParentElement() instanceof Process)
        || !RunMode.DRILL.id().equals(execution.getVariable(RunVariables.RUN_MODE))
        || (drill.getWhen() != null && !"true".equals(String.valueOf(execution.getVariable(drill.getWhen()))))) {
      return;
    }
    String run = execution.getProcessInstanceId();
    Runnable scenario = () -> apply(drill, procedure, run);
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          scenario.run();
        }
      });
    } else {
      scenario.run();
    }
  }

  private void apply(LabProperties.Drill drill, String procedure, String run) {
    try {
      if (drill.getRestoresSite() != null && sites.up(drill.getRestoresSite())) {
        log.info("drill {} of {}: lab site {} brought back before the failback", run, procedure,
            drill.getRestoresSite());
      }
      if (drill.getLosesSite() != null) {
        sites.down(drill.getLosesSite(), "drill " + procedure + " run " + run);
      }
    } catch (RuntimeException e) {
      log.error("drill {} of {}: the lab could not change its sites as the drill's scenario says", run,
          procedure, e);
    }
  }

  private static String procedureOf(DelegateExecution execution) {
    FlowElement element = execution.getBpmnModelElementInstance();
    if (element == null) {
      return null;
    }
    String definition = execution.getProcessDefinitionId();
    int colon = definition == null ? -1 : definition.indexOf(':');
    return colon < 0 ? definition : definition.substring(0, colon);
  }
}
