package io.drrunbook.lab.faults;

import java.time.Duration;
import java.time.Instant;

/**
 * A fault the lab shows now: {@code id} (short, for DELETE /lab/api/faults/{id}), {@code type},
 * {@code target} (logical name) and the parameters of its type, {@code null} where they do not apply
 * ({@code delay} is written as an ISO-8601 duration, e.g. {@code "PT5S"}); who added it and when.
 */
public record Fault(String id, FaultType type, String target, Integer exitCode, String stdout,
    String stderr, Duration delay, Long seconds, Integer status, String command, Instant createdAt,
    String createdBy) {}
