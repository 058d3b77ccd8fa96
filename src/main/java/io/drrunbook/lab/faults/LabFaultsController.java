package io.drrunbook.lab.faults;

import io.drrunbook.common.ApiException;
import io.drrunbook.common.FieldProblem;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabSites;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Fault injection and reset of the drill lab (lab profile, HTTP Basic for dr-* groups):
 * {@code GET /lab/api/faults} lists the faults; {@code POST /lab/api/faults} with a
 * {@link FaultRequest} adds one (201 and the {@link Fault}; 400 problem naming the field for an
 * unknown type or target or a missing or invalid parameter); {@code DELETE /lab/api/faults/{id}}
 * removes one (204; 404 if unknown); {@code DELETE /lab/api/faults} removes all (204);
 * {@code POST /lab/api/reset} puts the whole lab back to its initial state, faults included (204).
 * {@code POST /lab/api/sites/{site}/down} loses a whole site as a disaster would (200 and since when;
 * see {@link LabSites}), {@code POST /lab/api/sites/{site}/up} brings it back (204); 404 for a site
 * the topology does not have.
 */
@RestController
@Profile("lab")
@RequestMapping("/lab/api")
public class LabFaultsController {

  private final LabFaults faults;
  private final Lab lab;

  public LabFaultsController(LabFaults faults, Lab lab) {
    this.faults = faults;
    this.lab = lab;
  }

  @GetMapping("/faults")
  public List<Fault> list() {
    return faults.list();
  }

  @PostMapping("/faults")
  public ResponseEntity<Fault> add(@RequestBody FaultRequest request, Principal caller) {
    Fault fault;
    try {
      fault = faults.add(request, caller == null ? "lab" : caller.getName());
    } catch (FaultRequestException e) {
      throw ApiException.invalid(e.problems().stream()
          .map(problem -> new FieldProblem(problem.field(), problem.message())).toList());
    }
    return ResponseEntity.created(URI.create("/lab/api/faults/" + fault.id())).body(fault);
  }

  @DeleteMapping("/faults/{id}")
  public ResponseEntity<Void> remove(@PathVariable String id) {
    if (!faults.remove(id)) {
      throw ApiException.notFound("id", "no lab fault has this id");
    }
    return ResponseEntity.noContent().build();
  }

  @DeleteMapping("/faults")
  public ResponseEntity<Void> clear() {
    faults.clear();
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/sites/{site}/down")
  public LabSites.SiteLoss siteDown(@PathVariable String site, Principal caller) {
    try {
      return lab.sites().down(site, caller == null ? "lab" : caller.getName());
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("site", e.getMessage());
    }
  }

  @PostMapping("/sites/{site}/up")
  public ResponseEntity<Void> siteUp(@PathVariable String site) {
    try {
      lab.sites().up(site);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("site", e.getMessage());
    }
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/reset")
  public ResponseEntity<Void> reset() {
    lab.reset();
    return ResponseEntity.noContent().build();
  }
}
