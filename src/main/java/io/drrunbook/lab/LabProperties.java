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
  /** Role each simulated host plays (genesys-mgmt, goldengate, cs-proxy), by logical host name. */
  private Map<String, String> roles = new LinkedHashMap<>();
  /** Artificial duration of a lab command, by command name (e.g. genesys-ctl: 5s), for rehearsing slow steps. */
  private Map<String, Duration> commandDelays = new LinkedHashMap<>();

  public Path getDir() { return dir; }
  public void setDir(Path dir) { this.dir = dir; }
  public boolean isResetOnStart() { return resetOnStart; }
  public void setResetOnStart(boolean resetOnStart) { this.resetOnStart = resetOnStart; }
  public Map<String, String> getRoles() { return roles; }
  public void setRoles(Map<String, String> roles) { this.roles = roles; }
  public Map<String, Duration> getCommandDelays() { return commandDelays; }
  public void setCommandDelays(Map<String, Duration> commandDelays) { this.commandDelays = commandDelays; }

  public Path keysDir() { return dir.resolve("keys"); }
  public Path secretsDir() { return dir.resolve("secrets"); }
  public Path databasesDir() { return dir.resolve("db"); }
  public Path stateFile() { return dir.resolve("state.json"); }
}
