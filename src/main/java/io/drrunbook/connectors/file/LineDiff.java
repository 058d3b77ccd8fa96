package io.drrunbook.connectors.file;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff of two texts by lines ({@code ---}/{@code +++} header, {@code @@} hunks with two
 * lines of context), as {@code diff -u} prints it; the step result and the verify failure of
 * {@link FileEditConnector} show it. Texts of more than {@value #MAX_LINES} lines are compared only
 * as "changed".
 */
final class LineDiff {

  static final int MAX_LINES = 5000;
  private static final int CONTEXT = 2;

  private LineDiff() {
  }

  /** The diff of {@code before} and {@code after}, empty when they are equal. */
  static String unified(String label, String before, String after) {
    return unified(label, label + " (edited)", before, after);
  }

  /** The diff with its own label for the second text. */
  static String unified(String label, String afterLabel, String before, String after) {
    if (before.equals(after)) {
      return "";
    }
    List<String> a = lines(before);
    List<String> b = lines(after);
    StringBuilder out = new StringBuilder("--- " + label + "\n+++ " + afterLabel + "\n");
    if (a.size() > MAX_LINES || b.size() > MAX_LINES) {
      return out.append("@@ the file has more than ").append(MAX_LINES).append(" lines: not compared line by line @@\n").toString();
    }
    // longest common subsequence, then the edit script
    int[][] lcs = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1
            : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String[]> script = new ArrayList<>(); // {op, line, aIndex, bIndex}
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
        script.add(new String[] {" ", a.get(i), String.valueOf(i), String.valueOf(j)});
        i++;
        j++;
      } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
        script.add(new String[] {"-", a.get(i), String.valueOf(i), String.valueOf(j)});
        i++;
      } else {
        script.add(new String[] {"+", b.get(j), String.valueOf(i), String.valueOf(j)});
        j++;
      }
    }
    int k = 0;
    while (k < script.size()) {
      if (script.get(k)[0].equals(" ")) {
        k++;
        continue;
      }
      int start = Math.max(0, k - CONTEXT);
      int end = k;
      int quiet = 0;
      while (end < script.size() && quiet <= 2 * CONTEXT) {
        quiet = script.get(end)[0].equals(" ") ? quiet + 1 : 0;
        end++;
      }
      end = Math.min(script.size(), end - Math.max(0, quiet - CONTEXT));
      int aStart = Integer.parseInt(script.get(start)[2]);
      int bStart = Integer.parseInt(script.get(start)[3]);
      int aCount = 0;
      int bCount = 0;
      StringBuilder hunk = new StringBuilder();
      for (int h = start; h < end; h++) {
        String op = script.get(h)[0];
        aCount += op.equals("+") ? 0 : 1;
        bCount += op.equals("-") ? 0 : 1;
        hunk.append(op).append(script.get(h)[1]).append('\n');
      }
      out.append("@@ -").append(aStart + 1).append(',').append(aCount).append(" +").append(bStart + 1)
          .append(',').append(bCount).append(" @@\n").append(hunk);
      k = end;
    }
    return out.toString();
  }

  private static List<String> lines(String text) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }
}
