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
 * Engine configuration: every deployed process gets a built-in start listener that hands the new
 * run to {@link PrecheckGate#runStarted} (its mode recorded; an execute run of a catalog procedure
 * held by a precheck). Built-in: a model cannot leave it out, and however a run is started (product
 * API, Tasklist start form, Cockpit, the engine's REST API) it passes here.
 */
@Component
public class PrecheckEnginePlugin extends AbstractProcessEnginePlugin {

  private final ObjectProvider<PrecheckGate> gate;

  /** The gate is looked up at the first start: it needs the engine this plugin configures. */
  public PrecheckEnginePlugin(ObjectProvider<PrecheckGate> gate) {
    this.gate = gate;
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
    configuration.setCustomPostBPMNParseListeners(parseListeners);
  }
}
