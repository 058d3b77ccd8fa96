package io.drrunbook.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A read-only check a procedure declares for its precheck ({@code dr.procedures.<id>.prechecks[]}):
 * the state the procedure expects to find (replication running and caught up, a database's role),
 * run through a connector route with fixed inputs, e.g. an ssh-exec verify-only command.
 */
public class PrecheckSpec {

  private String name;
  private String route;
  private Map<String, String> inputs = new LinkedHashMap<>();

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getRoute() {
    return route;
  }

  public void setRoute(String route) {
    this.route = route;
  }

  public Map<String, String> getInputs() {
    return inputs;
  }

  public void setInputs(Map<String, String> inputs) {
    this.inputs = inputs == null ? new LinkedHashMap<>() : inputs;
  }
}
