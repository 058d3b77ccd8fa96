package io.drrunbook.connectors.ssh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The command catalog: command key -> {@link CommandSpec}, bound from {@code dr.commands.<key>}
 * (the product's entries are in {@code config/commands.yaml}; a site may override or add entries in
 * its own configuration). Used by {@link SshExecConnector}, i.e. by every service task whose
 * {@code route} is {@code ssh-exec}: its {@code command} input is a key of this catalog. Every entry
 * is validated at start-up, so a broken entry stops the application instead of a step.
 */
@ConfigurationProperties("dr.commands")
public class CommandCatalog extends LinkedHashMap<String, CommandSpec> implements InitializingBean {

  private static final long serialVersionUID = 1L;

  /** The entry for {@code key}; an unknown key names the keys that exist. */
  public CommandSpec command(String key) {
    CommandSpec spec = get(key);
    if (spec == null) {
      throw new IllegalArgumentException(
          "unknown command '" + key + "' (dr.commands defines " + keySet() + ")");
    }
    return spec;
  }

  /** Every problem of every entry, empty if the catalog is well-formed. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    forEach((key, spec) -> problems.addAll(spec.problems(key)));
    return problems;
  }

  @Override
  public void afterPropertiesSet() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the command catalog is not well-formed: " + problems);
    }
  }
}
