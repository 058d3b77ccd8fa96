package io.drrunbook.runs;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How a run is meant: on the real systems, or as a rehearsal. {@code dry-run} and {@code precheck} will follow. */
public enum RunMode {
  EXECUTE, DRILL;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(RunMode::id).toList();
  }

  public static Optional<RunMode> of(String id) {
    return Arrays.stream(values()).filter(m -> m.id().equals(id)).findFirst();
  }
}
