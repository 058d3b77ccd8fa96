package io.drrunbook.connectors.ssh;

import io.drrunbook.connectors.MissingStepInputException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills the {@code {name}} placeholders of a command template from a step's named arguments. In a
 * shell command line every value is single-quoted ({@code '} becomes {@code '\''}), so whatever a
 * value holds ({@code x; rm -rf /}, {@code $(id)}, back-ticks, new lines) reaches the remote shell
 * as exactly one literal argument. In a regular expression every value is {@link Pattern#quote
 * quoted}, so it matches only itself. A placeholder without a value is an
 * {@link IllegalArgumentException} that names it. A placeholder name starts with a letter, so
 * regex quantifiers such as {@code {2,3}} are left alone.
 */
public final class CommandTemplate {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_-]*)}");

  private CommandTemplate() {
  }

  /** The command line: each placeholder replaced by its single-quoted value. */
  public static String render(String template, Map<String, ?> values) {
    return substitute(template, values, CommandTemplate::shellQuote);
  }

  /** The regular expression: each placeholder replaced by {@code Pattern.quote(value)}. */
  public static String renderRegex(String template, Map<String, ?> values) {
    return substitute(template, values, Pattern::quote);
  }

  /** The text as is: each placeholder replaced by its value, unquoted (an answer sent over stdin). */
  public static String renderText(String template, Map<String, ?> values) {
    return substitute(template, values, UnaryOperator.identity());
  }

  /** The names of the placeholders of a template, in order of first appearance. */
  public static Set<String> placeholders(String template) {
    Set<String> names = new LinkedHashSet<>();
    Matcher matcher = PLACEHOLDER.matcher(template);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  /** A POSIX shell word that stands for exactly {@code value}: {@code it's} -> {@code 'it'\''s'}. */
  public static String shellQuote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  private static String substitute(String template, Map<String, ?> values,
      UnaryOperator<String> escape) {
    if (template == null) {
      throw new IllegalArgumentException("no template given");
    }
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 32);
    while (matcher.find()) {
      String name = matcher.group(1);
      Object value = values == null ? null : values.get(name);
      if (value == null) {
        throw new MissingStepInputException(name, "the template needs a value for {" + name
            + "} but the step has no input '" + name + "'");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(escape.apply(value.toString())));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
