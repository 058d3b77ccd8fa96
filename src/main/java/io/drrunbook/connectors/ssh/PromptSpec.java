package io.drrunbook.connectors.ssh;

import java.util.ArrayList;
import java.util.List;

/**
 * One prompt a catalog command asks on its standard input, and its answer (an entry of
 * {@code dr.commands.<key>.prompts}). The prompts of an entry come in the order they are listed.
 *
 * @param expect regex (Java syntax; {@code {name}} placeholders match their value literally)
 *     searched in the output that follows the previous answer; when it appears, the answer is sent
 * @param answer the answer as a template: {@code {name}} placeholders are filled with the step's
 *     inputs as they are (no shell quoting: the text goes over stdin, not to a shell); a value with a
 *     line break is refused (it would answer two prompts)
 * @param secret instead of {@code answer}: the name of a secret of the host in the topology
 *     ({@code dr.topology.sites.<site>.hosts.<host>.secrets.<name>}, a reference {@code env:} or
 *     {@code file:}), read only when the prompt appears and shown as {@code ****} everywhere
 */
public record PromptSpec(String expect, String answer, String secret) {

  public PromptSpec {
    expect = blankToNull(expect);
    answer = answer == null || answer.isEmpty() ? null : answer;
    secret = blankToNull(secret);
  }

  /** What is wrong with this prompt (empty if nothing), naming where it is. */
  List<String> problems(String where) {
    List<String> problems = new ArrayList<>();
    if (expect == null) {
      problems.add(where + " has no expect");
    } else {
      CommandSpec.checkRegex(problems, where + ".expect", expect);
    }
    if ((answer == null) == (secret == null)) {
      problems.add(where + " needs exactly one of answer and secret");
    }
    return problems;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
