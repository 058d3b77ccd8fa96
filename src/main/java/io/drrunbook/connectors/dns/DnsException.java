package io.drrunbook.connectors.dns;

/**
 * A technical failure talking to a DNS server (no answer, SERVFAIL, an update refused or its
 * prerequisites no longer true): the step worker retries the step, then raises an incident.
 */
public class DnsException extends RuntimeException {

  public DnsException(String message) {
    super(message);
  }

  public DnsException(String message, Throwable cause) {
    super(message, cause);
  }
}
