package io.drrunbook.runs.callbacks;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/runs/{id}/callbacks}: the write-back to the run's ticket, for the run status. */
@RestController
public class CallbackController {

  private final CallbackDeliveries deliveries;

  public CallbackController(CallbackDeliveries deliveries) {
    this.deliveries = deliveries;
  }

  @GetMapping(path = "/api/runs/{id}/callbacks", produces = "application/json")
  public List<CallbackDeliveries.Delivery> callbacks(@PathVariable("id") String id) {
    return deliveries.forRun(id);
  }
}
