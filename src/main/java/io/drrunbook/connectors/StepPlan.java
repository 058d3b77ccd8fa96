package io.drrunbook.connectors;

import java.util.List;
import java.util.Map;

/**
 * What a connector would do for one step, rendered without contacting anything: the exact
 * requests in the order they would be sent ({@code actions}: full command lines after templating and
 * quoting, SQL with its bound values, DNS updates and queries, HTTP requests with the Authorization
 * masked), the systems they would reach ({@code targets}), and the result the step would hand on
 * when everything goes as the procedure expects ({@code result}, so that the walk can follow the
 * procedure's main path).
 */
public record StepPlan(List<String> actions, List<Target> targets, Map<String, Object> result) {

  /** A system of the topology a step would reach: its kind and logical name. */
  public record Target(TargetKind kind, String name) {
    @Override
    public String toString() {
      return kind.id() + " " + name;
    }
  }

  private static final String READ_AT_RUN_TIME = "<read at run time: ";

  /**
   * The stand-in a plan hands on for a value only a real run can read (an SCN, a row count): the
   * next steps render it as is, so the plan shows where their value comes from.
   */
  public static String readAtRunTime(String what) {
    return READ_AT_RUN_TIME + what + ">";
  }

  public static boolean isReadAtRunTime(Object value) {
    return value instanceof String text && text.startsWith(READ_AT_RUN_TIME) && text.endsWith(">");
  }

  public StepPlan {
    actions = List.copyOf(actions);
    targets = List.copyOf(targets);
    result = result == null ? Map.of() : result;
  }
}
