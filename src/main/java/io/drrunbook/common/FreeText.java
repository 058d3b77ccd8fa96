package io.drrunbook.common;

import java.util.Optional;

/**
 * Text a person or a ticketing system types (a reason, a note, a parameter value): the one rule for
 * what it may contain, used by every API and form that takes such text.
 */
public final class FreeText {

  private FreeText() {}

  /** True when {@code text} holds no control, formatting, surrogate, private-use or unassigned character. */
  public static boolean plain(String text) {
    return text.codePoints().allMatch(c -> switch (Character.getType(c)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
          Character.UNASSIGNED -> false;
      default -> true;
    });
  }

  /**
   * What is wrong with a reason or note of at most {@code maxLength} characters (line breaks allowed),
   * as a problem of {@code field}; empty when it is fine. A missing text is fine here: whether it is
   * required is the caller's rule.
   */
  public static Optional<FieldProblem> problem(String field, String text, int maxLength) {
    if (text == null) {
      return Optional.empty();
    }
    if (text.length() > maxLength) {
      return Optional.of(new FieldProblem(field, "must be at most " + maxLength + " characters long"));
    }
    if (!plain(text.replaceAll("\\R", " "))) {
      return Optional.of(new FieldProblem(field, "must not contain control or formatting characters"));
    }
    return Optional.empty();
  }

  /** Throws a 400 naming {@code field} when {@link #problem} finds something wrong. */
  public static void check(String field, String text, int maxLength) {
    problem(field, text, maxLength).ifPresent(p -> {
      throw ApiException.invalid(p.field(), p.message());
    });
  }
}
