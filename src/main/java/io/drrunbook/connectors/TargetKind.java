package io.drrunbook.connectors;

import java.util.Arrays;
import java.util.Locale;

/** The kinds of system a step reaches (and a precheck probes), each with the id used in plans, reports and the API. */
public enum TargetKind {
  HOST("host"),
  DATABASE("database"),
  DNS_SERVER("dns-server"),
  ENDPOINT("endpoint");

  private final String id;

  TargetKind(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /** The kind whose id is {@code id} (case-insensitive); an unknown id names the known ones. */
  public static TargetKind of(String id) {
    String wanted = id == null ? "" : id.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(kind -> kind.id.equals(wanted)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown target kind '" + id
            + "' (known: " + Arrays.stream(values()).map(TargetKind::id).toList() + ")"));
  }
}
