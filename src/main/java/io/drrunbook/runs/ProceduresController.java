package io.drrunbook.runs;

import io.drrunbook.common.ApiException;
import io.drrunbook.core.ParameterType;
import io.drrunbook.core.ProcedureCatalog;
import io.drrunbook.core.ProcedureSpec;
import io.drrunbook.runs.RunViews.Parameter;
import io.drrunbook.runs.RunViews.Procedure;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/procedures}: the catalog of procedures that can be started, with their run parameters. */
@RestController
@RequestMapping(path = "/api/procedures", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "procedures", description = "what can be run")
public class ProceduresController {

  private final ProcedureCatalog catalog;

  public ProceduresController(ProcedureCatalog catalog) {
    this.catalog = catalog;
  }

  @GetMapping
  @Operation(summary = "List the procedures and the run parameters each declares")
  @ApiResponse(responseCode = "200", description = "the catalog")
  @ApiResponse(responseCode = "401", description = "not authenticated", content = @Content)
  public List<Procedure> list() {
    return catalog.ids().stream().map(this::view).toList();
  }

  @GetMapping("/{id}")
  @Operation(summary = "One procedure and its run parameters")
  @ApiResponse(responseCode = "200", description = "the procedure")
  @ApiResponse(responseCode = "404", description = "no such procedure",
      content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
  public Procedure get(@PathVariable String id) {
    if (catalog.find(id).isEmpty()) {
      throw ApiException.notFound("id", "no such procedure");
    }
    return view(id);
  }

  private Procedure view(String id) {
    ProcedureSpec spec = catalog.find(id).orElseThrow();
    List<Parameter> parameters = spec.getParameters().stream().map(p -> new Parameter(p.getName(),
        p.getType().id(), p.isRequired(),
        p.getType() == ParameterType.ENUM ? List.copyOf(p.getAllowedValues()) : null,
        p.getMinimum(), p.getMaximum(),
        p.getType() == ParameterType.STRING
            ? (p.getMaxLength() == null ? ProcedureCatalog.DEFAULT_MAX_LENGTH : p.getMaxLength()) : null,
        p.getPattern(), p.getDefault(), p.getDescription())).toList();
    return new Procedure(id, spec.getTitle(), spec.getCatalogId(), spec.getSeed(),
        spec.getDescription(), parameters);
  }
}
