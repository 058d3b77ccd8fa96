package io.drrunbook.core;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a run is meant: {@code execute} on the real systems (after its prechecks), {@code drill} as a
 * rehearsal on the systems it is given (the drill lab), {@code dry-run} as a walk that renders what
 * every step would send without contacting anything (a plan for the change board), {@code precheck}
 * as a walk that checks every system the procedure would reach, read-only.
 */
public enum RunMode {
  EXECUTE, DRILL, DRY_RUN, PRECHECK;

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Runs that only walk the procedure: steps are rendered, manual steps answered by the walk. */
  public boolean walksOnly() {
    return this == DRY_RUN || this == PRECHECK;
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(RunMode::id).toList();
  }

  public static Optional<RunMode> of(String id) {
    return Arrays.stream(values()).filter(m -> m.id().equals(id)).findFirst();
  }
}
