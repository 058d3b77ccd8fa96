package io.drrunbook.prechecks;

import io.drrunbook.connectors.TargetKind;

/**
 * The outcome of probing one target.
 *
 * @param kind what the target is
 * @param target its logical name in the topology
 * @param ok whether every check passed
 * @param check {@value #REACHABLE} when ok, else the check that failed: {@value #CONFIGURATION},
 *     {@value #CONNECTION}, {@value #HOST_KEY}, {@value #CREDENTIALS} or {@value #ANSWER}
 * @param detail one sentence naming the target, its address and the cause; never a secret
 * @param durationMs how long the probe took
 */
public record ProbeResult(TargetKind kind, String target, boolean ok, String check, String detail,
    long durationMs) {

  /** Every check passed. */
  public static final String REACHABLE = "reachable";
  /** The topology does not know the name or lacks what the probe needs (address, key, zone). */
  public static final String CONFIGURATION = "configuration";
  /** Connection refused, no route, or no answer in time. */
  public static final String CONNECTION = "connection";
  /** The SSH host key is not in known_hosts, changed or revoked. */
  public static final String HOST_KEY = "host-key";
  /** Login, SSH authentication, HTTP Authorization or TSIG key refused. */
  public static final String CREDENTIALS = "credentials";
  /** The target answered, but not as it should (a DNS rcode, no SOA, an invalid connection). */
  public static final String ANSWER = "answer";
}
