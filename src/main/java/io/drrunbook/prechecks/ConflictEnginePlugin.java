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
 * Engine configuration: every deployed process gets a built-in start listener that hands the new run
 * to {@link ConflictGate#runStarted} (its systems claimed, or the start refused) and a built-in end
 * listener that frees them ({@link ConflictGate#runEnded}). Built-in: a model cannot leave them out,
 * they run however a run is started, and a cancel that skips custom listeners still runs them.
 */
@Component
public class ConflictEnginePlugin extends AbstractProcessEnginePlugin {

  private final ObjectProvider<ConflictGate> gate;

  /** The gate is looked up at the first start: it needs the engine this plugin configures. */
  public ConflictEnginePlugin(ObjectProvider<ConflictGate> gate) {
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
        ExecutionListener ended = run -> gate.getObject().runEnded(run);
        processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_START, started);
        processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_END, ended);
      }
    });
    configuration.setCustomPostBPMNParseListeners(parseListeners);
  }
}
