package io.drrunbook.lab.faults;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The kinds of fault the drill lab can be told to show, by their names in the REST API. */
public enum FaultType {
  /** SSH host, DNS server or HTTP endpoint: its port is closed (connection refused). */
  UNREACHABLE("unreachable"),
  /** SSH host: serves a different host key than known_hosts holds. */
  HOST_KEY_CHANGED("host-key-changed"),
  /** SSH host: matching commands return the fault's exit code and output without running. */
  COMMAND_FAILS("command-fails"),
  /** SSH host: matching commands never answer (until the client gives up or the fault goes). */
  COMMAND_HANGS("command-hangs"),
  /**
   * SSH host: a file replaced over SFTP whose path matches the fault's {@code command} regex is put
   * back as it was right after the replacement (as a configuration management agent would).
   */
  FILE_REVERTS("file-reverts"),
  /** SSH host or HTTP endpoint: each command or request answers after the fault's delay. */
  SLOW("slow"),
  /** Replication direction: its status reports the fault's lag in seconds. */
  REPLICATION_LAG("replication-lag"),
  /** DNS server: updates are answered REFUSED. */
  DNS_REFUSE_UPDATES("dns-refuse-updates"),
  /** DNS server: every message is answered SERVFAIL. */
  DNS_SERVFAIL("dns-servfail"),
  /** HTTP endpoint: matching requests are answered with the fault's 5xx status. */
  HTTP_ERROR("http-error"),
  /** HTTP endpoint: matching SOAP calls are answered with a SOAP 1.1 Fault (HTTP 500). */
  SOAP_FAULT("soap-fault");

  private final String id;

  FaultType(String id) {
    this.id = id;
  }

  @JsonValue
  public String id() {
    return id;
  }

  public static Optional<FaultType> of(String id) {
    return Arrays.stream(values()).filter(type -> type.id.equals(id)).findFirst();
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(FaultType::id).toList();
  }

  @Override
  public String toString() {
    return id;
  }
}
