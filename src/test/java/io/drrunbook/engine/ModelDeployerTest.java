package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.FormService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DeploymentWithDefinitions;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ModelDeployer} with the shipped processes and forms on the engine alone: the models bind
 * their forms to the deployment ({@code camunda:formRefBinding="deployment"}), so a run keeps the
 * form it started with, a change to one form deploys all processes and forms together, and an
 * unchanged set deploys nothing. Forms are resolved as Tasklist does, through
 * {@link FormService#getDeployedTaskForm} and {@link FormService#getDeployedStartForm}.
 */
@ExtendWith(ProcessEngineExtension.class)
class ModelDeployerTest {

  static final String DECISION_PROCESS = "dr-step-failure-decision";
  static final String DECISION_FORM = "forms/form-step-failure-decision.form";
  static final String FAILOVER_PROCESS = "dr-gim-site-failover";
  static final String FAILOVER_START_FORM = "forms/form-start-gim-site-failover.form";
  static final String CHANGED_TEXT = "# An automated step of the run failed (form changed)";

  ProcessEngine processEngine;
  RepositoryService repositoryService;
  FormService formService;
  ModelDeployer deployer;
  Map<String, byte[]> shipped;

  @BeforeEach
  void setUp() throws IOException {
    repositoryService = processEngine.getRepositoryService();
    formService = processEngine.getFormService();
    deployer = new ModelDeployer(repositoryService);
    shipped = ModelDeployer.classpathModels();
  }

  @AfterEach
  void tearDown() {
    repositoryService.createDeploymentQuery().deploymentName(ModelDeployer.DEPLOYMENT_NAME).list()
        .forEach(deployment -> repositoryService.deleteDeployment(deployment.getId(), true));
  }

  @Test
  void shouldFindEveryShippedProcessAndFormWhenTheClassPathIsRead() {
    assertThat(shipped.keySet())
        .contains("processes/" + DECISION_PROCESS + ".bpmn", "processes/" + FAILOVER_PROCESS + ".bpmn",
            DECISION_FORM, FAILOVER_START_FORM)
        .allMatch(name -> name.matches("(processes/[a-z0-9-]+\\.bpmn|forms/[a-z0-9-]+\\.form)"));
  }

  @Test
  void shouldDeployNothingWhenNothingChanged() {
    DeploymentWithDefinitions first = deployer.deploy(shipped).orElseThrow();

    assertThat(deployer.deploy(copy(shipped))).isEmpty();

    assertThat(repositoryService.createDeploymentQuery().deploymentName(ModelDeployer.DEPLOYMENT_NAME).list())
        .extracting(deployment -> deployment.getId())
        .containsExactly(first.getId());
    assertThat(repositoryService.createProcessDefinitionQuery().processDefinitionKey(DECISION_PROCESS)
        .deploymentId(first.getId()).singleResult().getVersion())
        .isEqualTo(repositoryService.createProcessDefinitionQuery().processDefinitionKey(DECISION_PROCESS)
            .latestVersion().singleResult().getVersion());
  }

  @Test
  void shouldRedeployProcessesAndFormsTogetherWhenOneFormChanged() {
    DeploymentWithDefinitions first = deployer.deploy(shipped).orElseThrow();

    DeploymentWithDefinitions second = deployer.deploy(withChangedDecisionForm()).orElseThrow();

    assertThat(second.getId()).isNotEqualTo(first.getId());
    assertThat(resourceNames(second.getId())).isEqualTo(shipped.keySet()).isEqualTo(resourceNames(first.getId()));
    assertThat(second.getDeployedProcessDefinitions())
        .extracting(ProcessDefinition::getKey)
        .containsExactlyInAnyOrderElementsOf(
            first.getDeployedProcessDefinitions().stream().map(ProcessDefinition::getKey).toList())
        .contains(DECISION_PROCESS, FAILOVER_PROCESS);
    // an unchanged form is deployed again with the processes that reference it
    ProcessDefinition failover = repositoryService.createProcessDefinitionQuery()
        .processDefinitionKey(FAILOVER_PROCESS).deploymentId(second.getId()).singleResult();
    assertThat(text(formService.getDeployedStartForm(failover.getId())))
        .isEqualTo(new String(shipped.get(FAILOVER_START_FORM), StandardCharsets.UTF_8));
    assertThat(text(repositoryService.getResourceAsStream(second.getId(), DECISION_FORM))).contains(CHANGED_TEXT);
    // deploying the changed set once more changes nothing
    assertThat(deployer.deploy(withChangedDecisionForm())).isEmpty();
  }

  @Test
  void shouldKeepTheFormARunStartedWithWhenTheFormChangesDuringTheRun() {
    deployer.deploy(shipped).orElseThrow();
    ProcessInstance before = startDecision("Stop the Replicat");

    deployer.deploy(withChangedDecisionForm()).orElseThrow();
    ProcessInstance after = startDecision("Start the Replicat");

    assertThat(before.getProcessDefinitionId()).isNotEqualTo(after.getProcessDefinitionId());
    String beforeForm = text(formService.getDeployedTaskForm(task(before).getId()));
    String afterForm = text(formService.getDeployedTaskForm(task(after).getId()));
    assertThat(beforeForm)
        .isEqualTo(new String(shipped.get(DECISION_FORM), StandardCharsets.UTF_8))
        .doesNotContain(CHANGED_TEXT);
    assertThat(afterForm).contains(CHANGED_TEXT);
    assertThat(task(before).getCamundaFormRef().getBinding()).isEqualTo("deployment");
  }

  // --- helpers -------------------------------------------------------------------------------

  private ProcessInstance startDecision(String stepName) {
    return processEngine.getRuntimeService().startProcessInstanceByKey(DECISION_PROCESS,
        "CHG0012345", Map.of("runStepName", stepName));
  }

  private Task task(ProcessInstance run) {
    return processEngine.getTaskService().createTaskQuery().processInstanceId(run.getId())
        .initializeFormKeys().singleResult();
  }

  private Map<String, byte[]> withChangedDecisionForm() {
    Map<String, byte[]> changed = copy(shipped);
    String form = new String(shipped.get(DECISION_FORM), StandardCharsets.UTF_8);
    assertThat(form).contains("# An automated step of the run failed\\n");
    changed.put(DECISION_FORM, form.replace("# An automated step of the run failed\\n", CHANGED_TEXT + "\\n")
        .getBytes(StandardCharsets.UTF_8));
    return changed;
  }

  private Set<String> resourceNames(String deploymentId) {
    return repositoryService.getDeploymentResources(deploymentId).stream()
        .map(resource -> resource.getName()).collect(Collectors.toSet());
  }

  private static Map<String, byte[]> copy(Map<String, byte[]> resources) {
    Map<String, byte[]> copy = new LinkedHashMap<>();
    resources.forEach((name, bytes) -> copy.put(name, bytes.clone()));
    return copy;
  }

  private static String text(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
