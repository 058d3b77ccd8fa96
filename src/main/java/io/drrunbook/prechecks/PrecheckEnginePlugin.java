package io.drrunbook.prechecks;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Engine configuration: every deployed process gets a built-in start listener that first sets the
 * business key of a run started from a start form from its ticket ({@link TicketStart}), then hands the new
 * run to {@link PrecheckGate#runStarted} (its mode recorded; an execute run of a catalog procedure
 * held by a precheck). Built-in: a model cannot leave it out, and however a run is started (product
 * API, Tasklist start form, Cockpit, the engine's REST API) it passes here.
 */
@Component
public class PrecheckEnginePlugin extends AbstractProcessEnginePlugin {

  private final ObjectProvider<PrecheckGate> gate;
  private final ObjectProvider<TicketStart> tickets;

  /** The gate is looked up at the first start: it needs the engine this plugin configures. */
  public PrecheckEnginePlugin(ObjectProvider<PrecheckGate> gate, ObjectProvider<TicketStart> tickets) {
    this.gate = gate;
    this.tickets = tickets;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<BpmnParseListener> parseListeners = configuration.getCustomPostBPMNParseListeners() == null
        ? new ArrayList<>() : new ArrayList<>(configuration.getCustomPostBPMNParseListeners());
    parseListeners.add(new AbstractBpmnParseListener() {
      @Override
      public void parseProcess(Element processElement, ProcessDefinitionEntity processDefinition) {
        String procedureId = processDefinition.getKey();
        ExecutionListener started = run -> gate.getObject().runStarted(run, procedureId);
        processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_START, started);
      }
    });
    // first of all built-in start listeners: the others (conflicts, callbacks, the precheck walk)
    // read the business key it sets from a start form's ticket
    parseListeners.add(0, new AbstractBpmnParseListener() {
      @Override
      public void parseProcess(Element processElement, ProcessDefinitionEntity processDefinition) {
        String procedureId = processDefinition.getKey();
        ExecutionListener ticket = run -> tickets.getObject().runStarted(run, procedureId);
        processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_START, ticket);
      }
    });
    configuration.setCustomPostBPMNParseListeners(parseListeners);
  }
}
