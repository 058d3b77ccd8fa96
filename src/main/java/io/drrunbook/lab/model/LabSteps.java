package io.drrunbook.lab.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Runs the steps of a model command or API call (see {@link LabModel.Step} for their parts and
 * order) against the lab through {@link Effects}, collecting what the command prints, the exit code,
 * the HTTP status and the counted action.
 */
public final class LabSteps {

  /** What steps may change in the lab. */
  public interface Effects {
    /** Sets a component's state (attribute null) or one of its attributes. */
    void set(String host, String component, String attribute, Object value);
  }

  /**
   * The command's terminal: a {@code prompt} step sends what was printed so far and waits for the
   * answer. A command without one (an HTTP call) reads end of input.
   */
  public interface Input {
    /** Sends {@code output} (printed since the last read) and returns the next input line, or null at its end. */
    String readLine(String output);

    Input NONE = output -> null;
  }

  /** What a run produced. */
  public static final class Outcome {
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();
    private Integer exitCode;
    private Integer status;
    private String counted;
    private String delay;
    private int sent;
    private Input input = Input.NONE;

    public String stdout() { return stdout.toString(); }
    /** What was printed and not yet sent to the terminal by a prompt. */
    public String unsent() { return stdout.substring(sent); }
    public String stderr() { return stderr.toString(); }
    public int exitCode() { return exitCode == null ? 0 : exitCode; }
    /** The HTTP status a step set, or null. */
    public Integer status() { return status; }
    /** The state-changing action the command was, or null for a read or a refused command. */
    public String counted() { return counted; }
    /** The name of the configured delay to spend after the answer is recorded, or null. */
    public String delay() { return delay; }

    public void fail(int code, String message) {
      stderr.append(line(message));
      exitCode = code;
    }

    boolean ended() {
      return exitCode != null;
    }
  }

  private final LabExpressions expressions;
  private final Effects effects;

  public LabSteps(LabExpressions expressions, Effects effects) {
    this.expressions = expressions;
    this.effects = effects;
  }

  /** Runs the steps; a {@link LabCommandException} ends the run with exit 1 and "program: message". */
  public Outcome run(String program, List<LabModel.Step> steps, LabScope scope) {
    return run(program, steps, scope, Input.NONE);
  }

  /** Runs the steps of a command that may ask on {@code input}. */
  public Outcome run(String program, List<LabModel.Step> steps, LabScope scope, Input input) {
    Outcome outcome = new Outcome();
    outcome.input = input;
    try {
      runAll(steps, scope, outcome);
    } catch (LabCommandException e) {
      outcome.fail(1, program + ": " + e.getMessage());
    }
    return outcome;
  }

  private void runAll(List<LabModel.Step> steps, LabScope scope, Outcome outcome) {
    for (LabModel.Step step : steps) {
      if (outcome.ended()) {
        return;
      }
      if (step.each() != null) {
        Object items = expressions.value(step.each(), scope);
        for (Object item : asList(items)) {
          runOne(step, scope.with(step.as() == null ? "it" : step.as(), item), outcome);
          if (outcome.ended()) {
            return;
          }
        }
      } else {
        runOne(step, scope, outcome);
      }
    }
  }

  private void runOne(LabModel.Step step, LabScope scope, Outcome outcome) {
    if (!expressions.holds(step.when(), scope)) {
      return;
    }
    for (Map.Entry<String, Object> let : step.let().entrySet()) {
      // a let is visible to the following steps of the same list (the scope is shared)
      scope.put(let.getKey(), expressions.value(let.getValue(), scope));
    }
    if (step.prompt() != null) {
      outcome.stdout.append(expressions.text(step.prompt(), scope));
    }
    if (step.read() != null) {
      String output = outcome.unsent();
      outcome.sent = outcome.stdout.length();
      scope.put(step.read(), outcome.input.readLine(output));
    }
    for (Map.Entry<String, Object> set : step.set().entrySet()) {
      Target target = Target.parse(expressions.text(set.getKey(), scope), scope.getHost());
      effects.set(target.host(), target.component(), target.attribute(), expressions.value(set.getValue(), scope));
    }
    if (step.count() != null) {
      outcome.counted = expressions.text(step.count(), scope);
    }
    if (step.print() != null) {
      outcome.stdout.append(line(expressions.text(step.print(), scope)));
    }
    if (step.stderr() != null) {
      outcome.stderr.append(line(expressions.text(step.stderr(), scope)));
    }
    if (step.delay() != null) {
      outcome.delay = step.delay();
    }
    if (step.status() != null) {
      outcome.status = Integer.valueOf(String.valueOf(expressions.value(step.status(), scope)));
    }
    if (!step.steps().isEmpty()) {
      runAll(step.steps(), scope, outcome);
    }
    if (step.fail() != null && !outcome.ended()) {
      throw new LabCommandException(expressions.text(step.fail(), scope));
    }
    if (step.exit() != null && !outcome.ended()) {
      outcome.exitCode = step.exit();
    }
  }

  private static List<?> asList(Object items) {
    if (items == null) {
      return List.of();
    }
    if (items instanceof Collection<?> collection) {
      return new ArrayList<>(collection);
    }
    if (items instanceof Object[] array) {
      return List.of(array);
    }
    return List.of(items);
  }

  private static String line(String text) {
    return text.isEmpty() || text.endsWith("\n") ? text : text + "\n";
  }

  /** A set key: {@code component}, {@code component.attribute}, or with {@code host/} in front. */
  record Target(String host, String component, String attribute) {
    static Target parse(String key, String defaultHost) {
      String host = defaultHost;
      String rest = key;
      int slash = key.indexOf('/');
      if (slash >= 0) {
        host = key.substring(0, slash);
        rest = key.substring(slash + 1);
      }
      int dot = rest.indexOf('.');
      String component = dot < 0 ? rest : rest.substring(0, dot);
      String attribute = dot < 0 ? null : rest.substring(dot + 1);
      if (component.isEmpty() || (attribute != null && attribute.isEmpty())) {
        throw new LabModelException("set key '" + key + "' is not component, component.attribute or host/component");
      }
      if ("state".equals(attribute)) {
        attribute = null;
      }
      return new Target(host, component, attribute);
    }
  }
}
