package io.drrunbook.lab;

import io.drrunbook.lab.model.LabExpressions;
import io.drrunbook.lab.model.LabModel;
import io.drrunbook.lab.model.LabScope;
import io.drrunbook.lab.model.LabSteps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The console actions of the lab's simulated systems: what a person rehearsing a drill clicks on a
 * vendor's GUI (seed 002's Oceana Manager, System Manager, BackupAndRestore.exe, Cache Management
 * Portal, ...), declared per component in the lab models ({@code actions}, docs/lab-models.md) and
 * acted here, for the dashboard's buttons and {@code POST /lab/api/consoles/{host}/{component}/{action}}
 * ({@link LabConsolesController}). An action changes the lab's state as its model says, is recorded in
 * the host's command log ({@code console <component> <action> by <user>}) and counted in its action
 * counts; one not allowed in the component's current state is refused, naming the state. Generic:
 * no Java per vendor system.
 */
@Component
@Profile("lab")
public class LabConsoles {

  /** An action as offered now: allowed, or the reason it is not. */
  public record Offered(String name, String title, String console, String seed, boolean allowed, String refusal) {}

  /** A component with the console actions its model declares. */
  public record ConsoleComponent(String component, String title, String state, List<Offered> actions) {}

  /** A simulated host (or endpoint) that has console actions. */
  public record Console(String host, String site, String role, List<ConsoleComponent> components) {}

  /** What acting did: the component after the action and the action counted. */
  public record Acted(String host, String component, String action, String counted, LabState.ComponentView after) {}

  /**
   * A console action refused: {@code unknown} when the lab has no such host, component or action
   * (HTTP 404; {@code field} names which), else not allowed in the component's current
   * {@code state} (HTTP 409; field {@code state}).
   */
  public static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean unknown;
    private final String field;
    private final String state;

    private Refusal(boolean unknown, String field, String state, String message) {
      super(message);
      this.unknown = unknown;
      this.field = field;
      this.state = state;
    }

    static Refusal unknown(String field, String message) {
      return new Refusal(true, field, null, message);
    }

    static Refusal notAllowed(String state, String message) {
      return new Refusal(false, "state", state, message);
    }

    public boolean unknown() {
      return unknown;
    }

    public String field() {
      return field;
    }

    public String state() {
      return state;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(LabConsoles.class);

  private final LabState state;
  private final LabSites sites;
  private final LabSteps steps;

  public LabConsoles(LabState state, LabSites sites) {
    this.state = state;
    this.sites = sites;
    this.steps = new LabSteps(state.models().expressions(), state);
  }

  /** Every host with console actions, its components and their actions as offered now. */
  public List<Console> consoles() {
    List<Console> consoles = new ArrayList<>();
    synchronized (state) {
      for (String host : state.hosts()) {
        List<ConsoleComponent> components = new ArrayList<>();
        for (LabState.ComponentView component : state.components(host)) {
          List<Offered> offered = offered(state, host, component);
          if (!offered.isEmpty()) {
            components.add(new ConsoleComponent(component.name(), component.title(), component.state(), offered));
          }
        }
        if (!components.isEmpty()) {
          consoles.add(new Console(host, state.siteOf(host), state.role(host), components));
        }
      }
    }
    return consoles;
  }

  /** The console actions of one component as offered now (the dashboard's buttons). */
  static List<Offered> offered(LabState state, String host, LabState.ComponentView component) {
    List<Offered> offered = new ArrayList<>();
    for (LabModel.Action action : state.componentModel(host, component.name()).actions()) {
      String refusal = refusal(state, host, component, action);
      offered.add(new Offered(action.name(), action.title(), action.console(), action.seed(), refusal == null, refusal));
    }
    return offered;
  }

  /**
   * Does a console action as a person would, by {@code by}: refused (nothing changes) when the host,
   * component or action is unknown, when the host's site is down, or when the action is not allowed
   * in the component's current state.
   */
  public Acted act(String host, String component, String actionName, String by) {
    synchronized (state) {
      try {
        state.role(host);
      } catch (IllegalArgumentException e) {
        throw Refusal.unknown("host", "the lab has no simulated host " + host);
      }
      if (!state.hasComponent(host, component)) {
        throw Refusal.unknown("component", "the lab has no component " + component + " on " + host
            + " (it has " + state.componentNames(host) + ")");
      }
      LabModel.Action action = state.componentModel(host, component).actions().stream()
          .filter(a -> a.name().equals(actionName)).findFirst()
          .orElseThrow(() -> Refusal.unknown("action", "component " + component + " on " + host
              + " has no console action " + actionName + " (it has " + state.componentModel(host, component)
              .actions().stream().map(LabModel.Action::name).toList() + ")"));
      LabState.ComponentView before = state.component(host, component);
      String shown = "console " + component + " " + action.name() + " by " + by;
      String refusal = sites.isDown(state.siteOf(host))
          ? state.siteOf(host) + " is down: " + host + " does not answer"
          : refusal(state, host, before, action);
      if (refusal != null) {
        state.recordCommand(host, shown, 409, null);
        throw Refusal.notAllowed(before.state(), "'" + action.title() + "' (" + action.name() + ") is not allowed on " + host
            + " " + component + " in state " + before.state() + ": " + refusal);
      }
      LabExpressions expressions = state.models().expressions();
      LabScope scope = scope(state, host, before);
      LabSteps.Outcome outcome = steps.run("console", action.steps(), scope);
      if (outcome.exitCode() != 0) {
        state.recordCommand(host, shown, 409, null);
        throw Refusal.notAllowed(before.state(), "'" + action.title() + "' (" + action.name() + ") on " + host + " " + component
            + " in state " + before.state() + " failed: " + (outcome.stderr() + outcome.stdout()).trim());
      }
      if (action.to() != null) {
        state.set(host, component, null, expressions.value(action.to(), scope));
      }
      String counted = outcome.counted() != null ? outcome.counted() : "console " + component + " " + action.name();
      state.recordCommand(host, shown, 0, counted);
      log.info("lab console action {} on {} {} by {} ({} -> {})", action.name(), host, component, by,
          before.state(), state.state(host, component));
      return new Acted(host, component, action.name(), counted, state.component(host, component));
    }
  }

  /** Why an action is not allowed now, or null when it is. */
  private static String refusal(LabState state, String host, LabState.ComponentView component, LabModel.Action action) {
    if (!action.from().isEmpty() && !action.from().contains(component.state())) {
      return "allowed in " + String.join(" or ", action.from());
    }
    LabExpressions expressions = state.models().expressions();
    LabScope scope = scope(state, host, component);
    if (action.when() != null && !expressions.holds(action.when(), scope)) {
      return action.refusal() != null ? expressions.text(action.refusal(), scope) : "allowed when " + action.when();
    }
    return null;
  }

  private static LabScope scope(LabState state, String host, LabState.ComponentView component) {
    Map<String, Object> variables = new LinkedHashMap<>(component.attributes());
    variables.put("state", component.state());
    variables.put("component", component.name());
    return new LabScope(state, host, variables);
  }
}
