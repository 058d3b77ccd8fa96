package io.drrunbook.runs;

import io.drrunbook.prechecks.PrecheckGate;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** The plan of a dry-run or precheck walk: what a real run would do, step by step. */
@Schema(description = "the plan document of a dry-run or precheck run: every step walked, in order,"
    + " with exactly what it would send and to which system; manual steps with their instructions")
public record RunPlanDocument(RunViews.Run run,
    @Schema(description = "the walk the steps come from (the run itself, or an execute run's precheck)")
    String walkRunId,
    @Schema(description = "true when the walk has ended: the plan is complete") boolean complete,
    List<Step> steps,
    PrecheckGate.Summary precheck,
    Instant generatedAt) {

  @Schema(description = "one step of the plan: kind step (automated) or manual")
  public record Step(String kind, String activityId, String name, String route, List<String> actions,
      List<String> targets, Instant walkedAt) {}
}
