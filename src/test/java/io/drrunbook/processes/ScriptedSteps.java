package io.drrunbook.processes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.camunda.bpm.engine.task.Task;

/**
 * Stands in for {@code io.drrunbook.engine.StepWorker} in engine-only path tests: fetches the
 * external tasks of topic {@value #TOPIC} with their local variables only (= the task's input
 * parameters, exactly what a connector route would receive), records every call, and completes it
 * with the result map scripted for its activity id (as local variables, so the model's output
 * parameters map them on) or, when scripted to fail, with a BPMN error.
 *
 * <pre>
 * ScriptedSteps steps = new ScriptedSteps(processEngine)
 *     .returning("Task_SwitchDnsRecord", Map.of("previousAddresses", List.of("10.0.0.1")))
 *     .failingOnce("Task_VerifyNameResolution", "DR_VERIFY_FAILED", "no answer");
 * steps.drive();
 * assertThat(steps.calls("Task_SwitchDnsRecord")).hasSize(1);
 * </pre>
 */
public final class ScriptedSteps {

  public static final String TOPIC = "dr-step";
  public static final String WORKER_ID = "scripted-steps";
  /** Proxy hosts the default topology lookup answers (group cs-proxies of the lab topology). */
  public static final List<String> PROXY_HOSTS = List.of(
      "site1.cs-proxy-1", "site1.cs-proxy-2", "site2.cs-proxy-1", "site2.cs-proxy-2");

  private static final long LOCK_MILLIS = 60_000L;
  private static final int MAX_ROUNDS = 1_000;

  /** One step as a connector route would have received it. */
  public record Call(String activityId, String processInstanceId, Map<String, Object> inputs) {
    public Object input(String name) {
      return inputs.get(name);
    }
  }

  private record Failure(Predicate<Map<String, Object>> when, String errorCode, String message) {}

  private final ExternalTaskService externalTasks;
  private final Map<String, Map<String, Object>> results = new HashMap<>();
  private final Map<String, Function<Map<String, Object>, Map<String, Object>>> answers = new HashMap<>();
  private final Map<String, Deque<Failure>> failures = new HashMap<>();
  private final List<Call> calls = new ArrayList<>();

  public ScriptedSteps(ProcessEngine processEngine) {
    this.externalTasks = processEngine.getExternalTaskService();
    results.put("Task_ResolveTopology", defaultTopology());
  }

  /** What topology-lookup answers by default: the four proxies, the master's name and address. */
  public static Map<String, Object> defaultTopology() {
    Map<String, Object> topology = new LinkedHashMap<>();
    topology.put("members", new ArrayList<>(PROXY_HOSTS));
    topology.put("recordName", "cs-master.genesys.lab");
    topology.put("hostAddress", "127.0.2.10");
    topology.put("hostName", "cs-mgmt.site2.genesys.lab");
    return topology;
  }

  /** Every call of {@code activityId} completes with {@code result} (default: an empty map). */
  public ScriptedSteps returning(String activityId, Map<String, Object> result) {
    results.put(activityId, new LinkedHashMap<>(result));
    return this;
  }

  /** Each call of {@code activityId} completes with what {@code answer} makes of its inputs. */
  public ScriptedSteps answering(String activityId, Function<Map<String, Object>, Map<String, Object>> answer) {
    answers.put(activityId, answer);
    return this;
  }

  /** The next call of {@code activityId} ends with the BPMN error {@code errorCode}. */
  public ScriptedSteps failingOnce(String activityId, String errorCode, String message) {
    return failingOnce(activityId, inputs -> true, errorCode, message);
  }

  /** The next call of {@code activityId} whose inputs match {@code when} ends with a BPMN error. */
  public ScriptedSteps failingOnce(String activityId, Predicate<Map<String, Object>> when,
      String errorCode, String message) {
    failures.computeIfAbsent(activityId, id -> new ArrayDeque<>())
        .add(new Failure(when, errorCode, message));
    return this;
  }

  /**
   * Runs steps until none is left to fetch (the process waits at a user task or has ended).
   *
   * @return how many steps ran
   */
  public int drive() {
    int ran = 0;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      List<LockedExternalTask> tasks = externalTasks.fetchAndLock(10, WORKER_ID)
          .topic(TOPIC, LOCK_MILLIS)
          .localVariables()
          .execute();
      if (tasks.isEmpty()) {
        return ran;
      }
      for (LockedExternalTask task : tasks) {
        run(task);
        ran++;
      }
    }
    throw new IllegalStateException("still steps to run after " + MAX_ROUNDS + " rounds: a loop in the model?");
  }

  private void run(LockedExternalTask task) {
    Map<String, Object> inputs = Collections.unmodifiableMap(new LinkedHashMap<>(task.getVariables()));
    calls.add(new Call(task.getActivityId(), task.getProcessInstanceId(), inputs));
    Failure failure = takeFailure(task.getActivityId(), inputs);
    if (failure != null) {
      externalTasks.handleBpmnError(task.getId(), WORKER_ID, failure.errorCode(), failure.message());
      return;
    }
    Function<Map<String, Object>, Map<String, Object>> answer = answers.get(task.getActivityId());
    Map<String, Object> result = new LinkedHashMap<>(answer != null ? answer.apply(inputs)
        : results.getOrDefault(task.getActivityId(), Map.of()));
    externalTasks.complete(task.getId(), WORKER_ID, Map.of(), result);
  }

  private Failure takeFailure(String activityId, Map<String, Object> inputs) {
    Deque<Failure> scripted = failures.get(activityId);
    if (scripted == null) {
      return null;
    }
    for (Failure failure : scripted) {
      if (failure.when().test(inputs)) {
        scripted.remove(failure);
        return failure;
      }
    }
    return null;
  }

  /** Every call in the order the steps ran. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The calls of one activity, in order. */
  public List<Call> calls(String activityId) {
    return calls.stream().filter(call -> call.activityId().equals(activityId)).toList();
  }

  /** The inputs of the one call of {@code activityId} (fails unless it ran exactly once). */
  public Map<String, Object> onlyInputs(String activityId) {
    List<Call> of = calls(activityId);
    if (of.size() != 1) {
      throw new AssertionError(activityId + " ran " + of.size() + " times, not once");
    }
    return of.get(0).inputs();
  }

  /** The value a run (ended or not) last gave its process variable {@code name}, from the history. */
  public static Object variable(ProcessEngine processEngine, String processInstanceId, String name) {
    return processEngine.getHistoryService().createHistoricVariableInstanceQuery()
        .processInstanceId(processInstanceId).variableName(name).singleResult().getValue();
  }

  /** The activity ids of all calls, in order. */
  public List<String> activityIds() {
    return calls.stream().map(Call::activityId).toList();
  }

  /** The task's formRef resolves to the deployed Camunda Form of that id. */
  public static void assertDeployedForm(ProcessEngine processEngine, Task task, String formId) {
    try (InputStream form = processEngine.getFormService().getDeployedTaskForm(task.getId())) {
      org.assertj.core.api.Assertions.assertThat(new String(form.readAllBytes(), StandardCharsets.UTF_8))
          .contains("\"id\": \"" + formId + "\"");
    } catch (IOException e) {
      throw new AssertionError("cannot read the form of " + task.getTaskDefinitionKey(), e);
    }
  }
}
