package io.drrunbook.prechecks;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** TEMPORARY stub until helper/probes is merged. */
public enum TargetKind {
  HOST, DATABASE, DNS_SERVER, ENDPOINT;

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Optional<TargetKind> of(String id) {
    return Arrays.stream(values()).filter(k -> k.id().equals(id)).findFirst();
  }
}
