package io.drrunbook.lab;

import io.drrunbook.lab.model.LabModel;
import io.drrunbook.lab.model.LabModelException;
import io.drrunbook.lab.model.LabModels;
import io.drrunbook.lab.model.LabScope;
import io.drrunbook.lab.model.LabSteps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The lab's tiny shell: what a simulated host does with an SSH exec command line. It splits the line
 * with POSIX quoting, refuses shell operators, and runs only the commands its role's model declares
 * ({@link LabModels}; the model files under {@code lab/models/} say what each command accepts, prints
 * and changes); anything else is {@code not found} (exit 127), as dash would say, so a typo in a
 * procedure cannot pass in the lab.
 *
 * <p>Every command is recorded in the host's command log with its exit code and, for a
 * state-changing action (a model step's {@code count}), counted per action. A configured delay
 * ({@code dr.lab.command-delays}, by the name a model step's {@code delay} gives) is spent after the
 * command and its state change are on record, as a real start is already under way while its script
 * still runs.
 */
@Component
@Profile("lab")
public class LabShell {

  /** What a command printed and returned. */
  public record Result(int exitCode, String stdout, String stderr) {
    static Result error(int exitCode, String stderr) {
      return new Result(exitCode, "", stderr);
    }
  }

  /** A command line the shell cannot split (operators, unterminated quotes): exit 2 with this message. */
  static final class SyntaxException extends Exception {
    SyntaxException(String message) {
      super(message);
    }
  }

  static final String OPERATORS_MESSAGE = "lab shell: operators are not supported";

  private static final Logger log = LoggerFactory.getLogger(LabShell.class);

  private final LabState state;
  private final LabProperties properties;
  private final LabModels models;
  private final LabSteps steps;

  public LabShell(LabState state, LabProperties properties) {
    this.state = state;
    this.properties = properties;
    this.models = state.models();
    this.steps = new LabSteps(models.expressions(), state);
  }

  /** Runs one exec command line on a simulated host and records it; the command reads no input. */
  public Result execute(String host, String commandLine) {
    return execute(host, commandLine, LabSteps.Input.NONE);
  }

  /**
   * Runs one exec command line whose model may ask on {@code input} ({@code prompt}/{@code read}
   * steps) and records it. The result's stdout is everything the command printed, prompts included.
   */
  public Result execute(String host, String commandLine, LabSteps.Input input) {
    String role = state.role(host);
    Result result;
    String counted = null;
    String delay = null;
    try {
      List<String> words = tokenize(commandLine);
      if (words.isEmpty()) {
        result = new Result(0, "", "");
      } else {
        LabSteps.Outcome outcome = run(host, role, words, input);
        result = new Result(outcome.exitCode(), outcome.stdout(), outcome.stderr());
        counted = outcome.counted();
        delay = outcome.delay();
      }
    } catch (SyntaxException e) {
      result = Result.error(2, e.getMessage() + "\n");
    } catch (LabModelException e) {
      log.warn("lab model error on {} running [{}]: {}", host, commandLine, e.getMessage());
      result = Result.error(70, "lab model error: " + e.getMessage() + "\n");
    }
    state.recordCommand(host, commandLine, result.exitCode(), counted);
    log.debug("lab {} ran [{}] -> {}", host, commandLine, result.exitCode());
    sleep(delay);
    return result;
  }

  private LabSteps.Outcome run(String host, String role, List<String> words, LabSteps.Input input) {
    String program = words.get(0);
    Optional<LabModel.Command> command = models.command(role, program);
    LabSteps.Outcome outcome;
    if (command.isEmpty()) {
      outcome = new LabSteps.Outcome();
      outcome.fail(127, "sh: 1: " + program + ": not found");
      return outcome;
    }
    List<String> args = words.subList(1, words.size());
    for (LabModel.Form form : command.get().forms()) {
      Optional<Map<String, Object>> variables = LabModels.match(form.args(), args);
      if (variables.isPresent()) {
        return steps.run(command.get().name(), form.steps(), new LabScope(state, host, variables.get()), input);
      }
    }
    outcome = new LabSteps.Outcome();
    String usage = command.get().usage() != null ? command.get().usage() : "usage: " + command.get().name();
    outcome.fail(command.get().usageExit() != null ? command.get().usageExit() : 2, usage);
    return outcome;
  }

  /** Spends the configured delay of a slow command (none configured: returns at once). */
  private void sleep(String name) {
    Duration delay = name == null ? null : properties.getCommandDelays().get(name);
    if (delay == null || delay.isZero() || delay.isNegative()) {
      return;
    }
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- tokenizer

  /**
   * Splits a command line into words like a POSIX shell: single quotes keep everything literally,
   * double quotes keep everything but {@code \\ \" \$ \`} escapes, a backslash outside quotes escapes
   * the next character. Unquoted operators ({@code ; | & > < ( ) `}, new line) and any {@code $}
   * expansion outside single quotes are refused: the lab runs one command, never a pipeline.
   */
  static List<String> tokenize(String line) throws SyntaxException {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '\'') {
        int close = line.indexOf('\'', i + 1);
        if (close < 0) {
          throw new SyntaxException("sh: 1: Syntax error: Unterminated quoted string");
        }
        word.append(line, i + 1, close);
        inWord = true;
        i = close + 1;
      } else if (c == '"') {
        i = doubleQuoted(line, i + 1, word);
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 < line.length()) {
          char next = line.charAt(i + 1);
          if (next != '\n') {
            word.append(next);
            inWord = true;
          }
          i += 2;
        } else {
          word.append(c);
          inWord = true;
          i++;
        }
      } else if (c == ' ' || c == '\t') {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        i++;
      } else if (";|&<>()`$\n\r".indexOf(c) >= 0) {
        throw new SyntaxException(OPERATORS_MESSAGE);
      } else {
        word.append(c);
        inWord = true;
        i++;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  /** Reads a double-quoted part starting after its opening quote; returns the index after the closing quote. */
  private static int doubleQuoted(String line, int start, StringBuilder word) throws SyntaxException {
    int i = start;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c == '\\' && i + 1 < line.length() && "$`\"\\\n".indexOf(line.charAt(i + 1)) >= 0) {
        if (line.charAt(i + 1) != '\n') {
          word.append(line.charAt(i + 1));
        }
        i += 2;
      } else if (c == '$' || c == '`') {
        throw new SyntaxException(OPERATORS_MESSAGE);
      } else {
        word.append(c);
        i++;
      }
    }
    throw new SyntaxException("sh: 1: Syntax error: Unterminated quoted string");
  }
}
