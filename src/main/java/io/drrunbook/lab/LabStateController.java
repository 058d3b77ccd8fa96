package io.drrunbook.lab;

import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Read-only view of the drill lab for the dashboard ({@code /lab/}): {@code GET /lab/api/state}
 * returns {@link Lab#view()}, a {@link LabView}: the sites side by side (each host's components and
 * their states, its last commands and action counts, the databases' roles), the DNS zone's A
 * records, the replication directions and the active faults, with a {@code version} that changes
 * whenever any of it does.
 */
@RestController
@Profile("lab")
@RequestMapping("/lab/api")
public class LabStateController {

  private final Lab lab;

  public LabStateController(Lab lab) {
    this.lab = lab;
  }

  @GetMapping("/state")
  public LabView state() {
    return lab.view();
  }
}
