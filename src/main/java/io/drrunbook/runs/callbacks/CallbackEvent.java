package io.drrunbook.runs.callbacks;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What happened in a run that a ticket hears about; {@link #id()} is the name in configuration. */
public enum CallbackEvent {
  RUN_STARTED("run-started"),
  WAITING_FOR_MANUAL_STEP("waiting-for-manual-step"),
  STEP_FAILED("step-failed"),
  RUN_COMPLETED("run-completed"),
  RUN_CANCELLED("run-cancelled");

  private final String id;

  CallbackEvent(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(CallbackEvent::id).toList();
  }

  public static Optional<CallbackEvent> of(String id) {
    return Arrays.stream(values()).filter(e -> e.id.equals(id)).findFirst();
  }
}
