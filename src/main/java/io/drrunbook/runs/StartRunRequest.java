package io.drrunbook.runs;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/** The body of {@code POST /api/runs}. Unknown fields are refused (see {@link ApiJsonConfig}). */
@Schema(description = "Start a run of a procedure for a ticket")
public record StartRunRequest(
    @Schema(description = "procedure id (GET /api/procedures)", example = "dr-genesys-cs-failover",
        requiredMode = Schema.RequiredMode.REQUIRED)
    String procedure,
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED)
    TicketRef ticket,
    @Schema(description = "run parameters the procedure declares", example = "{\"rtoMinutes\": 60}")
    Map<String, Object> parameters,
    @Schema(description = "execute: act on the real systems; drill: a rehearsal (lab or drill window)",
        allowableValues = {"execute", "drill"}, requiredMode = Schema.RequiredMode.REQUIRED)
    String mode,
    @Schema(description = "dr-approvers only: start the run although an active run acts on the same"
        + " systems (otherwise refused with 409); the reason is recorded")
    Overlap overlap) {

  /** Why a run may act on systems an active run holds. */
  @Schema(description = "why the run may act on systems an active run holds")
  public record Overlap(
      @Schema(description = "the reason, recorded with the caller", maxLength = 2000,
          requiredMode = Schema.RequiredMode.REQUIRED,
          example = "CHG0012345 was abandoned half-way; this run takes over from it")
      String reason) {}

  /** The ticket a run belongs to; its id becomes the run's business key. */
  @Schema(description = "the ticket that asks for the run")
  public record TicketRef(
      @Schema(description = "ticketing system", example = "servicenow", pattern = "[a-z][a-z0-9-]{0,31}",
          requiredMode = Schema.RequiredMode.REQUIRED)
      String system,
      @Schema(description = "ticket number", example = "CHG0012345",
          pattern = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}", requiredMode = Schema.RequiredMode.REQUIRED)
      String id,
      @Schema(description = "link to the ticket (http or https)",
          example = "https://example.service-now.com/change_request.do?sysparm_query=number=CHG0012345")
      String url) {}
}
