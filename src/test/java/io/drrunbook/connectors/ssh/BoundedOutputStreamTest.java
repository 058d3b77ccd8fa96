package io.drrunbook.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The output capture of the SSH runner: the first bytes up to the limit, and a count of the rest. */
class BoundedOutputStreamTest {

  @Test
  void shouldKeepEverythingWithoutMarkerWhenTheOutputFitsTheLimit() {
    BoundedOutputStream out = new BoundedOutputStream(10);

    out.write(bytes("hello\n"), 0, 6);
    out.write('!');

    assertThat(out.text()).isEqualTo("hello\n!");
  }

  @Test
  void shouldKeepEverythingWithoutMarkerWhenTheOutputIsExactlyTheLimit() {
    BoundedOutputStream out = new BoundedOutputStream(5);

    out.write(bytes("abcde"), 0, 5);

    assertThat(out.text()).isEqualTo("abcde");
  }

  @Test
  void shouldTruncateAtTheLimitAndCountTheRestWhenAWriteCrossesIt() {
    BoundedOutputStream out = new BoundedOutputStream(4);

    out.write(bytes("abc"), 0, 3);
    out.write(bytes("xdefgh"), 1, 5);

    assertThat(out.text()).isEqualTo("abcd\n[4 more bytes discarded]");
  }

  @Test
  void shouldCountSingleBytesWhenWrittenAfterTheLimit() {
    BoundedOutputStream out = new BoundedOutputStream(2);

    for (char c : "abcde".toCharArray()) {
      out.write(c);
    }

    assertThat(out.text()).isEqualTo("ab\n[3 more bytes discarded]");
  }

  @Test
  void shouldKeepTheFirst64KiBWhenGivenTheRunnersLimit() {
    BoundedOutputStream out = new BoundedOutputStream(SshCommandRunner.MAX_OUTPUT_BYTES);
    byte[] flood = bytes("a".repeat(100_000));

    out.write(flood, 0, flood.length);

    assertThat(out.text()).isEqualTo("a".repeat(SshCommandRunner.MAX_OUTPUT_BYTES)
        + "\n[" + (100_000 - SshCommandRunner.MAX_OUTPUT_BYTES) + " more bytes discarded]");
  }

  @Test
  void shouldDecodeUtf8WhenTheOutputIsNotAscii() {
    BoundedOutputStream out = new BoundedOutputStream(64);
    byte[] text = bytes("Zürich – Genève");

    out.write(text, 0, text.length);

    assertThat(out.text()).isEqualTo("Zürich – Genève");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
