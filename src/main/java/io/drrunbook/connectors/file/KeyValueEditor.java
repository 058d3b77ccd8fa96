package io.drrunbook.connectors.file;

import io.drrunbook.connectors.StepBusinessException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Edits one key of an ini file (in a {@code [section]}, or before the first section) or of a
 * properties file, line by line, leaving every other line as it is. A key line is
 * {@code key=value} (or {@code key = value}, {@code key: value}); a commented one starts with
 * {@code #} or {@code ;}.
 *
 * <ul>
 *   <li>{@code set}: the active line(s) get the value; with none, the first commented line becomes
 *       the active one; with neither, {@code key=value} is added at the end of the section.
 *   <li>{@code comment}: every active line gets {@code #} in front (none: nothing to do).
 *   <li>{@code uncomment}: with no active line, the first commented one loses its marker (none at
 *       all: DR_EDIT_TARGET_NOT_FOUND).
 * </ul>
 * A section that does not exist is DR_EDIT_TARGET_NOT_FOUND.
 */
final class KeyValueEditor {

  private static final Pattern SECTION = Pattern.compile("^\\s*\\[([^\\]]*)]\\s*$");

  private KeyValueEditor() {
  }

  static String apply(String text, String operation, String section, String key, String value) {
    Pattern keyLine = Pattern.compile("^(\\s*)([#;]\\s*)?(" + Pattern.quote(key) + ")(\\s*[=:]\\s*)(.*?)\\s*$");
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    int from = 0;
    int to = lines.size();
    if (section != null) {
      from = -1;
      for (int i = 0; i < lines.size(); i++) {
        Matcher header = SECTION.matcher(lines.get(i));
        if (header.matches()) {
          if (from >= 0) {
            to = i;
            break;
          }
          if (header.group(1).strip().equals(section)) {
            from = i + 1;
          }
        }
      }
      if (from < 0) {
        throw new StepBusinessException("DR_EDIT_TARGET_NOT_FOUND", "the file has no section ["
            + section + "]");
      }
    } else {
      for (int i = 0; i < lines.size(); i++) {
        if (SECTION.matcher(lines.get(i)).matches()) {
          to = i;
          break;
        }
      }
    }
    List<Integer> active = new ArrayList<>();
    List<Integer> commented = new ArrayList<>();
    for (int i = from; i < to; i++) {
      Matcher line = keyLine.matcher(lines.get(i));
      if (line.matches()) {
        (line.group(2) == null ? active : commented).add(i);
      }
    }
    switch (operation) {
      case "set" -> {
        if (!active.isEmpty()) {
          active.forEach(i -> lines.set(i, withValue(keyLine, lines.get(i), value)));
        } else if (!commented.isEmpty()) {
          int i = commented.get(0);
          lines.set(i, withValue(keyLine, uncommented(keyLine, lines.get(i)), value));
        } else {
          int at = to;
          while (at > from && lines.get(at - 1).isBlank()) {
            at--;
          }
          lines.add(at, key + "=" + value);
        }
      }
      case "comment" -> active.forEach(i -> lines.set(i, "#" + lines.get(i)));
      case "uncomment" -> {
        if (active.isEmpty()) {
          if (commented.isEmpty()) {
            throw new StepBusinessException("DR_EDIT_TARGET_NOT_FOUND", "the file has no line for "
                + key + (section == null ? "" : " in section [" + section + "]") + " to uncomment");
          }
          int i = commented.get(0);
          lines.set(i, uncommented(keyLine, lines.get(i)));
        }
      }
      default -> throw new IllegalArgumentException("operation '" + operation
          + "' is not one of set, comment, uncomment");
    }
    return String.join("\n", lines);
  }

  private static String withValue(Pattern keyLine, String line, String value) {
    Matcher m = keyLine.matcher(line);
    if (!m.matches()) {
      throw new IllegalStateException("not a key line: " + line);
    }
    return m.group(1) + (m.group(2) == null ? "" : m.group(2)) + m.group(3) + m.group(4) + value;
  }

  private static String uncommented(Pattern keyLine, String line) {
    Matcher m = keyLine.matcher(line);
    if (!m.matches()) {
      throw new IllegalStateException("not a key line: " + line);
    }
    return m.group(1) + m.group(3) + m.group(4) + m.group(5);
  }
}
