package io.drrunbook.runs;

import io.drrunbook.common.ApiException;
import io.drrunbook.core.RunModes;
import io.drrunbook.core.RunVariables;
import io.drrunbook.runs.RunViews.Links;
import io.drrunbook.runs.RunViews.Run;
import io.drrunbook.runs.RunViews.RunState;
import io.drrunbook.runs.RunViews.Ticket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.variable.value.ObjectValue;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Finds a run by id (a 404 problem for an unknown or malformed id) and describes it in brief:
 * ticket, mode (as recorded at its start), state and links into the API, Cockpit and Tasklist.
 */
@Component
public class RunLookup {

  static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

  private final HistoryService history;
  private final RuntimeService runtime;
  private final RunModes runModes;
  private final String webappPath;

  public RunLookup(HistoryService history, RuntimeService runtime, RunModes runModes,
      @Value("${camunda.bpm.webapp.application-path:/camunda}") String webappPath) {
    this.history = history;
    this.runtime = runtime;
    this.runModes = runModes;
    this.webappPath = webappPath;
  }

  /** A run in brief. */
  public Run run(String id, String baseUrl) {
    HistoricProcessInstance instance = historic(id);
    return run(instance, variables(List.of(id)).getOrDefault(id, Map.of()), baseUrl);
  }

  HistoricProcessInstance historic(String id) {
    if (id == null || !RUN_ID.matcher(id).matches()) {
      throw ApiException.notFound("id", "no such run");
    }
    HistoricProcessInstance instance =
        history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult();
    if (instance == null) {
      throw ApiException.notFound("id", "no such run");
    }
    return instance;
  }

  Run run(HistoricProcessInstance instance, Map<String, Object> variables, String baseUrl) {
    Ticket ticket = new Ticket(text(variables.get(RunVariables.TICKET_SYSTEM)),
        // a run started in Tasklist or through the engine API may have neither: its ticket is unknown
        Optional.ofNullable(text(variables.get(RunVariables.TICKET_ID))).orElse(instance.getBusinessKey()),
        text(variables.get(RunVariables.TICKET_URL)));
    return new Run(instance.getId(), instance.getProcessDefinitionKey(), ticket,
        text(variables.get(RunVariables.RUN_MODE)), state(instance), instance.getStartUserId(),
        instant(instance.getStartTime()), instant(instance.getEndTime()), links(instance.getId(), baseUrl));
  }

  RunState state(HistoricProcessInstance instance) {
    String state = instance.getState();
    if (HistoricProcessInstance.STATE_COMPLETED.equals(state)) {
      return RunState.COMPLETED;
    }
    if (HistoricProcessInstance.STATE_EXTERNALLY_TERMINATED.equals(state)
        || HistoricProcessInstance.STATE_INTERNALLY_TERMINATED.equals(state)) {
      return RunState.CANCELLED;
    }
    if (HistoricProcessInstance.STATE_SUSPENDED.equals(state)) {
      return RunState.SUSPENDED;
    }
    boolean incident = runtime.createIncidentQuery().processInstanceId(instance.getId()).count() > 0;
    return incident ? RunState.INCIDENT : RunState.ACTIVE;
  }

  Links links(String id, String baseUrl) {
    String query = "[{\"type\":\"processInstanceId\",\"operator\":\"eq\",\"value\":\"" + id + "\"}]";
    return new Links(baseUrl + "/api/runs/" + id,
        baseUrl + webappPath + "/app/cockpit/default/#/process-instance/" + id + "/runtime",
        baseUrl + webappPath + "/app/tasklist/default/#/?searchQuery="
            + URLEncoder.encode(query, StandardCharsets.UTF_8),
        baseUrl + "/api/runs/" + id + "/report", baseUrl + "/api/runs/" + id + "/plan");
  }

  Map<String, Map<String, Object>> variables(List<String> processInstanceIds) {
    Map<String, Map<String, Object>> byInstance = new HashMap<>();
    if (processInstanceIds.isEmpty()) {
      return byInstance;
    }
    for (HistoricVariableInstance variable : history.createHistoricVariableInstanceQuery()
        .processInstanceIdIn(processInstanceIds.toArray(String[]::new))
        .variableNameIn(RunVariables.TICKET_SYSTEM, RunVariables.TICKET_ID, RunVariables.TICKET_URL,
            RunVariables.RUN_MODE)
        .disableCustomObjectDeserialization().list()) {
      // only the run's own scope (a step could have a local variable of the same name)
      if (Objects.equals(variable.getProcessInstanceId(), variable.getExecutionId())) {
        byInstance.computeIfAbsent(variable.getProcessInstanceId(), k -> new HashMap<>())
            .put(variable.getName(), value(variable));
      }
    }
    // the mode is the one recorded at the start, whatever the variable says now
    runModes.recorded(processInstanceIds).forEach((id, mode) ->
        byInstance.computeIfAbsent(id, k -> new HashMap<>()).put(RunVariables.RUN_MODE, mode.id()));
    return byInstance;
  }

  static String text(Object value) {
    return value == null ? null : value.toString();
  }

  static Instant instant(Date date) {
    return date == null ? null : date.toInstant();
  }

  /**
   * The value of a variable read without deserializing objects: its serialized form for an object
   * (a list set through the engine API, say), so that no edited variable breaks a read.
   */
  static Object value(HistoricVariableInstance variable) {
    if (variable.getTypedValue() instanceof ObjectValue object && !object.isDeserialized()) {
      return object.getValueSerialized();
    }
    return variable.getValue();
  }
}
