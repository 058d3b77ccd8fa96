package io.drrunbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;

/** Manual steps in drill tests: wait for the task, check the group may work it, complete it as the user. */
public final class DrillTasks {

  private DrillTasks() {}

  public static void complete(TaskService tasks, IdentityService identity, String processInstanceId,
      String taskKey, String user, String group, Map<String, Object> variables) {
    Task task = await("task " + taskKey).atMost(Duration.ofSeconds(60))
        .until(() -> tasks.createTaskQuery().processInstanceId(processInstanceId)
            .taskDefinitionKey(taskKey).singleResult(), t -> t != null);
    identity.setAuthentication(user, List.of(group));
    try {
      assertThat(tasks.createTaskQuery().taskId(task.getId()).taskCandidateGroup(group).count())
          .as("%s may work %s", group, taskKey).isEqualTo(1);
      tasks.complete(task.getId(), variables);
    } finally {
      identity.clearAuthentication();
    }
  }
}
