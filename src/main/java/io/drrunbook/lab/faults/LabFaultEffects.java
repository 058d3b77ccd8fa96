package io.drrunbook.lab.faults;

import io.drrunbook.lab.LabHttpEndpoints;
import io.drrunbook.lab.LabState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * Connects the fault registry to the simulators that consult it rather than listen: the model state
 * reads forced replication lags, the HTTP endpoints read error statuses, SOAP faults and delays per
 * request, and close or reopen their port as {@code unreachable} faults come and go. (The SSH hosts
 * and the DNS server register their own listeners.)
 */
@Component
@Profile("lab")
public class LabFaultEffects {

  public LabFaultEffects(LabFaults faults, LabState state, LabHttpEndpoints endpoints) {
    state.setLagOverrides(faults::replicationLag);
    endpoints.setFaults((endpoint, method, path, soapAction) ->
        faults.httpFault(endpoint, method, path, soapAction).map(LabFaultEffects::httpFault));
    faults.addListener(active -> reachability(active, faults, endpoints));
  }

  static LabHttpEndpoints.HttpFault httpFault(Fault fault) {
    return switch (fault.type()) {
      case SOAP_FAULT -> new LabHttpEndpoints.HttpFault(500,
          fault.stdout() != null ? fault.stdout() : "lab fault: SOAP Fault", fault.delay());
      case HTTP_ERROR -> new LabHttpEndpoints.HttpFault(fault.status() != null ? fault.status() : 500, null, fault.delay());
      default -> new LabHttpEndpoints.HttpFault(0, null, fault.delay());
    };
  }

  private static void reachability(List<Fault> active, LabFaults faults, LabHttpEndpoints endpoints) {
    for (String endpoint : endpoints.endpoints()) {
      try {
        endpoints.setReachable(endpoint, !faults.unreachable(endpoint));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot reopen the lab HTTP endpoint " + endpoint, e);
      }
    }
  }
}
