package io.drrunbook.approval;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.core.ProcedureCatalog;
import io.drrunbook.core.RunModes;
import io.drrunbook.engine.ListenerRefusal;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Engine configuration for manual decisions: the parse listener that attaches the four-eyes rule and
 * the decision record to user tasks ({@link ApprovalParseListener}), and a command interceptor that
 * lets a {@link ListenerRefusal} such as {@link FourEyesViolationException} leave the engine as
 * itself: the engine wraps whatever a listener throws in a plain {@code ProcessEngineException} (a
 * 500 over REST); unwrapped, a four-eyes violation is an {@code AuthorizationException}, a 403 with
 * the rule in the message.
 */
@Component
public class ApprovalEnginePlugin extends AbstractProcessEnginePlugin {

  private final DecisionRecord decisions;
  private final SecretMasker masker;
  private final RunModes modes;
  private final ObjectProvider<ProcedureCatalog> catalog;

  /** The catalog is looked up at the first task: it needs the engine this plugin configures. */
  public ApprovalEnginePlugin(DecisionRecord decisions, SecretMasker masker, RunModes modes,
      ObjectProvider<ProcedureCatalog> catalog) {
    this.catalog = catalog;
    this.modes = modes;
    this.decisions = decisions;
    this.masker = masker;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<BpmnParseListener> parseListeners = configuration.getCustomPostBPMNParseListeners() == null
        ? new ArrayList<>() : new ArrayList<>(configuration.getCustomPostBPMNParseListeners());
    parseListeners.add(new ApprovalParseListener(decisions, masker, modes, catalog::getObject));
    configuration.setCustomPostBPMNParseListeners(parseListeners);

    List<CommandInterceptor> interceptors = configuration.getCustomPreCommandInterceptorsTxRequired() == null
        ? new ArrayList<>() : new ArrayList<>(configuration.getCustomPreCommandInterceptorsTxRequired());
    interceptors.add(0, new UnwrapListenerRefusals());
    configuration.setCustomPreCommandInterceptorsTxRequired(interceptors);
  }

  static final class UnwrapListenerRefusals extends CommandInterceptor {
    @Override
    public <T> T execute(Command<T> command) {
      try {
        return next.execute(command);
      } catch (RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
          if (cause instanceof ListenerRefusal && cause instanceof RuntimeException refusal) {
            throw refusal;
          }
        }
        throw e;
      }
    }
  }
}
