package io.drrunbook.prechecks;

/** TEMPORARY stub until helper/probes is merged. */
public record ProbeResult(TargetKind kind, String target, boolean ok, String check, String detail,
    long durationMs) {}
