package io.drrunbook.prechecks;

import org.springframework.stereotype.Component;

/** TEMPORARY stub until helper/probes is merged. */
@Component
public class TargetProbes {
  public ProbeResult probe(TargetKind kind, String logicalName) {
    return new ProbeResult(kind, logicalName, true, "reachable", "stub", 0);
  }
}
