package io.drrunbook.connectors.ssh;

import java.time.Duration;

/**
 * What one remote command produced: its exit status, stdout and stderr (each the first
 * {@value SshCommandRunner#MAX_OUTPUT_BYTES} bytes, decoded as UTF-8) and how long it ran.
 */
public record CommandResult(int exitCode, String stdout, String stderr, Duration duration) {
}
