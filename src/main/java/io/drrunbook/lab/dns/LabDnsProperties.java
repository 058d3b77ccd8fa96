package io.drrunbook.lab.dns;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the lab's DNS server ({@code dr.lab.dns.*}, file lab/dns.yaml), lab profile only. */
@ConfigurationProperties(prefix = "dr.lab.dns")
public class LabDnsProperties {

  /**
   * The host each DNS record of the topology points to when the lab starts fresh: logical DNS record
   * name to logical host name (its topology address becomes the A record), e.g.
   * {@code cs-master: site1.cs-mgmt}.
   */
  private Map<String, String> initial = new LinkedHashMap<>();

  public Map<String, String> getInitial() { return initial; }
  public void setInitial(Map<String, String> initial) { this.initial = initial; }
}
