package io.drrunbook.connectors.topology;

import io.drrunbook.connectors.StepInputs;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.StepPlanner;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Host;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Route {@code topology-lookup}: records in the run which systems a procedure will touch, by reading
 * the topology once at the start (e.g. {@code Task_ResolveTopology} of dr-genesys-cs-failover). Any
 * of the inputs may be given: {@code group} gives {@code members} (logical host names),
 * {@code dnsRecord} gives {@code recordName} (the fully qualified name), {@code host} gives
 * {@code hostAddress} and {@code hostName}.
 */
@Component("topologyLookup")
public class TopologyLookupConnector implements StepPlanner {

  private final Topology topology;

  public TopologyLookupConnector(Topology topology) {
    this.topology = topology;
  }

  public Map<String, Object> lookup(Map<String, Object> body) {
    StepInputs inputs = new StepInputs(body);
    Map<String, Object> result = new LinkedHashMap<>();
    String group = inputs.optional("group", null);
    if (group != null) {
      result.put("members", new ArrayList<>(topology.group(group)));
    }
    String record = inputs.optional("dnsRecord", null);
    if (record != null) {
      result.put("recordName", topology.dnsRecord(record).getName().replaceAll("\\.$", ""));
    }
    String hostName = inputs.optional("host", null);
    if (hostName != null) {
      Host host = topology.host(hostName);
      if (host.getAddress() == null) {
        throw new IllegalStateException("host " + hostName + " has no address in the topology");
      }
      result.put("hostAddress", host.getAddress());
      result.put("hostName", host.getHostname() == null ? host.getAddress() : host.getHostname());
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException("topology-lookup needs at least one of group, dnsRecord, host");
    }
    return result;
  }

  @Override
  public Set<String> plannedRoutes() {
    return Set.of("topology-lookup");
  }

  /** Reading the topology contacts nothing: a dry-run reads it as a run would. */
  @Override
  public StepPlan plan(String route, Map<String, Object> inputs) {
    Map<String, Object> result = lookup(inputs);
    return new StepPlan(List.of("topology: read " + result), List.of(), result);
  }
}
