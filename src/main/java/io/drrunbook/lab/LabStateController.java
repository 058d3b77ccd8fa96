package io.drrunbook.lab;

import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Read-only view of the drill lab for the dashboard: {@code GET /lab/api/state} returns
 * {@link Lab#view()}: the sites side by side (applications, replication, proxies and the last
 * commands each host received), the DNS zone's A records and the databases' access state.
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
  public Lab.View state() {
    return lab.view();
  }
}
