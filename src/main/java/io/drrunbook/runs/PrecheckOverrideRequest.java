package io.drrunbook.runs;

import io.swagger.v3.oas.annotations.media.Schema;

/** The body of {@code POST /api/runs/{id}/precheck/override}. */
@Schema(description = "why the run may go ahead although its precheck failed")
public record PrecheckOverrideRequest(
    @Schema(description = "the reason, recorded with the caller and the time", maxLength = 2000,
        requiredMode = Schema.RequiredMode.REQUIRED,
        example = "site1-cs-proxy-2 is the failed site's host; it is expected to be unreachable")
    String note) {}
