package io.drrunbook.runs;

import io.swagger.v3.oas.annotations.media.Schema;

/** The body of {@code POST /api/runs/{id}/pause} and {@code .../resume} (optional). */
@Schema(description = "why the run is paused or resumed")
public record PauseRunRequest(
    @Schema(description = "the reason, recorded with the caller and the time", maxLength = 2000,
        example = "waiting for the network team to confirm the Site 2 firewall change")
    String reason) {}
