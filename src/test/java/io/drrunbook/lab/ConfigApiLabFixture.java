package io.drrunbook.lab;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.lab.faults.LabFaultEffects;
import io.drrunbook.lab.faults.LabFaults;
import io.drrunbook.lab.model.LabModels;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Endpoint;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.Site;
import io.drrunbook.topology.TopologyProperties;
import java.nio.file.Path;
import java.util.List;

/**
 * The lab's Genesys Configuration Server REST API, built by hand for tests without Spring: three
 * sites with their Info Mart and management hosts (host names as in the lab topology), the shipped
 * model's endpoint {@value #API} (role genesys-config-api) on a free port with its generated
 * Authorization secret, the lab's fault registry, and the endpoint {@value #LOSSY_API} of the test
 * model lab-models/config-api-lost-writes.yaml (answers every write, keeps none).
 */
public final class ConfigApiLabFixture implements AutoCloseable {

  public static final String API = "site2.config-api";
  public static final String LOSSY_API = "site1.config-api";

  public final TopologyProperties topologyProperties = new TopologyProperties();
  public final Topology topology;
  public final SecretResolver secrets = new SecretResolver(new SecretMasker());
  public final LabState state;
  public final LabFaults faults;
  private final LabHttpEndpoints endpoints;

  public ConfigApiLabFixture(Path dir) {
    for (int n = 1; n <= 3; n++) {
      Site site = new Site();
      site.setTitle("Site " + n);
      site.getHosts().put("gim", host("127.0." + n + ".40", "gim.site" + n + ".genesys.lab"));
      if (n < 3) {
        site.getHosts().put("cs-mgmt", host("127.0." + n + ".10", "cs-mgmt.site" + n + ".genesys.lab"));
        Endpoint endpoint = new Endpoint();
        endpoint.setUrl("http://127.0.0.1:1/gax");
        endpoint.setAuthorization("file:" + dir.resolve("secrets/site" + n + "-config-api.authorization"));
        site.getEndpoints().put("config-api", endpoint);
      }
      topologyProperties.getSites().put("site" + n, site);
    }
    LabProperties lab = new LabProperties();
    lab.setDir(dir.resolve("lab"));
    lab.setEphemeralPorts(true);
    lab.getRoles().put(API, "genesys-config-api");
    lab.getRoles().put(LOSSY_API, "genesys-config-api-lost-writes");
    LabModels models = LabModels.load(List.of("classpath:lab/models/*.yaml",
        "classpath:lab-models/config-api-lost-writes.yaml")).checkReferences();
    topology = new Topology(topologyProperties);
    state = new LabState(lab, topology, models, LabFixture.CLOCK);
    endpoints = new LabHttpEndpoints(lab, topology, state, secrets);
    faults = new LabFaults(() -> state.hosts().stream().filter(h -> !state.isEndpoint(h)).toList(), topology,
        LabFixture.CLOCK);
    new LabFaultEffects(faults, state, endpoints);
    endpoints.start();
  }

  private static Host host(String address, String hostname) {
    Host host = new Host();
    host.setAddress(address);
    host.setHostname(hostname);
    return host;
  }

  /** The endpoint's URL as the lab bound it. */
  public String url(String endpoint) {
    return topology.endpoint(endpoint).getUrl();
  }

  /** The Authorization header value the endpoint expects (the generated secret). */
  public String authorization(String endpoint) {
    return secrets.resolve(topology.endpoint(endpoint).getAuthorization()).trim();
  }

  @Override
  public void close() {
    endpoints.stop();
  }
}
