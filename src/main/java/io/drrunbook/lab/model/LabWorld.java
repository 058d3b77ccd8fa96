package io.drrunbook.lab.model;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.OptionalLong;

/** What a model expression can read about the whole lab (implemented by the lab's state). */
public interface LabWorld {

  /** The topology's sites, in order; the first is the main site (live before a failover). */
  List<String> sites();

  String siteOf(String host);

  /** The address a host has on its site's network (what DNS records point at). */
  String addressOf(String host);

  /**
   * The host name a topology host has (its {@code hostname}), for any host of the topology, simulated
   * or not; null when the topology gives it none. An unknown host is an {@link IllegalArgumentException}.
   */
  String hostnameOf(String host);

  /** The simulated hosts of a role on a site (site null: on every site), in topology order. */
  List<String> hostsOf(String role, String site);

  boolean hasComponent(String host, String component);

  List<String> componentNames(String host);

  /** A component's state (stored or derived); an unknown component is a {@link LabModelException}. */
  String state(String host, String component);

  /** An attribute of a component (stored or derived), null if it has none of that name. */
  Object attribute(String host, String component, String name);

  /** The A record's address for a name at the lab's DNS server, over the network; null for NXDOMAIN. */
  String resolve(String name);

  /** A replication lag forced by a fault, if any. */
  OptionalLong lagOverride(String direction);

  /**
   * Whether {@code value} is the secret {@code name} the topology gives the host
   * ({@code hosts.<host>.secrets.<name>}, a file the lab generated): what a simulated command that
   * asks for a password checks, without the model ever holding the value.
   */
  boolean secretMatches(String host, String name, Object value);

  /**
   * The text of a file of a simulated host (what its SFTP server serves, {@code lab/files/<role>/}
   * at a reset), null when the host has no such file: what a simulated command that reads its
   * configuration (OPMN's opmn.xml at a reload) sees.
   */
  String fileText(String host, String path);

  Instant now();

  ZoneId zone();
}
