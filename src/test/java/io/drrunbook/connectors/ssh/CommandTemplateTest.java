package io.drrunbook.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandTemplateTest {

  @Test
  void shouldSingleQuoteEveryValueWhenRenderingACommandLine() {
    String line = CommandTemplate.render("/opt/dr/bin/dr-replication stop {direction}",
        Map.of("direction", "site1-to-site2"));

    assertThat(line).isEqualTo("/opt/dr/bin/dr-replication stop 'site1-to-site2'");
  }

  @Test
  void shouldEscapeSingleQuotesWhenTheValueContainsOne() {
    assertThat(CommandTemplate.render("echo {v}", Map.of("v", "it's")))
        .isEqualTo("echo 'it'\\''s'");
  }

  @Test
  void shouldRejectTheTemplateWhenAPlaceholderHasNoValue() {
    assertThatThrownBy(() -> CommandTemplate.render("genesys-ctl start {app}", Map.of("other", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{app}");
  }

  @Test
  void shouldLeaveRegexQuantifiersAloneWhenRenderingARegex() {
    String regex = CommandTemplate.renderRegex("^{address}\\s{1,3}x\\d{2}", Map.of("address", "10.0.0.1"));

    assertThat(regex).isEqualTo("^\\Q10.0.0.1\\E\\s{1,3}x\\d{2}");
  }

  @Test
  void shouldMatchTheValueLiterallyWhenRenderingARegex() {
    Pattern pattern = Pattern.compile(
        CommandTemplate.renderRegex("(?m)^connected-to {masterAddress}$", Map.of("masterAddress", "127.0.2.10")));

    assertThat(pattern.matcher("mode normal\nconnected-to 127.0.2.10\n").find()).isTrue();
    // an unquoted "." would match any character
    assertThat(pattern.matcher("connected-to 127x0x2x10\n").find()).isFalse();
  }

  @Test
  void shouldListPlaceholdersInOrderWhenAskedForThem() {
    assertThat(CommandTemplate.placeholders("a {x} b {y} c {x} d{2}")).containsExactly("x", "y");
  }

  /** A real /bin/sh receives the rendered line: each hostile value must arrive as one literal word. */
  @ParameterizedTest
  @ValueSource(strings = {"x; rm -rf /", "$(id)", "`id`", "a\nb", "it's", "'; echo pwned; '",
      "a b\tc", "\\", "$HOME", "*", "--help", "", "\"quoted\"", "x' && touch /tmp/y && echo '"})
  void shouldPassTheValueAsOneLiteralArgumentWhenAShellRunsTheLine(String value) throws Exception {
    // f prints how many arguments it received and the first one
    String line = CommandTemplate.render("f() { printf '%s' \"$#:$1\"; }; f {arg}", Map.of("arg", value));

    assertThat(shell(line)).isEqualTo("1:" + value);
  }

  private static String shell(String line) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(List.of("/bin/sh", "-c", line)).redirectErrorStream(true).start();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
