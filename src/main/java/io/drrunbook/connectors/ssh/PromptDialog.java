package io.drrunbook.connectors.ssh;

import io.drrunbook.common.SecretMasker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dialog of one interactive command (a catalog entry with {@code prompts}): it watches the
 * command's stdout, and when the next expected prompt appears sends its answer and a new line over
 * the session's standard input; after the last answer it closes the input (end of file), so a
 * command that asks once more reads nothing instead of waiting for ever.
 *
 * <p>A prompt that does not appear within the prompt time limit (the output then ends in a line
 * the command is waiting on: an unexpected prompt, or nothing), or the command ending before it,
 * is a {@link Failure}. {@link #transcript()} is the output with each answer after its prompt, an
 * answer from a secret as {@value SecretMasker#MASK}. Answer values are never logged.
 */
final class PromptDialog {

  /** One expected prompt: what it looks like (and how messages show it) and where the answer comes from. */
  record Step(Pattern expect, String shownExpect, Supplier<String> answer, boolean secret) {}

  /** The dialog went differently from what the catalog declares. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message);
    }
  }

  private static final long POLL_MILLIS = 100;

  private final List<Step> steps;
  private final Duration promptTimeout;
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
  /** Where each answer went: its offset in the decoded output and how the transcript shows it. */
  private final List<int[]> answeredAt = new ArrayList<>();
  private final List<String> answeredShown = new ArrayList<>();
  private int answered;

  PromptDialog(List<Step> steps, Duration promptTimeout) {
    this.steps = List.copyOf(steps);
    this.promptTimeout = promptTimeout;
  }

  int size() {
    return steps.size();
  }

  int answered() {
    return answered;
  }

  /** A stream that passes everything on to {@code captured} and lets the dialog watch it. */
  OutputStream watch(OutputStream captured) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] data, int offset, int length) throws IOException {
        captured.write(data, offset, length);
        synchronized (PromptDialog.this) {
          if (seen.size() < SshCommandRunner.MAX_OUTPUT_BYTES) {
            seen.write(data, offset, Math.min(length, SshCommandRunner.MAX_OUTPUT_BYTES - seen.size()));
          }
          PromptDialog.this.notifyAll();
        }
      }
    };
  }

  /**
   * Answers every prompt in order over {@code stdin}, then closes it.
   *
   * @param ended whether the command has ended (its channel closed or its exit status came)
   * @param deadline {@link System#nanoTime()} by which the whole command must be done
   * @throws Failure a prompt did not come in time, another came, or the command ended first
   * @throws SshCommandTimeoutException the command's own time limit passed while waiting
   */
  void converse(OutputStream stdin, BooleanSupplier ended, long deadline, Duration timeLimit,
      String commandKey) throws Failure, IOException {
    int from = 0;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      int end = awaitPrompt(step, i, from, ended, deadline, timeLimit, commandKey);
      String value = step.answer().get();
      if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        throw new Failure("the answer to prompt " + (i + 1) + " /" + step.shownExpect()
            + "/ holds a line break");
      }
      stdin.write((value + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
      synchronized (this) {
        answeredAt.add(new int[] {end});
        answeredShown.add(step.secret() ? SecretMasker.MASK : value);
        answered++;
      }
      from = end;
    }
    stdin.close();
  }

  private synchronized int awaitPrompt(Step step, int index, int from, BooleanSupplier ended,
      long deadline, Duration timeLimit, String commandKey) throws Failure {
    long promptDeadline = Math.min(System.nanoTime() + promptTimeout.toNanos(), deadline);
    String which = "prompt " + (index + 1) + " of " + steps.size() + " /" + step.shownExpect() + "/";
    while (true) {
      String text = decoded();
      int end = find(step, text, from);
      if (end >= 0) {
        return end;
      }
      if (ended.getAsBoolean()) {
        // the last output may still be on its way with the close
        waitQuietly(POLL_MILLIS);
        end = find(step, decoded(), from);
        if (end >= 0) {
          return end;
        }
        throw new Failure("the command ended before " + which);
      }
      long remaining = promptDeadline - System.nanoTime();
      if (remaining <= 0) {
        if (promptDeadline >= deadline) {
          throw new SshCommandTimeoutException("command '" + commandKey + "' exceeded its time limit of "
              + SshCommandRunner.format(timeLimit) + " waiting for " + which, timeLimit);
        }
        String waiting = lastLine(text, from);
        throw new Failure(waiting.isBlank()
            ? which + " did not come within " + SshCommandRunner.format(promptTimeout)
            : "unexpected prompt '" + waiting + "' instead of " + which + " (waited "
                + SshCommandRunner.format(promptTimeout) + ")");
      }
      waitQuietly(Math.max(1, Math.min(POLL_MILLIS, remaining / 1_000_000)));
    }
  }

  /** Where the prompt ends in the output after {@code from}, or -1 while it has not appeared. */
  private static int find(Step step, String text, int from) {
    Matcher matcher = step.expect().matcher(text);
    matcher.region(Math.min(from, text.length()), text.length());
    return matcher.find() ? matcher.end() : -1;
  }

  private void waitQuietly(long millis) {
    try {
      wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String decoded() {
    return seen.toString(StandardCharsets.UTF_8);
  }

  /** The line the command is waiting on: the output after the last new line (and after {@code from}). */
  private static String lastLine(String text, int from) {
    String rest = text.substring(Math.min(from, text.length()));
    int newline = rest.lastIndexOf('\n');
    return (newline < 0 ? rest : rest.substring(newline + 1)).strip();
  }

  /** The output with each answer sent (secrets as ****) and a new line after its prompt. */
  synchronized String transcript() {
    String text = decoded();
    StringBuilder out = new StringBuilder(text.length() + 64);
    int at = 0;
    for (int i = 0; i < answeredAt.size(); i++) {
      int end = Math.min(answeredAt.get(i)[0], text.length());
      out.append(text, at, end).append(answeredShown.get(i)).append('\n');
      at = end;
    }
    out.append(text.substring(Math.min(at, text.length())));
    return out.toString();
  }
}
