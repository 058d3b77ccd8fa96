package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.taskQuery;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.withVariables;

import io.drrunbook.processes.ScriptedSteps.Call;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputOutput;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputParameter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Path tests of {@code processes/dr-genesys-cs-failover.bpmn} (PROCEDURES A1) on the engine alone:
 * one test per path, each asserting the path taken and the connector calls with their inputs.
 */
@ExtendWith(ProcessEngineExtension.class)
@Deployment(resources = {
    "processes/dr-genesys-cs-failover.bpmn",
    "forms/form-declare-disaster.form",
    "forms/form-resolve-dns-switch.form",
    "forms/form-investigate-proxy.form",
    "forms/form-confirm-operations-restored.form"})
class GenesysCsFailoverProcessTest {

  static final String PROCESS_ID = "dr-genesys-cs-failover";
  static final String TICKET = "CHG0012345";
  static final String STARTED_BY = "olivia.operator";
  static final String MASTER_NAME = "cs-master.genesys.lab";
  static final String SITE2_ADDRESS = "127.0.2.10";
  static final String VERIFY_FAILED = "DR_VERIFY_FAILED";

  /** The main line of A1 in order, up to the proxy switch. */
  static final List<String> MAIN_STEPS = List.of(
      "Task_ResolveTopology",
      "Task_StopReplication",
      "Task_EnableDatabaseAccess",
      "Task_StartMasterCsPair",
      "Task_StartScsMessageServer",
      "Task_StartMasterScs",
      "Task_SwitchDnsRecord");

  ProcessEngine processEngine;
  ScriptedSteps steps;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(processEngine);
    steps = new ScriptedSteps(processEngine)
        .returning("Task_SwitchDnsRecord", Map.of(
            "previousAddresses", new ArrayList<>(List.of("127.0.1.10")), "changed", true));
  }

  @AfterEach
  void tearDown() {
    processEngine.getIdentityService().clearAuthentication();
  }

  @Test
  void shouldFailOverEveryProxyToSite2WhenTheDisasterIsDeclared() {
    ProcessInstance run = start();

    steps.drive();
    declareDisaster(run, true);
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_ConfirmOperationsRestored");
    assertThat(processEngine.getRuntimeService().getVariables(run.getId()))
        .as("variables of the run: step inputs, results and per-proxy values stay in their scopes")
        .containsOnlyKeys("runStartedBy", "proxyHosts", "masterCsName", "site2CsAddress", "disasterDeclared",
            "disasterReason", "decidedBy", "dnsPreviousAddresses");
    confirmOperationsRestored(run);

    assertThat(run).isEnded()
        .hasPassedInOrder("StartEvent_FailoverRequested", "Task_ResolveTopology", "UserTask_DeclareDisaster",
            "Gateway_DisasterDeclared", "Task_StopReplication", "Task_EnableDatabaseAccess",
            "Task_StartMasterCsPair", "Task_StartScsMessageServer", "Task_StartMasterScs",
            "Task_SwitchDnsRecord", "SubProcess_SwitchProxies", "UserTask_ConfirmOperationsRestored",
            "EndEvent_FailedOver")
        .hasNotPassed("EndEvent_DisasterNotDeclared", "BoundaryEvent_DnsNotSwitched", "UserTask_ResolveDnsSwitch",
            "BoundaryEvent_NameNotResolved", "BoundaryEvent_ProxyNotNormal", "UserTask_InvestigateProxy");

    // the steps ran in the order of the seed, then each proxy was pushed and verified
    assertThat(steps.activityIds().subList(0, MAIN_STEPS.size())).containsExactlyElementsOf(MAIN_STEPS);
    assertThat(steps.calls()).hasSize(MAIN_STEPS.size() + 3 * ScriptedSteps.PROXY_HOSTS.size());
    assertThat(historicCount(run, "SubProcess_SwitchProxies")).isEqualTo(ScriptedSteps.PROXY_HOSTS.size());
    assertThat(historicCount(run, "EndEvent_ProxySwitched")).isEqualTo(ScriptedSteps.PROXY_HOSTS.size());
    for (String activityId : List.of("Task_PushNameResolution", "Task_VerifyNameResolution",
        "Task_VerifyProxyNormalMode")) {
      assertThat(hosts(steps.calls(activityId)))
          .as("hosts of %s", activityId)
          .containsExactlyInAnyOrderElementsOf(ScriptedSteps.PROXY_HOSTS);
    }

    // the DNS switch received the logical record and target
    Call dnsSwitch = steps.calls("Task_SwitchDnsRecord").get(0);
    assertThat(dnsSwitch.input("record")).isEqualTo("cs-master");
    assertThat(dnsSwitch.input("targetHost")).isEqualTo("site2.cs-mgmt");

    // every step received exactly its declared inputs plus route, nothing else of the run
    for (Call call : steps.calls()) {
      assertThat(call.inputs())
          .as("inputs of %s", call.activityId())
          .containsExactlyInAnyOrderEntriesOf(expectedInputs(call));
      assertThat(call.inputs().keySet())
          .as("inputs of %s against the model", call.activityId())
          .containsExactlyInAnyOrderElementsOf(declaredInputs(call.activityId()));
    }

    // what the run recorded
    assertThat(run).variables()
        .containsEntry("runStartedBy", STARTED_BY)
        .containsEntry("proxyHosts", ScriptedSteps.PROXY_HOSTS)
        .containsEntry("masterCsName", MASTER_NAME)
        .containsEntry("site2CsAddress", SITE2_ADDRESS)
        .containsEntry("dnsPreviousAddresses", List.of("127.0.1.10"))
        .containsEntry("decidedBy", "Dana DR-Manager")
        .containsEntry("operationsRestored", true);
  }

  @Test
  void shouldChangeNothingWhenTheDisasterIsNotDeclared() {
    ProcessInstance run = start();

    steps.drive();
    declareDisaster(run, false);
    int stepsAfterDeclaration = steps.drive();

    assertThat(run).isEnded()
        .hasPassedInOrder("Task_ResolveTopology", "UserTask_DeclareDisaster", "Gateway_DisasterDeclared",
            "EndEvent_DisasterNotDeclared")
        .hasNotPassed("Task_StopReplication", "Task_EnableDatabaseAccess", "Task_StartMasterCsPair",
            "Task_StartScsMessageServer", "Task_StartMasterScs", "Task_SwitchDnsRecord",
            "SubProcess_SwitchProxies", "UserTask_ConfirmOperationsRestored", "EndEvent_FailedOver");
    assertThat(stepsAfterDeclaration).isZero();
    assertThat(steps.activityIds()).containsExactly("Task_ResolveTopology");
  }

  @Test
  void shouldSwitchTheDnsRecordAgainWhenTheFirstSwitchFailsVerification() {
    String error = "cs-master.genesys.lab. answers 127.0.1.10 after the update, expected 127.0.2.10";
    steps.failingOnce("Task_SwitchDnsRecord", VERIFY_FAILED, error);
    ProcessInstance run = start();

    steps.drive();
    declareDisaster(run, true);
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_ResolveDnsSwitch")
        .hasPassed("BoundaryEvent_DnsNotSwitched")
        .hasNotPassed("SubProcess_SwitchProxies");
    assertThat(task(run)).hasCandidateGroup("dr-operators").hasName("Resolve the DNS switch of cs-master");
    ScriptedSteps.assertDeployedForm(processEngine, task(run), "form-resolve-dns-switch");
    assertThat(run).variables().containsEntry("dnsSwitchError", error);
    assertThat(steps.calls("Task_PushNameResolution")).isEmpty();

    complete(task(run), withVariables("dnsFixNote", "TSIG key on the DNS server was expired; renewed it"));
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_ConfirmOperationsRestored");
    List<Call> switches = steps.calls("Task_SwitchDnsRecord");
    assertThat(switches).hasSize(2).allSatisfy(call -> {
      assertThat(call.input("record")).isEqualTo("cs-master");
      assertThat(call.input("targetHost")).isEqualTo("site2.cs-mgmt");
    });
    assertThat(hosts(steps.calls("Task_PushNameResolution")))
        .containsExactlyInAnyOrderElementsOf(ScriptedSteps.PROXY_HOSTS);
    assertThat(historicCount(run, "UserTask_ResolveDnsSwitch")).isEqualTo(1);

    confirmOperationsRestored(run);
    assertThat(run).isEnded().hasPassed("EndEvent_FailedOver").hasNotPassed("UserTask_InvestigateProxy");
  }

  @Test
  void shouldPushAgainToThatProxyOnlyWhenItsNameResolutionCheckFailsOnce() {
    String failingProxy = "site2.cs-proxy-1";
    String error = "getent hosts cs-master.genesys.lab answered 127.0.1.10, expected 127.0.2.10";
    steps.failingOnce("Task_VerifyNameResolution", inputs -> failingProxy.equals(inputs.get("host")),
        VERIFY_FAILED, error);
    ProcessInstance run = start();

    steps.drive();
    declareDisaster(run, true);
    steps.drive();

    // only the failing proxy waits for an operator; the others finished their switch
    assertThat(run).isWaitingAt("UserTask_InvestigateProxy").hasPassed("BoundaryEvent_NameNotResolved");
    List<Task> investigations = taskQuery().processInstanceId(run.getId())
        .taskDefinitionKey("UserTask_InvestigateProxy").list();
    assertThat(investigations).hasSize(1);
    Task investigation = investigations.get(0);
    assertThat(investigation).hasName("Investigate proxy " + failingProxy).hasCandidateGroup("dr-operators");
    ScriptedSteps.assertDeployedForm(processEngine, investigation, "form-investigate-proxy");
    Map<String, Object> seenByTheOperator = processEngine.getTaskService().getVariables(investigation.getId());
    assertThat(seenByTheOperator)
        .containsEntry("proxyHost", failingProxy)
        .containsEntry("proxyCheckError", error);
    assertThat(processEngine.getRuntimeService().getVariables(run.getId()))
        .as("the error of one proxy stays in that proxy's scope")
        .doesNotContainKey("proxyCheckError");
    assertThat(historicCount(run, "EndEvent_ProxySwitched")).isEqualTo(3);
    assertThat(hosts(steps.calls("Task_VerifyProxyNormalMode")))
        .containsExactlyInAnyOrderElementsOf(others(failingProxy));

    complete(investigation, withVariables("proxyFixNote", "stale /etc/hosts entry removed"));
    steps.drive();

    assertThat(run).isWaitingAt("UserTask_ConfirmOperationsRestored");
    assertThat(hosts(steps.calls("Task_PushNameResolution")))
        .hasSize(ScriptedSteps.PROXY_HOSTS.size() + 1)
        .containsAll(ScriptedSteps.PROXY_HOSTS)
        .filteredOn(failingProxy::equals).hasSize(2);
    assertThat(hosts(steps.calls("Task_VerifyNameResolution")))
        .filteredOn(failingProxy::equals).hasSize(2);
    assertThat(hosts(steps.calls("Task_VerifyProxyNormalMode")))
        .containsExactlyInAnyOrderElementsOf(ScriptedSteps.PROXY_HOSTS);
    for (String other : others(failingProxy)) {
      assertThat(hosts(steps.calls("Task_PushNameResolution"))).filteredOn(other::equals).hasSize(1);
    }
    assertThat(historicCount(run, "UserTask_InvestigateProxy")).isEqualTo(1);
    assertThat(historicCount(run, "EndEvent_ProxySwitched")).isEqualTo(ScriptedSteps.PROXY_HOSTS.size());

    confirmOperationsRestored(run);
    assertThat(run).isEnded().hasPassed("EndEvent_FailedOver").hasNotPassed("UserTask_ResolveDnsSwitch");
  }

  // --- helpers -------------------------------------------------------------------------------

  private ProcessInstance start() {
    processEngine.getIdentityService().setAuthenticatedUserId(STARTED_BY);
    try {
      ProcessInstance run = processEngine.getRuntimeService().startProcessInstanceByKey(PROCESS_ID, TICKET);
      assertThat(run).isStarted().isWaitingAt("Task_ResolveTopology");
      return run;
    } finally {
      processEngine.getIdentityService().clearAuthentication();
    }
  }

  private void declareDisaster(ProcessInstance run, boolean declared) {
    assertThat(run).isWaitingAt("UserTask_DeclareDisaster");
    Task declaration = task(run);
    assertThat(declaration).hasCandidateGroup("dr-approvers");
    ScriptedSteps.assertDeployedForm(processEngine, declaration, "form-declare-disaster");
    complete(declaration, withVariables(
        "disasterDeclared", declared,
        "disasterReason", "Site 1 data centre lost power and cooling",
        "decidedBy", "Dana DR-Manager"));
  }

  private void confirmOperationsRestored(ProcessInstance run) {
    Task confirmation = task(run);
    assertThat(confirmation).hasDefinitionKey("UserTask_ConfirmOperationsRestored").hasCandidateGroup("dr-operators");
    ScriptedSteps.assertDeployedForm(processEngine, confirmation, "form-confirm-operations-restored");
    complete(confirmation, withVariables("operationsRestored", true, "restoreNotes", "agents log in at both sites"));
  }


  private long historicCount(ProcessInstance run, String activityId) {
    return processEngine.getHistoryService().createHistoricActivityInstanceQuery()
        .processInstanceId(run.getId()).activityId(activityId).count();
  }

  private static List<Object> hosts(Collection<Call> calls) {
    return calls.stream().map(call -> call.input("host")).collect(Collectors.toList());
  }

  private static List<String> others(String proxy) {
    return ScriptedSteps.PROXY_HOSTS.stream().filter(host -> !host.equals(proxy)).toList();
  }

  /** The inputs A1 specifies per step (PROCEDURES A1 and the brief's command catalog). */
  private static Map<String, Object> expectedInputs(Call call) {
    Object proxy = call.input("host");
    return switch (call.activityId()) {
      case "Task_ResolveTopology" -> inputs("topology-lookup",
          "group", "cs-proxies", "dnsRecord", "cs-master", "host", "site2.cs-mgmt");
      case "Task_StopReplication" -> inputs("ssh-exec",
          "host", "site2.ogg", "command", "replication-stop", "direction", "site1-to-site2");
      case "Task_EnableDatabaseAccess" -> inputs("sql-exec",
          "database", "site2.config-db", "statement", "config-db-access-enable", "schemaUser", "GENESYS_CFG");
      case "Task_StartMasterCsPair" -> inputs("ssh-exec",
          "host", "site2.cs-mgmt", "command", "genesys-app-start", "app", "confserv-master-pair");
      case "Task_StartScsMessageServer" -> inputs("ssh-exec",
          "host", "site2.cs-mgmt", "command", "genesys-app-start", "app", "msgserver-scs-distributed");
      case "Task_StartMasterScs" -> inputs("ssh-exec",
          "host", "site2.cs-mgmt", "command", "genesys-app-start", "app", "scs-master");
      case "Task_SwitchDnsRecord" -> inputs("dns-switch-a-record",
          "record", "cs-master", "targetHost", "site2.cs-mgmt");
      case "Task_PushNameResolution" -> inputs("ssh-exec", "host", proxy, "command", "cs-proxy-switchover",
          "masterName", MASTER_NAME, "masterAddress", SITE2_ADDRESS);
      case "Task_VerifyNameResolution" -> inputs("ssh-exec", "host", proxy, "command", "name-resolution-check",
          "name", MASTER_NAME, "address", SITE2_ADDRESS);
      case "Task_VerifyProxyNormalMode" -> inputs("ssh-exec", "host", proxy, "command", "cs-proxy-status-check");
      default -> throw new AssertionError("unexpected step " + call.activityId());
    };
  }

  private static Map<String, Object> inputs(String route, Object... namesAndValues) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("route", route);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      inputs.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return inputs;
  }

  private List<String> declaredInputs(String activityId) {
    BpmnModelInstance model = processEngine.getRepositoryService().getBpmnModelInstance(
        processEngine.getRepositoryService().createProcessDefinitionQuery()
            .processDefinitionKey(PROCESS_ID).latestVersion().singleResult().getId());
    ServiceTask task = model.getModelElementById(activityId);
    CamundaInputOutput io = task.getExtensionElements().getElementsQuery()
        .filterByType(CamundaInputOutput.class).singleResult();
    return io.getCamundaInputParameters().stream().map(CamundaInputParameter::getCamundaName).toList();
  }
}
