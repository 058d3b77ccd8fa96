package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The lab shell's tokenizer: POSIX quoting in, one command out, operators refused. */
class LabShellTest {

  @Test
  void shouldKeepSingleQuotedTextLiterallyWhenItHoldsOperators() throws Exception {
    assertThat(LabShell.tokenize("genesys-ctl status 'x; rm -rf / $(id) `id` \"q\" \\n'"))
        .containsExactly("genesys-ctl", "status", "x; rm -rf / $(id) `id` \"q\" \\n");
  }

  @Test
  void shouldJoinQuotedPartsWhenTheyTouch() throws Exception {
    assertThat(LabShell.tokenize("echo 'it'\\''s' a\"b c\"d"))
        .containsExactly("echo", "it's", "ab cd");
  }

  @Test
  void shouldApplyBackslashEscapesWhenInsideDoubleQuotes() throws Exception {
    assertThat(LabShell.tokenize("echo \"a \\\"b\\\" \\\\ \\$x \\n\""))
        .containsExactly("echo", "a \"b\" \\ $x \\n");
  }

  @Test
  void shouldEscapeNextCharacterWhenBackslashIsOutsideQuotes() throws Exception {
    assertThat(LabShell.tokenize("echo a\\ b \\; \\|"))
        .containsExactly("echo", "a b", ";", "|");
  }

  @Test
  void shouldKeepEmptyArgumentWhenQuotesAreEmpty() throws Exception {
    assertThat(LabShell.tokenize("  getent   hosts ''  ")).containsExactly("getent", "hosts", "");
    assertThat(LabShell.tokenize("   ")).isEqualTo(List.of());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a;b", "a | b", "a & b", "a > b", "a < b", "a `b`", "a $(b)", "a \"$(b)\"",
      "a \"`b`\"", "a $HOME", "(a)", "a\nb"})
  void shouldRefuseLineWhenItHasUnquotedOperator(String line) {
    assertThatThrownBy(() -> LabShell.tokenize(line))
        .isInstanceOf(LabShell.SyntaxException.class)
        .hasMessage(LabShell.OPERATORS_MESSAGE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"echo 'abc", "echo \"abc", "echo \"abc\\\""})
  void shouldRefuseLineWhenQuoteIsUnterminated(String line) {
    assertThatThrownBy(() -> LabShell.tokenize(line))
        .isInstanceOf(LabShell.SyntaxException.class)
        .hasMessage("sh: 1: Syntax error: Unterminated quoted string");
  }
}
