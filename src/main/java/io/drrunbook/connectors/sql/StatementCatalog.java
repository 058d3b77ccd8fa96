package io.drrunbook.connectors.sql;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Named SQL statements ({@code dr.sql.statements.<key>}), the only SQL a procedure can run. Each
 * is check -> act -> verify: {@code check} is a query whose first column of the first row, as text,
 * is matched against {@code check-done} (a match means the step is already done); {@code run} is the
 * statement that acts; {@code verify} is a query whose first value must match {@code verify-expect}.
 * Values are bound as named parameters ({@code :schemaUser}) from the step's inputs, never spliced.
 */
@ConfigurationProperties(prefix = "dr.sql")
public class StatementCatalog {

  private Map<String, StatementSpec> statements = new LinkedHashMap<>();

  public Map<String, StatementSpec> getStatements() { return statements; }
  public void setStatements(Map<String, StatementSpec> statements) { this.statements = statements; }

  public StatementSpec statement(String key) {
    StatementSpec spec = statements.get(key);
    if (spec == null) {
      throw new IllegalArgumentException(
          "unknown SQL statement '" + key + "' (the catalog defines " + statements.keySet() + ")");
    }
    return spec;
  }

  public static class StatementSpec {
    private String check;
    private String checkDone;
    private String run;
    private String verify;
    private String verifyExpect;
    private Duration timeout = Duration.ofSeconds(60);

    public String getCheck() { return check; }
    public void setCheck(String check) { this.check = check; }
    public String getCheckDone() { return checkDone; }
    public void setCheckDone(String checkDone) { this.checkDone = checkDone; }
    public String getRun() { return run; }
    public void setRun(String run) { this.run = run; }
    public String getVerify() { return verify; }
    public void setVerify(String verify) { this.verify = verify; }
    public String getVerifyExpect() { return verifyExpect; }
    public void setVerifyExpect(String verifyExpect) { this.verifyExpect = verifyExpect; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
  }
}
