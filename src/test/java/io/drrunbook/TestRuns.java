package io.drrunbook;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;

/** Clean-up of the runs a test started. */
public final class TestRuns {

  private TestRuns() {}

  /** Deletes a run as Cockpit would, retrying while the step worker changes one of its steps. */
  public static void delete(RuntimeService runtime, String id, String reason) {
    await("run deleted").atMost(Duration.ofSeconds(30)).ignoreException(OptimisticLockingException.class)
        .until(() -> {
          runtime.deleteProcessInstanceIfExists(id, reason, false, true, false, false);
          return true;
        });
  }

  /** Deletes every run whose business key starts with {@code prefix}. */
  public static void deleteAll(RuntimeService runtime, String prefix) {
    runtime.createProcessInstanceQuery().processInstanceBusinessKeyLike(prefix + "%").list()
        .forEach(run -> delete(runtime, run.getId(), "test clean-up"));
  }
}
