package io.drrunbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One command line through the OpenSSH client ({@code /usr/bin/ssh}), one new connection, as the
 * benchmarks compare with: batch mode, strict host key checking against the given known_hosts
 * only, only the given key, no user configuration.
 */
public final class OpenSsh {

  public static final Path CLIENT = Path.of("/usr/bin/ssh");

  /** Its exit code and output (stdout and stderr together). */
  public record Result(int exitCode, String output) {}

  private OpenSsh() {}

  public static Result run(Path knownHosts, Path key, String user, String host, int port,
      String commandLine) throws Exception {
    Process ssh = new ProcessBuilder(CLIENT.toString(), "-F", "/dev/null", "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts,
        "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
        "-i", key.toString(), "-p", String.valueOf(port), user + "@" + host, commandLine)
        .redirectErrorStream(true).start();
    String output = new String(ssh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ssh.waitFor(30, TimeUnit.SECONDS)).as(output).isTrue();
    return new Result(ssh.exitValue(), output);
  }
}
