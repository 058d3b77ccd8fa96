package io.drrunbook.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Deployment is a release: a BPMN model that contains a script (a script task, a script execution
 * or task listener, a script input/output parameter, a condition in a script language) is refused
 * at deployment, whoever deploys it and however, unless {@code dr.deployments.allow-scripts} is on.
 * A script runs as the server's own user with all its rights; the product's models have none (a
 * step is an external task of the step worker, a condition a JUEL expression, which is no script).
 */
@Component
public class ScriptPolicyPlugin extends AbstractProcessEnginePlugin {

  private final boolean allowScripts;

  public ScriptPolicyPlugin(@Value("${dr.deployments.allow-scripts:false}") boolean allowScripts) {
    this.allowScripts = allowScripts;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    if (allowScripts) {
      return;
    }
    List<BpmnParseListener> listeners = configuration.getCustomPreBPMNParseListeners() == null
        ? new ArrayList<>() : new ArrayList<>(configuration.getCustomPreBPMNParseListeners());
    listeners.add(new RefuseScripts());
    configuration.setCustomPreBPMNParseListeners(listeners);
  }

  /** The first script in a model's XML, as "element at line n", if any. */
  static Optional<String> firstScript(Element element) {
    String tag = element.getTagName();
    String language = element.attribute("language");
    if ("scriptTask".equals(tag) || "script".equals(tag)
        || (language != null && !language.isBlank())) {
      String id = element.attribute("id");
      return Optional.of(tag + (id == null ? "" : " " + id) + " at line " + element.getLine());
    }
    for (Element child : element.elements()) {
      Optional<String> script = firstScript(child);
      if (script.isPresent()) {
        return script;
      }
    }
    return Optional.empty();
  }

  static final class RefuseScripts extends AbstractBpmnParseListener {
    @Override
    public void parseRootElement(Element rootElement, List<ProcessDefinitionEntity> processDefinitions) {
      firstScript(rootElement).ifPresent(script -> {
        throw new ScriptsRefusedException("Deployment refused: the model contains a script (" + script
            + "); scripts run as the server's user and are not accepted (dr.deployments.allow-scripts)");
      });
    }
  }
}
