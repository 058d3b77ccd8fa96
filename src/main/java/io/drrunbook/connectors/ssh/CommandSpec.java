package io.drrunbook.connectors.ssh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * One entry of the command catalog ({@code dr.commands.<key>}). Templates hold {@code {name}}
 * placeholders (see {@link CommandTemplate}).
 *
 * @param check read-only command whose output says whether the step is already done (optional)
 * @param checkDone regex; if the check exits 0 and its stdout matches, {@code run} is skipped
 * @param run the command that changes the system; absent for a verify-only command
 * @param verify read-only command run after {@code run} (or alone for a verify-only command)
 * @param verifyExpect regex the stdout of {@code verify} must match, else DR_VERIFY_FAILED
 * @param timeout time limit of each command of the step (default 60 s)
 * @param preconditionExitCodes exit codes of {@code run} that mean "a precondition is not met"
 *     (DR_PRECONDITION_FAILED) instead of a technical failure
 * @param prompts the prompts {@code run} asks on its standard input, in order, with their answers
 *     (see {@link PromptSpec}); none: {@code run} gets no input
 * @param promptTimeout how long each prompt may take to appear (default 30 s); a prompt that does
 *     not come in time, another prompt, or the command ending first raises DR_PROMPT_UNANSWERED
 */
public record CommandSpec(String check, String checkDone, String run, String verify,
    String verifyExpect, Duration timeout, List<Integer> preconditionExitCodes,
    List<PromptSpec> prompts, Duration promptTimeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_PROMPT_TIMEOUT = Duration.ofSeconds(30);

  /** An entry whose run asks nothing. */
  public CommandSpec(String check, String checkDone, String run, String verify,
      String verifyExpect, Duration timeout, List<Integer> preconditionExitCodes) {
    this(check, checkDone, run, verify, verifyExpect, timeout, preconditionExitCodes, null, null);
  }

  @ConstructorBinding
  public CommandSpec {
    check = blankToNull(check);
    checkDone = blankToNull(checkDone);
    run = blankToNull(run);
    verify = blankToNull(verify);
    verifyExpect = blankToNull(verifyExpect);
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    preconditionExitCodes = preconditionExitCodes == null ? List.of()
        : List.copyOf(preconditionExitCodes);
    prompts = prompts == null ? List.of() : List.copyOf(prompts);
    promptTimeout = promptTimeout == null ? DEFAULT_PROMPT_TIMEOUT : promptTimeout;
  }

  /** Whether {@code run} is a dialog: it asks on its standard input. */
  public boolean interactive() {
    return !prompts.isEmpty();
  }

  /** A verify-only command reads state and changes nothing. */
  public boolean verifyOnly() {
    return run == null;
  }

  /** What is wrong with this entry (empty if nothing), each problem naming the key. */
  public List<String> problems(String key) {
    List<String> problems = new ArrayList<>();
    String where = "dr.commands." + key;
    if (run == null && verify == null) {
      problems.add(where + " has neither run nor verify");
    }
    if (check != null && checkDone == null) {
      problems.add(where + " has a check but no check-done");
    }
    if (checkDone != null && check == null) {
      problems.add(where + " has a check-done but no check");
    }
    if (verify != null && verifyExpect == null) {
      problems.add(where + " has a verify but no verify-expect");
    }
    if (verifyExpect != null && verify == null) {
      problems.add(where + " has a verify-expect but no verify");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      problems.add(where + ".timeout must be positive, got " + timeout);
    }
    if (preconditionExitCodes.contains(0)) {
      problems.add(where + ".precondition-exit-codes must not contain 0");
    }
    if (!prompts.isEmpty() && run == null) {
      problems.add(where + " has prompts but no run");
    }
    if (promptTimeout.isNegative() || promptTimeout.isZero()) {
      problems.add(where + ".prompt-timeout must be positive, got " + promptTimeout);
    }
    for (int i = 0; i < prompts.size(); i++) {
      problems.addAll(prompts.get(i).problems(where + ".prompts[" + i + "]"));
    }
    checkRegex(problems, where + ".check-done", checkDone);
    checkRegex(problems, where + ".verify-expect", verifyExpect);
    return problems;
  }

  static void checkRegex(List<String> problems, String where, String template) {
    if (template == null) {
      return;
    }
    // fill every placeholder with a harmless value to see that the rest is a valid regex
    Map<String, String> sample = new HashMap<>();
    CommandTemplate.placeholders(template).forEach(name -> sample.put(name, "x"));
    try {
      Pattern.compile(CommandTemplate.renderRegex(template, sample));
    } catch (PatternSyntaxException e) {
      problems.add(where + " is not a valid regular expression: " + e.getDescription());
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
