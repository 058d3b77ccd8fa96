package io.drrunbook.lab;

import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Read-only view of the drill lab for the dashboard: {@code GET /lab/api/state} returns
 * {@link LabState#snapshot()} (the sites side by side: applications, replication, proxies and the
 * last commands each host received).
 */
@RestController
@Profile("lab")
@RequestMapping("/lab/api")
public class LabStateController {

  private final LabState state;

  public LabStateController(LabState state) {
    this.state = state;
  }

  @GetMapping("/state")
  public LabState.Snapshot state() {
    return state.snapshot();
  }
}
