package io.drrunbook.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the drill lab ({@code dr.lab.*}), used only in the lab profile. Which simulated system
 * each topology host plays is {@link #getRoles()}: logical host name to role.
 */
@ConfigurationProperties(prefix = "dr.lab")
public class LabProperties {

  /** Folder for the lab's generated keys, secrets, databases and persisted state. */
  private Path dir = Path.of("data", "lab");
  /** Put the lab back to its initial state at start-up instead of resuming the persisted state. */
  private boolean resetOnStart = false;
  /** Role each simulated host plays (a role a lab model defines, e.g. genesys-mgmt), by logical host name. */
  private Map<String, String> roles = new LinkedHashMap<>();
  /** Simulated target databases by logical name: the schema account and its initial access state. */
  private Map<String, LabDatabase> databases = new LinkedHashMap<>();
  /** Where the lab's model files are (resource patterns); see docs/lab-models.md. */
  private java.util.List<String> models = new java.util.ArrayList<>(java.util.List.of("classpath:lab/models/*.yaml"));
  /**
   * Artificial duration of a lab command, by command name (e.g. genesys-ctl: 5s), for rehearsing slow
   * steps; also changed while the lab runs ({@code PUT /lab/api/command-delays/{name}}).
   */
  private Map<String, Duration> commandDelays = new java.util.concurrent.ConcurrentHashMap<>();
  /**
   * Bind every simulated SSH host, HTTP endpoint and the lab DNS server to a free port (port 0)
   * instead of the topology's ports, and write the bound ports back into the topology at start-up;
   * for tests, so that they run while a person uses the lab on its fixed ports.
   */
  private boolean ephemeralPorts = false;
  /**
   * What a drill of a procedure does to the lab's sites, by process id: a failover's drill loses the
   * failed site when it starts (as the disaster would), a failback's drill brings it back first.
   */
  private Map<String, Drill> drills = new LinkedHashMap<>();

  public Path getDir() { return dir; }
  public void setDir(Path dir) { this.dir = dir; }
  public boolean isResetOnStart() { return resetOnStart; }
  public void setResetOnStart(boolean resetOnStart) { this.resetOnStart = resetOnStart; }
  public Map<String, String> getRoles() { return roles; }
  public void setRoles(Map<String, String> roles) { this.roles = roles; }
  public Map<String, Duration> getCommandDelays() { return commandDelays; }
  public void setCommandDelays(Map<String, Duration> commandDelays) {
    this.commandDelays = new java.util.concurrent.ConcurrentHashMap<>(commandDelays);
  }
  public boolean isEphemeralPorts() { return ephemeralPorts; }
  public void setEphemeralPorts(boolean ephemeralPorts) { this.ephemeralPorts = ephemeralPorts; }

  public java.util.List<String> getModels() { return models; }
  public void setModels(java.util.List<String> models) { this.models = models; }

  public Map<String, Drill> getDrills() { return drills; }
  public void setDrills(Map<String, Drill> drills) { this.drills = drills; }

  /**
   * The site a procedure's drill loses at its start ({@code losesSite}) or brings back first
   * ({@code restoresSite}); {@code when}: only if this run variable is true (e.g. {@code site1Lost}).
   */
  public static class Drill {
    private String losesSite;
    private String restoresSite;
    private String when;

    public String getWhen() { return when; }
    public void setWhen(String when) { this.when = when; }

    public String getLosesSite() { return losesSite; }
    public void setLosesSite(String losesSite) { this.losesSite = losesSite; }
    public String getRestoresSite() { return restoresSite; }
    public void setRestoresSite(String restoresSite) { this.restoresSite = restoresSite; }
  }

  public Map<String, LabDatabase> getDatabases() { return databases; }
  public void setDatabases(Map<String, LabDatabase> databases) { this.databases = databases; }

  public Path keysDir() { return dir.resolve("keys"); }
  public Path secretsDir() { return dir.resolve("secrets"); }
  public Path databasesDir() { return dir.resolve("db"); }
  public Path stateFile() { return dir.resolve("state.json"); }

  /**
   * A simulated target database: which schema account the applications use, whether it is open,
   * and what else the lab installs in it ({@code kind}).
   */
  public static class LabDatabase {
    /** Plain (the schema account and the access procedures only). */
    public static final String KIND_CONFIGURATION = "configuration";
    /** A Genesys Info Mart database: also V$DATABASE, the GoldenGate schema, INTERACTION_FACT. */
    public static final String KIND_INFO_MART = "info-mart";

    private String schemaUser = "GENESYS_CFG";
    /** OPEN (the live database) or LOCKED (the standby: access disabled). */
    private String access = "OPEN";
    /** configuration (default) or info-mart (see {@link io.drrunbook.lab.LabInfoMartDatabase}). */
    private String kind = KIND_CONFIGURATION;
    /** The GoldenGate schema user of an info-mart database. */
    private String goldengateUser = "GGADMIN";

    public String getKind() { return kind; }
    public void setKind(String kind) { this.kind = kind; }
    public String getGoldengateUser() { return goldengateUser; }
    public void setGoldengateUser(String goldengateUser) { this.goldengateUser = goldengateUser; }

    public String getSchemaUser() { return schemaUser; }
    public void setSchemaUser(String schemaUser) { this.schemaUser = schemaUser; }
    public String getAccess() { return access; }
    public void setAccess(String access) { this.access = access; }
  }
}
