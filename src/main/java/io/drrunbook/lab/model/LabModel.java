package io.drrunbook.lab.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One vendor system of the drill lab, as written in a model file under {@code lab/models/}: the
 * roles a simulated host can play, the components each role holds per site with their initial
 * state, and the commands (over SSH) and API calls (over HTTP) those hosts accept, with what each does
 * to the state and what it prints or returns. The format is documented in {@code docs/lab-models.md}.
 *
 * <p>Every string value in a step is a template: {@code ${expression}} parts are Spring Expression
 * Language evaluated against a {@link LabScope}; an {@code if} is one expression without braces.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record LabModel(
    String system,
    String title,
    String source,
    Map<String, Role> roles,
    List<Command> commands,
    List<Api> apis) {

  public LabModel {
    roles = roles == null ? Map.of() : new LinkedHashMap<>(roles);
    commands = commands == null ? List.of() : List.copyOf(commands);
    apis = apis == null ? List.of() : List.copyOf(apis);
  }

  /** A role a topology host (or HTTP endpoint) plays: its components. */
  public record Role(String title, Map<String, Component> components) {
    public Role {
      components = components == null ? Map.of() : new LinkedHashMap<>(components);
    }
  }

  /**
   * A component of a role (an application, a replicat group, a proxy). {@code state} and
   * {@code attributes} are templates giving the initial values (variables: site, mainSite, host,
   * address, ...); {@code derived} values are recomputed from the stored ones at every read (in
   * order; each sees the stored attributes and the derived values before it). With {@code each} and
   * {@code as} the component is repeated per element and {@code name} names each copy.
   * {@code kind: replication} marks a replication direction (attributes from, to, lagSeconds) for the
   * state view. {@code actions} are the console actions a person rehearsing does on it (a button
   * on the dashboard, {@code POST /lab/api/consoles/{host}/{component}/{action}}).
   */
  public record Component(
      String title,
      String kind,
      String each,
      String as,
      String name,
      String state,
      Map<String, Object> attributes,
      Map<String, String> derived,
      List<Action> actions) {
    public Component {
      attributes = attributes == null ? Map.of() : new LinkedHashMap<>(attributes);
      derived = derived == null ? Map.of() : new LinkedHashMap<>(derived);
      actions = actions == null ? List.of() : List.copyOf(actions);
    }
  }

  /**
   * A console action of a component: what a person clicks on a vendor's GUI (Oceana Manager's "Set
   * Cluster Group to Standby", BackupAndRestore.exe's "Demote to Async"), played in the lab.
   * {@code name} is its URL word (lower case, digits, '-'), {@code title} the button's text as the
   * seed names it, {@code console} where a person does it, {@code seed} the seed lines. It is allowed
   * when the component's state is one of {@code from} (absent: any) and {@code if} holds (one
   * expression; variables: the component's attributes, {@code state}, {@code component}); otherwise
   * it is refused with {@code refusal} (a template). Acting runs {@code steps} (as a command's; a
   * {@code fail} before any {@code set} refuses it), then sets the component's state to {@code to}
   * (if given), and counts the action on the host (a step's {@code count}, else
   * {@code console <component> <name>}).
   */
  public record Action(
      String name,
      String title,
      String console,
      String seed,
      List<String> from,
      @JsonProperty("if") String when,
      String refusal,
      String to,
      List<Step> steps) {
    public Action {
      from = from == null ? List.of() : List.copyOf(from);
      steps = steps == null ? List.of() : List.copyOf(steps);
    }
  }

  /**
   * A program a host of the given roles runs. It is called by its {@code path} or its bare name (the
   * last path segment; the folder is on the PATH). The first form whose {@code args} match runs; when
   * none matches, {@code usage} is printed to stderr with exit code {@code usage-exit} (2).
   */
  public record Command(
      String path,
      List<String> roles,
      String usage,
      @JsonProperty("usage-exit") Integer usageExit,
      List<Form> forms) {
    public Command {
      roles = roles == null ? List.of() : List.copyOf(roles);
      forms = forms == null ? List.of() : List.copyOf(forms);
    }

    /** The bare program name, e.g. genesys-ctl for /opt/dr/bin/genesys-ctl. */
    public String name() {
      int slash = path == null ? -1 : path.lastIndexOf('/');
      return slash < 0 ? path : path.substring(slash + 1);
    }
  }

  /**
   * One accepted argument list. Each element is a literal word, {@code {var}} (any one word),
   * {@code {var:a|b|c}} (one of these words) or, last, {@code {var...}} (the remaining words, at least
   * one, as a list).
   */
  public record Form(List<String> args, List<Step> steps) {
    public Form {
      args = args == null ? List.of() : List.copyOf(args);
      steps = steps == null ? List.of() : List.copyOf(steps);
    }
  }

  /**
   * An HTTP call a host of the given roles answers: {@code method} and {@code path} (with
   * {@code {var}} segments), or for SOAP ({@code method: POST}) a {@code soap-action}. Steps see
   * {@code body} (the request body as text), {@code json} (the parsed JSON body, if any) and the path
   * variables; {@code print} writes the response body, {@code status} sets the HTTP status (200).
   */
  public record Api(
      List<String> roles,
      String method,
      String path,
      @JsonProperty("soap-action") String soapAction,
      @JsonProperty("content-type") String contentType,
      List<Step> steps) {
    public Api {
      roles = roles == null ? List.of() : List.copyOf(roles);
      steps = steps == null ? List.of() : List.copyOf(steps);
    }
  }

  /**
   * One step of a command or API call, run in order; it applies only if {@code if} holds (for each
   * element of {@code each}, bound to {@code as}, when given). Its parts apply in this order:
   * {@code let} (variables), {@code prompt} (printed without a new line and sent at once: the
   * command then waits on its input), {@code read} (one line of the command's standard input into
   * the variable of that name; null at end of input), {@code set} (component state: key {@code component} or
   * {@code component.attribute}, on another host {@code host/component[.attribute]}), {@code count}
   * (a state-changing action, counted per host), {@code print} (stdout / response body),
   * {@code stderr}, {@code delay} (the configured delay of that name, spent after the answer is
   * recorded), {@code status} (HTTP), nested {@code steps}, and {@code exit} (ends the command with
   * that exit code). A {@code fail} message ends it with exit 1 and "program: message" on stderr.
   */
  public record Step(
      @JsonProperty("if") String when,
      String each,
      String as,
      Map<String, Object> let,
      String prompt,
      String read,
      Map<String, Object> set,
      String count,
      String print,
      String stderr,
      String delay,
      Object status,
      List<Step> steps,
      Integer exit,
      String fail) {
    public Step {
      let = let == null ? Map.of() : new LinkedHashMap<>(let);
      set = set == null ? Map.of() : new LinkedHashMap<>(set);
      steps = steps == null ? List.of() : List.copyOf(steps);
    }
  }
}
