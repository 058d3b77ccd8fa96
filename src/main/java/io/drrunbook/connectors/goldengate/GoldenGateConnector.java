package io.drrunbook.connectors.goldengate;

import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepInputs;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.StepPlanner;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.connectors.goldengate.GoldenGateProperties.CommandSet;
import io.drrunbook.connectors.ssh.CommandCatalog;
import io.drrunbook.connectors.ssh.SshExecConnector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Route {@code goldengate} (connectors/goldengate.camel.yaml): one GoldenGate operation on one
 * GoldenGate host, for the Info Mart procedures (B1 step 1, B2 steps 6, 10, 11, 17, 18 of seed 001).
 * The operation is mapped to a command catalog entry by the configured command set
 * ({@link GoldenGateProperties}) and run through {@link SshExecConnector} (check -> act -> verify
 * per group), then the group's status is read for the result.
 *
 * <p>Inputs: {@code host}, {@code operation} (status, lag, stop, start, start-replicat-at-scn,
 * clean-folders), {@code process} (group names, comma-separated; not for clean-folders),
 * {@code type} (extract, pump, replicat; start-replicat-at-scn: replicat, the default),
 * {@code scn} (digits, start-replicat-at-scn), {@code expectStatus} (status: the status every group
 * must have), {@code maxLagSeconds} (lag: the highest lag accepted), {@code timeoutSeconds}.
 * Result: {@code host}, {@code operation}, {@code processes}, {@code status} (common status of the
 * groups, or MIXED), {@code statuses} (group -> status), {@code lagSeconds} (lag: the highest),
 * {@code startedAtScn} (start-replicat-at-scn), {@code changed}, {@code output}. Business errors:
 * DR_VERIFY_FAILED (expectStatus or maxLagSeconds not met, a group not running for lag, the status
 * after the act is wrong), DR_PRECONDITION_FAILED (folders cleaned while a group runs; a Replicat
 * already running from another CSN).
 */
@Component("goldenGate")
public class GoldenGateConnector implements StepPlanner {

  static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,7}");
  static final Pattern DIGITS = Pattern.compile("[0-9]{1,20}");
  private static final int MAX_OUTPUT = 4000;

  private final SshExecConnector sshExec;
  private final GoldenGateProperties properties;

  public GoldenGateConnector(SshExecConnector sshExec, GoldenGateProperties properties,
      CommandCatalog catalog) {
    this.sshExec = sshExec;
    this.properties = properties;
    List<String> problems = new ArrayList<>();
    properties.getCommandSets().forEach((name, set) -> problems.addAll(set.problems(name, catalog.keySet())));
    properties.selected();
    if (!problems.isEmpty()) {
      throw new IllegalStateException("dr.goldengate is not well-formed: " + problems);
    }
  }

  public Map<String, Object> execute(Map<String, Object> body) {
    Step step = step(body, false);
    CommandSet set = step.set;
    Map<String, Object> result = step.resultHead();
    if (step.operation.equals("clean-folders")) {
      Map<String, Object> ran = sshExec.execute(step.sshInputs(set.command("clean-folders"), null));
      result.put("changed", ran.get("changed"));
      result.put("output", ran.get("stdout"));
      return result;
    }

    Map<String, String> statuses = new LinkedHashMap<>();
    StringBuilder output = new StringBuilder();
    boolean changed = false;
    long highestLag = 0;
    String startedAtScn = null;
    for (String process : step.processes) {
      if (step.acts()) {
        Map<String, Object> acted = sshExec.execute(step.sshInputs(set.command(step.operation), process));
        changed |= Boolean.TRUE.equals(acted.get("changed"));
        append(output, acted.get("stdout"));
      }
      String statusOutput = (String) sshExec.execute(step.sshInputs(set.command("status"), process)).get("stdout");
      append(output, statusOutput);
      String status = find(set.getStatusPattern(), "status", statusOutput);
      status = status == null ? "UNKNOWN" : status.toUpperCase(Locale.ROOT);
      statuses.put(process, status);
      result.put("statuses", statuses);
      result.put("output", bound(output.toString()));

      if (step.operation.equals("start-replicat-at-scn")) {
        String running = find(set.getStartScnPattern(), "scn", statusOutput);
        if (running != null && !running.equals(step.scn)) {
          throw new StepBusinessException("DR_PRECONDITION_FAILED", "Replicat " + process + " on "
              + step.host + " already runs, started after CSN " + running + ", not " + step.scn
              + ": stop it first if it must restart from " + step.scn, result);
        }
        startedAtScn = running != null ? running : step.scn;
      }
      if (step.operation.equals("status") && step.expectStatus != null
          && !step.expectStatus.equals(status)) {
        throw new StepBusinessException("DR_VERIFY_FAILED", step.typeWord() + " " + process + " on "
            + step.host + " is " + status + ", expected " + step.expectStatus, result);
      }
      if (step.operation.equals("lag")) {
        if (!"RUNNING".equals(status)) {
          throw new StepBusinessException("DR_VERIFY_FAILED", step.typeWord() + " " + process
              + " on " + step.host + " is " + status + ": no replication to measure", result);
        }
        String lagOutput = (String) sshExec.execute(step.sshInputs(set.command("lag"), process)).get("stdout");
        append(output, lagOutput);
        String lag = find(set.getLagPattern(), "lag", lagOutput);
        if (lag == null) {
          throw new IllegalStateException("the lag of " + process + " on " + step.host
              + " is not in its output: " + bound(lagOutput));
        }
        highestLag = Math.max(highestLag, Long.parseLong(lag));
        result.put("lagSeconds", highestLag);
        result.put("output", bound(output.toString()));
        if (step.maxLagSeconds != null && Long.parseLong(lag) > step.maxLagSeconds) {
          throw new StepBusinessException("DR_VERIFY_FAILED", step.typeWord() + " " + process
              + " on " + step.host + " lags " + lag + " seconds, more than " + step.maxLagSeconds,
              result);
        }
      }
    }
    result.put("status", new LinkedHashSet<>(statuses.values()).size() == 1
        ? statuses.values().iterator().next() : "MIXED");
    result.put("statuses", statuses);
    if (step.operation.equals("lag")) {
      result.put("lagSeconds", highestLag);
    }
    if (startedAtScn != null) {
      result.put("startedAtScn", startedAtScn);
    }
    result.put("changed", changed);
    result.put("output", bound(output.toString()));
    return result;
  }

  @Override
  public Set<String> plannedRoutes() {
    return Set.of("goldengate");
  }

  /**
   * The command lines the step would send, per group in order (the ssh-exec check, run, verify of
   * the operation's entry, then the status read and, for lag, the lag read), and the result of the
   * expected outcome. Nothing is contacted.
   */
  @Override
  public StepPlan plan(String route, Map<String, Object> body) {
    Step step = step(body, true);
    CommandSet set = step.set;
    List<String> actions = new ArrayList<>();
    Map<String, Object> result = step.resultHead();
    if (step.operation.equals("clean-folders")) {
      actions.addAll(sshExec.plan("ssh-exec", step.sshInputs(set.command("clean-folders"), null)).actions());
      result.put("changed", true);
      result.put("output", "");
      return new StepPlan(actions, List.of(new StepPlan.Target(TargetKind.HOST, step.host)), result);
    }
    String expected = switch (step.operation) {
      case "stop" -> "STOPPED";
      case "status" -> step.expectStatus == null ? "RUNNING" : step.expectStatus;
      default -> "RUNNING";
    };
    Map<String, String> statuses = new LinkedHashMap<>();
    for (String process : step.processes) {
      if (step.acts()) {
        actions.addAll(sshExec.plan("ssh-exec", step.sshInputs(set.command(step.operation), process)).actions());
      }
      actions.addAll(sshExec.plan("ssh-exec", step.sshInputs(set.command("status"), process)).actions());
      if (step.operation.equals("lag")) {
        actions.addAll(sshExec.plan("ssh-exec", step.sshInputs(set.command("lag"), process)).actions());
      }
      statuses.put(process, expected);
    }
    result.put("status", expected);
    result.put("statuses", statuses);
    if (step.operation.equals("lag")) {
      result.put("lagSeconds", 0L);
    }
    if (step.operation.equals("start-replicat-at-scn")) {
      result.put("startedAtScn", step.scn);
    }
    result.put("changed", step.acts());
    result.put("output", "");
    return new StepPlan(actions, List.of(new StepPlan.Target(TargetKind.HOST, step.host)), result);
  }

  /** {@code planning}: a dry-run, where an SCN read at run time is not known yet (see StepPlan). */
  private Step step(Map<String, Object> body, boolean planning) {
    StepInputs inputs = new StepInputs(body);
    CommandSet set = properties.selected();
    String host = inputs.required("host");
    String operation = inputs.required("operation").trim().toLowerCase(Locale.ROOT);
    if (!GoldenGateProperties.OPERATIONS.contains(operation)) {
      throw new IllegalArgumentException("input operation is '" + operation + "', expected one of "
          + GoldenGateProperties.OPERATIONS);
    }
    Step step = new Step(inputs, set, host, operation);
    if (operation.equals("clean-folders")) {
      return step;
    }
    for (String name : inputs.required("process").split(",")) {
      String process = name.trim();
      if (!GROUP_NAME.matcher(process).matches()) {
        throw new IllegalArgumentException("input process: '" + process + "' is not a GoldenGate"
            + " group name (a letter, then up to 7 letters, digits or _)");
      }
      step.processes.add(process.toUpperCase(Locale.ROOT));
    }
    String type = inputs.optional("type", operation.equals("start-replicat-at-scn") ? "replicat" : null);
    if (type == null || !GoldenGateProperties.TYPES.contains(type.trim().toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("input type is '" + type + "', expected one of "
          + GoldenGateProperties.TYPES);
    }
    step.type = type.trim().toLowerCase(Locale.ROOT);
    if (operation.equals("start-replicat-at-scn")) {
      if (!step.type.equals("replicat")) {
        throw new IllegalArgumentException("start-replicat-at-scn starts a replicat, not a " + step.type);
      }
      step.scn = inputs.required("scn").trim();
      if (!DIGITS.matcher(step.scn).matches() && !(planning && StepPlan.isReadAtRunTime(step.scn))) {
        throw new IllegalArgumentException("input scn is '" + step.scn + "', expected digits");
      }
    }
    String expect = inputs.optional("expectStatus", null);
    step.expectStatus = expect == null ? null : expect.trim().toUpperCase(Locale.ROOT);
    String maxLag = inputs.optional("maxLagSeconds", null);
    if (maxLag != null) {
      try {
        step.maxLagSeconds = Long.parseLong(maxLag.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("input maxLagSeconds is not a number: " + maxLag, e);
      }
    }
    return step;
  }

  private static String find(String regex, String group, String text) {
    if (regex == null || regex.isBlank() || text == null) {
      return null;
    }
    Matcher matcher = Pattern.compile(regex).matcher(text);
    return matcher.find() ? matcher.group(group) : null;
  }

  private static void append(StringBuilder output, Object text) {
    if (text != null && !text.toString().isEmpty()) {
      output.append(text);
      if (!text.toString().endsWith("\n")) {
        output.append('\n');
      }
    }
  }

  private static String bound(String text) {
    return text == null || text.length() <= MAX_OUTPUT ? text
        : text.substring(0, MAX_OUTPUT - 12) + "\n[truncated]";
  }

  /** One step's validated inputs. */
  private static final class Step {
    final StepInputs inputs;
    final CommandSet set;
    final String host;
    final String operation;
    final List<String> processes = new ArrayList<>();
    String type;
    String scn;
    String expectStatus;
    Long maxLagSeconds;

    Step(StepInputs inputs, CommandSet set, String host, String operation) {
      this.inputs = inputs;
      this.set = set;
      this.host = host;
      this.operation = operation;
    }

    boolean acts() {
      return operation.equals("stop") || operation.equals("start")
          || operation.equals("start-replicat-at-scn");
    }

    String typeWord() {
      return type == null ? "group" : switch (type) {
        case "pump" -> "DataPump";
        case "replicat" -> "Replicat";
        default -> "Extract";
      };
    }

    Map<String, Object> resultHead() {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("host", host);
      result.put("operation", operation);
      if (!processes.isEmpty()) {
        result.put("processes", List.copyOf(processes));
      }
      return result;
    }

    /** What ssh-exec gets for one catalog entry: only the placeholders the entries use. */
    Map<String, Object> sshInputs(String command, String process) {
      Map<String, Object> ssh = new LinkedHashMap<>();
      ssh.put("host", host);
      ssh.put("command", command);
      if (process != null) {
        ssh.put("process", process);
        ssh.put("groupType", set.getGroupTypes().get(type));
      }
      if (scn != null) {
        ssh.put("scn", scn);
      }
      copy(StepInputs.TIMEOUT_SECONDS, ssh);
      copy(StepInputs.IDEMPOTENCY_KEY, ssh);
      copy(StepInputs.STEP_NAME, ssh);
      return ssh;
    }

    private void copy(String name, Map<String, Object> to) {
      Object value = inputs.asMap().get(name);
      if (value != null) {
        to.put(name, value);
      }
    }
  }
}
