package io.drrunbook.runs;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/** The body of {@code POST /api/runs/{id}/steps/{activityId}/decision}. */
@Schema(description = "the decision on a failed step")
public record StepDecisionRequest(
    @Schema(description = "retry (run the step again), done-by-hand (continue after it), skip"
        + " (continue after it, recorded as skipped; dr-approvers only) or abort (cancel the run)",
        allowableValues = {"retry", "done-by-hand", "skip", "abort"},
        requiredMode = Schema.RequiredMode.REQUIRED, example = "done-by-hand")
    String choice,
    @Schema(description = "what was done or why; required unless choice is retry", maxLength = 2000,
        example = "started the pair from the console; license server was down")
    String note,
    @Schema(description = "with done-by-hand or skip: the step's results as the step would have"
        + " returned them, for the values the run takes from it (the decision's stepResultsUsed lists"
        + " them); plain values or lists of them", example = "{\"valueAfter\": \"4711\"}")
    Map<String, Object> results) {}
