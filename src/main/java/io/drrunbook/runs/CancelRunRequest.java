package io.drrunbook.runs;

import io.swagger.v3.oas.annotations.media.Schema;

/** The body of {@code POST /api/runs/{id}/cancel}. */
@Schema(description = "why the run is cancelled")
public record CancelRunRequest(
    @Schema(description = "the reason, recorded with the caller and the time", minLength = 1,
        maxLength = 2000, requiredMode = Schema.RequiredMode.REQUIRED,
        example = "Site 1 is back; failover no longer needed (CAB decision)")
    String reason) {}

