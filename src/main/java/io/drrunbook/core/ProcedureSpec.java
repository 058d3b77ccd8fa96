package io.drrunbook.core;

import java.util.ArrayList;
import java.util.List;

/** One procedure of the catalog, as declared in {@code config/procedures.yaml}. */
public class ProcedureSpec {

  private String title;
  private String catalogId;
  private String seed;
  private String description;
  private List<ParameterSpec> parameters = new ArrayList<>();
  private List<PrecheckSpec> prechecks = new ArrayList<>();
  private List<String> actsOn = new ArrayList<>();

  public String getTitle() {
    return title;
  }

  public void setTitle(String title) {
    this.title = title;
  }

  public String getCatalogId() {
    return catalogId;
  }

  public void setCatalogId(String catalogId) {
    this.catalogId = catalogId;
  }

  public String getSeed() {
    return seed;
  }

  public void setSeed(String seed) {
    this.seed = seed;
  }

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }

  public List<ParameterSpec> getParameters() {
    return parameters;
  }

  public void setParameters(List<ParameterSpec> parameters) {
    this.parameters = parameters == null ? new ArrayList<>() : parameters;
  }

  /** Read-only checks of the state the procedure expects, run by its precheck. */
  public List<PrecheckSpec> getPrechecks() {
    return prechecks;
  }

  public void setPrechecks(List<PrecheckSpec> prechecks) {
    this.prechecks = prechecks == null ? new ArrayList<>() : prechecks;
  }

  /**
   * The systems a run of the procedure changes, as {@code <kind>:<logical name>} of the topology
   * ({@code host:}, {@code group:} (a host group: each of its hosts), {@code database:},
   * {@code record:} (a DNS record), {@code endpoint:}); an execute or drill run claims them for as
   * long as it is active, so that no second run acts on one of them at the same time.
   */
  public List<String> getActsOn() {
    return actsOn;
  }

  public void setActsOn(List<String> actsOn) {
    this.actsOn = actsOn == null ? new ArrayList<>() : actsOn;
  }
}
