package io.drrunbook.connectors.ssh;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.ActionLeases;
import io.drrunbook.connectors.ActionLocks;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepInputs;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.StepPlanner;
import io.drrunbook.connectors.TargetKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The bean behind route {@code ssh-exec} (connectors/ssh-exec.camel.yaml), used by every service
 * task whose {@code route} input is {@code ssh-exec}: runs one entry of the {@link CommandCatalog}
 * on one host of the topology as check -> act -> verify.
 *
 * <p>Inputs: {@code host} (logical name), {@code command} (catalog key), optional
 * {@code timeoutSeconds} (per command; default the entry's timeout); every other input fills the
 * template placeholder of the same name. Result: {@code host}, {@code command}, {@code commandLine}
 * (the run line, or the verify line of a verify-only command), {@code exitCode}, {@code stdout},
 * {@code stderr} (each at most {@value #MAX_TEXT} characters), {@code changed}, {@code durationMs}.
 * A precondition exit code raises DR_PRECONDITION_FAILED, a verification that does not match raises
 * DR_VERIFY_FAILED; any other non-zero exit, a timeout or a connection problem is technical.
 *
 * <p>An entry with {@code prompts} (an interactive act, e.g. seed 003's replication scripts) is
 * answered over the session's standard input by a {@link PromptDialog}: answers from the step's
 * inputs, or a secret of the host read from the topology when its prompt appears; the result's
 * stdout is the transcript with secrets as ****. A dialog that goes otherwise raises
 * DR_PROMPT_UNANSWERED with the transcript. The plan names each prompt's answer, a secret by name.
 */
@Component("sshExec")
public class SshExecConnector implements StepPlanner {

  public static final int MAX_TEXT = 4000;
  static final int MAX_STDERR_IN_MESSAGE = 1000;
  private static final String TRUNCATED = "\n[truncated]";

  private static final Logger log = LoggerFactory.getLogger(SshExecConnector.class);

  private final CommandCatalog catalog;
  private final SshCommandRunner runner;
  private final SecretMasker masker;
  private final ActionLocks actions;

  /** Without leases across nodes: a connector of one process (connector tests). */
  public SshExecConnector(CommandCatalog catalog, SshCommandRunner runner, SecretMasker masker) {
    this(catalog, runner, masker, ActionLeases.NONE);
  }

  @Autowired
  public SshExecConnector(CommandCatalog catalog, SshCommandRunner runner, SecretMasker masker,
      ActionLeases leases) {
    this.catalog = catalog;
    this.runner = runner;
    this.masker = masker;
    this.actions = new ActionLocks(leases);
  }

  public Map<String, Object> execute(Map<String, Object> body) {
    StepInputs inputs = new StepInputs(body);
    String host = inputs.required("host");
    String key = inputs.required("command");
    CommandSpec spec = catalog.command(key);
    Map<String, Object> args = inputs.arguments("host", "command");
    Duration limit = inputs.timeout(spec.timeout());
    log.debug("ssh-exec {} on {} (idempotency key {})", key, host, inputs.idempotencyKey());
    long started = System.nanoTime();

    if (spec.verifyOnly()) {
      String verifyLine = CommandTemplate.render(spec.verify(), args);
      CommandResult verified = runner.run(host, key + " (verify)", verifyLine, limit);
      Map<String, Object> result = result(host, key, verifyLine, verified, false, started);
      requireExpected(spec, args, host, key, verified, result);
      return result;
    }

    String runLine = CommandTemplate.render(spec.run(), args);
    // the same action on the same host by two overlapping runs, on this node or another: one after
    // the other (ActionLocks); only the check and the act need the lock
    Checked checked = actions.exclusively(host + '\n' + runLine, host + " " + key,
        () -> checkAndAct(host, key, spec, args, runLine, limit, started));
    if (checked.result() != null) {
      return checked.result();
    }
    log.info("ssh-exec {} on {}: already done, run skipped", key, host);
    // the check already proved the target state; a different verify command still runs (read-only:
    // after the lock, so that overlapping runs that find the action done wait only for checks)
    String verifyLine = spec.verify() == null ? null : CommandTemplate.render(spec.verify(), args);
    if (verifyLine != null && !verifyLine.equals(checked.checkLine())) {
      CommandResult verified = runner.run(host, key + " (verify)", verifyLine, limit);
      requireExpected(spec, args, host, key, verified,
          result(host, key, verifyLine, verified, false, started));
    }
    return result(host, key, runLine, checked.done(), false, started);
  }

  /**
   * What the check and act under the action's lock came to: the step's result once it acted and
   * verified, or ({@code result} null) the check that found the action already done.
   */
  private record Checked(Map<String, Object> result, String checkLine, CommandResult done) {
  }

  private Checked checkAndAct(String host, String key, CommandSpec spec,
      Map<String, Object> args, String runLine, Duration limit, long started) {
    if (spec.check() != null) {
      String checkLine = CommandTemplate.render(spec.check(), args);
      CommandResult checked = runner.run(host, key + " (check)", checkLine, limit);
      if (checked.exitCode() == 0 && matches(spec.checkDone(), args, checked.stdout())) {
        return new Checked(null, checkLine, checked);
      }
    }

    CommandResult ran = act(host, key, spec, args, runLine, limit, started);
    if (ran.exitCode() != 0) {
      if (spec.preconditionExitCodes().contains(ran.exitCode())) {
        throw new StepBusinessException("DR_PRECONDITION_FAILED", "command '" + key + "' on "
            + host + " reports a precondition not met (exit " + ran.exitCode() + ")"
            + stderrSuffix(ran), result(host, key, runLine, ran, false, started));
      }
      throw new SshCommandFailedException("command '" + key + "' on " + host + " failed with exit "
          + ran.exitCode() + stderrSuffix(ran), ran.exitCode());
    }

    Map<String, Object> result = result(host, key, runLine, ran, true, started);
    if (spec.verify() != null) {
      String verifyLine = CommandTemplate.render(spec.verify(), args);
      CommandResult verified = runner.run(host, key + " (verify)", verifyLine, limit);
      requireExpected(spec, args, host, key, verified,
          result(host, key, verifyLine, verified, true, started));
      result.put("durationMs", elapsedMillis(started));
    }
    return new Checked(result, null, null);
  }

  /** Runs the act; an interactive entry answers its prompts over stdin (secrets read only now). */
  private CommandResult act(String host, String key, CommandSpec spec, Map<String, Object> args,
      String runLine, Duration limit, long started) {
    if (!spec.interactive()) {
      return runner.run(host, key, runLine, limit);
    }
    List<PromptDialog.Step> steps = new ArrayList<>();
    for (PromptSpec prompt : spec.prompts()) {
      String expect = CommandTemplate.renderRegex(prompt.expect(), args);
      steps.add(new PromptDialog.Step(Pattern.compile(expect), prompt.expect(),
          prompt.secret() != null ? () -> runner.hostSecret(host, prompt.secret())
              : () -> CommandTemplate.renderText(prompt.answer(), args),
          prompt.secret() != null));
    }
    try {
      return runner.run(host, key, runLine, limit, new PromptDialog(steps, spec.promptTimeout()));
    } catch (SshPromptException e) {
      Map<String, Object> result = result(host, key, runLine,
          new CommandResult(-1, masker.mask(e.transcript()), masker.mask(e.stderr()), Duration.ZERO),
          false, started);
      throw new StepBusinessException("DR_PROMPT_UNANSWERED", masker.mask(e.getMessage())
          + "; the command was stopped. Transcript:\n"
          + bound(masker.mask(e.transcript()), MAX_STDERR_IN_MESSAGE), result);
    }
  }

  @Override
  public Set<String> plannedRoutes() {
    return Set.of("ssh-exec");
  }

  /**
   * The command lines the step would send, rendered and quoted exactly as {@link #execute} would
   * send them, in their order: check, run, verify. Nothing is contacted.
   */
  @Override
  public StepPlan plan(String route, Map<String, Object> body) {
    StepInputs inputs = new StepInputs(body);
    String host = inputs.required("host");
    String key = inputs.required("command");
    CommandSpec spec = catalog.command(key);
    Map<String, Object> args = inputs.arguments("host", "command");
    String on = "ssh " + runner.destination(host) + " [" + key + "] ";
    List<String> actions = new ArrayList<>();
    if (spec.check() != null && !spec.verifyOnly()) {
      actions.add(on + "check: " + CommandTemplate.render(spec.check(), args)
          + (spec.checkDone() == null ? ""
              : "   (run skipped when its output matches /" + CommandTemplate.renderRegex(spec.checkDone(), args) + "/)"));
    }
    String line = spec.verifyOnly() ? CommandTemplate.render(spec.verify(), args)
        : CommandTemplate.render(spec.run(), args);
    if (!spec.verifyOnly()) {
      actions.add(on + "run: " + line + answers(spec, args));
    }
    if (spec.verify() != null) {
      actions.add(on + "verify: " + CommandTemplate.render(spec.verify(), args)
          + (spec.verifyExpect() == null ? ""
              : "   (output must match /" + CommandTemplate.renderRegex(spec.verifyExpect(), args) + "/)"));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("host", host);
    result.put("command", key);
    result.put("commandLine", bound(line, MAX_TEXT));
    result.put("exitCode", 0);
    result.put("stdout", "");
    result.put("stderr", "");
    result.put("changed", !spec.verifyOnly());
    result.put("durationMs", 0L);
    return new StepPlan(actions, List.of(new StepPlan.Target(TargetKind.HOST, host)), result);
  }

  /** The dialog as a plan shows it: each prompt and its answer, a secret by its name only. */
  private static String answers(CommandSpec spec, Map<String, Object> args) {
    if (!spec.interactive()) {
      return "";
    }
    StringBuilder text = new StringBuilder("   (answers over stdin:");
    for (PromptSpec prompt : spec.prompts()) {
      text.append(" /").append(CommandTemplate.renderRegex(prompt.expect(), args)).append("/ -> ")
          .append(prompt.secret() != null ? "secret " + prompt.secret() + " of the host"
              : "'" + CommandTemplate.renderText(prompt.answer(), args) + "'")
          .append(';');
    }
    text.setLength(text.length() - 1);
    return text.append(")").toString();
  }

  private void requireExpected(CommandSpec spec, Map<String, Object> args, String host,
      String key, CommandResult verified, Map<String, Object> verifyResult) {
    if (verified.exitCode() == 0 && matches(spec.verifyExpect(), args, verified.stdout())) {
      return;
    }
    String expectation = CommandTemplate.renderRegex(spec.verifyExpect(), args);
    throw new StepBusinessException("DR_VERIFY_FAILED", "verification of '" + key + "' on " + host
        + " failed: its output does not match " + expectation + " (exit " + verified.exitCode()
        + ", stdout: " + bound(masker.mask(verified.stdout()), MAX_STDERR_IN_MESSAGE) + ")",
        verifyResult);
  }

  private static boolean matches(String regexTemplate, Map<String, Object> args, String stdout) {
    return Pattern.compile(CommandTemplate.renderRegex(regexTemplate, args)).matcher(stdout).find();
  }

  private Map<String, Object> result(String host, String key, String commandLine,
      CommandResult outcome, boolean changed, long started) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("host", host);
    result.put("command", key);
    result.put("commandLine", bound(commandLine, MAX_TEXT));
    result.put("exitCode", outcome.exitCode());
    result.put("stdout", bound(outcome.stdout(), MAX_TEXT));
    result.put("stderr", bound(outcome.stderr(), MAX_TEXT));
    result.put("changed", changed);
    result.put("durationMs", elapsedMillis(started));
    return result;
  }

  private String stderrSuffix(CommandResult outcome) {
    String stderr = outcome.stderr().strip();
    return stderr.isEmpty() ? "" : ": " + bound(masker.mask(stderr), MAX_STDERR_IN_MESSAGE);
  }

  private static long elapsedMillis(long started) {
    return Duration.ofNanos(System.nanoTime() - started).toMillis();
  }

  static String bound(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    return text.substring(0, max - TRUNCATED.length()) + TRUNCATED;
  }
}
