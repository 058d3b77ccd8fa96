package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Safe input (issue 12): hostile bodies, variables, paths and headers through the product API and
 * the engine REST API are refused with a 4xx problem document (never a 500), start no run and send
 * nothing to the drill lab; the Host header never makes it into a link.
 */
@DrillContext
class HostileInputTest {

  private static final String USER = "input-hostile";
  private static final String START_A1 = "/engine-rest/process-definition/key/dr-genesys-cs-failover/start";

  @Autowired HistoryService history;
  @Autowired RuntimeService runtime;
  @Autowired RepositoryService repository;
  @Autowired IdentityService identity;
  @Autowired Lab lab;
  @LocalServerPort int port;

  private final ObjectMapper json = new ObjectMapper();
  private long runsBefore;
  private Map<String, Object> labBefore;

  @BeforeEach
  void prepare() {
    ApiTestSupport.user(identity, USER, DrGroups.OPERATORS);
    lab.reset();
    runsBefore = history.createHistoricProcessInstanceQuery().count();
    labBefore = labCommands();
  }

  @AfterEach
  void cleanUp() {
    ApiTestSupport.cancelTestRuns(runtime);
  }

  @ParameterizedTest(name = "{0} {1}: {3}")
  @CsvSource(delimiter = '|', textBlock = """
      pause      | {"reason": 5}                          | reason
      pause      | {"reason": "x", "force": true}         | force
      resume     | {"reason": false}                      | reason
      resume     | {"why": "x"}                           | why
      cancel     | {"reason": 12}                         | reason
      decision   | {"choice": 1, "note": "x"}             | choice
      decision   | {"choice": "retry", "note": ["x"]}     | note
      decision   | {"choice": "retry", "extra": 1}        | extra
      override   | {"note": 7}                            | note
      override   | {"note": "x", "approvedBy": "boss"}    | approvedBy
      """)
  void shouldAnswer400NamingTheFieldWhenAProductApiBodyHasAWrongTypeOrAnUnknownField(String action,
      String body, String field) throws Exception {
    String path = switch (action) {
      case "decision" -> "/api/runs/no-such-run/steps/Task_StopReplication/decision";
      case "override" -> "/api/runs/no-such-run/precheck/override";
      default -> "/api/runs/no-such-run/" + action;
    };

    HttpResponse<String> response = new RawHttp(port).send("POST", path, USER, "application/json", body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertProblem(response);
    assertThat(json.readTree(response.body()).path("errors").get(0).path("field").asText()).isEqualTo(field);
    assertNothingHappened();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      java.io.File   | application/json                     | "/etc/passwd"
      java.net.URL   | application/json                     | "http://evil.example/"
      java.io.File   | application/x-java-serialized-object | "rO0ABXNyAAxqYXZhLmlvLkZpbGUELaRFDg3k/wMAAUwABHBhdGh0ABJMamF2YS9sYW5nL1N0cmluZzt4cHQAC1xldGNccGFzc3dkdwIAXHg="
      """)
  void shouldRefuseTheStartWhenAVariableIsAnObjectOfAnArbitraryJavaType(String type, String format,
      String value) throws Exception {
    String body = """
        {"businessKey": "API-OBJECT-%d", "variables": {"payload": {"value": %s, "type": "Object",
         "valueInfo": {"objectTypeName": "%s", "serializationDataFormat": "%s"}}}}"""
        .formatted(System.nanoTime(), value, type, format);

    HttpResponse<String> response = new RawHttp(port).send("POST", START_A1, "operator",
        "application/json", body);

    assertThat(response.statusCode()).as(response.body()).isBetween(400, 499);
    assertNothingHappened();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      java.net.URL      | application/json                     | "http://evil.example/"
      java.io.File      | application/json                     | "/etc/passwd"
      java.lang.String  | application/x-java-serialized-object | rO0ABXQAA2V2aWw=
      """)
  void shouldRefuseAVariableUploadedAsMultipartWhenItsTypeIsAnArbitraryJavaType(String type,
      String dataType, String data) throws Exception {
    // the engine REST instantiates objectType from the data part before it looks up the run
    String run = "no-such-run";
    String boundary = "----dr" + System.nanoTime();
    String body = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"data\"; filename=\"blob\"\r\n"
        + "Content-Type: " + dataType + "\r\n\r\n" + data + "\r\n"
        + "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"valueType\"\r\n\r\nObject\r\n"
        + "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"objectType\"\r\n\r\n" + type + "\r\n"
        + "--" + boundary + "--\r\n";

    HttpResponse<String> response = new RawHttp(port).send("POST",
        "/engine-rest/process-instance/" + run + "/variables/payload/data", "admin",
        "multipart/form-data; boundary=" + boundary, body);

    // refused by the product's filter, before the engine REST would instantiate the type
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(json.readTree(response.body()).get("errors").get(0).get("field").asText())
        .isEqualTo("objectType");
    assertNothingHappened();
  }

  @Test
  void shouldAnswer400WhenARunIsStartedThroughTheEngineRestApiWithAnUnknownRunMode() throws Exception {
    String body = """
        {"businessKey": "API-MODE-%d", "variables": {"runMode": {"value": "yolo", "type": "String"}}}"""
        .formatted(System.nanoTime());

    HttpResponse<String> response = new RawHttp(port).send("POST", START_A1, "operator",
        "application/json", body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(response.body()).contains("runMode");
    assertNothingHappened();
  }

  @Test
  void shouldAnswer404WhenATaskThatDoesNotExistIsCompleted() throws Exception {
    HttpResponse<String> response = new RawHttp(port).send("POST",
        "/engine-rest/task/no-such-task/complete", "operator", "application/json", "{\"variables\": {}}");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
    assertNothingHappened();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "/engine-rest;/task",
      "/engine-rest;jsessionid=x/task",
      "/camunda/../engine-rest/task",
      "/engine-rest/%2e%2e/engine-rest/task",
      "/api/runs/x;/..;/y",
      "/engine-rest//task"})
  void shouldAnswer400WithAProblemDocumentWhenThePathIsATrick(String path) throws Exception {
    HttpResponse<String> response = new RawHttp(port).send("GET", path, "operator", null, null);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertProblem(response);
    assertNothingHappened();
  }

  @Test
  void shouldAnswer400WhenThePathHasAnEncodedSlash() throws Exception {
    // Tomcat refuses an encoded '/' itself, before any filter of the application (its own HTML page)
    HttpResponse<String> response = new RawHttp(port).send("GET", "/api/runs/%2F..%2Fx", "operator", null, null);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    assertNothingHappened();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      script task         | <scriptTask id="Task_Script" scriptFormat="groovy"><script>println 1</script></scriptTask>
      script listener     | <serviceTask id="Task_Listened" camunda:expression="${true}"><extensionElements><camunda:executionListener event="start"><camunda:script scriptFormat="javascript">1</camunda:script></camunda:executionListener></extensionElements></serviceTask>
      script parameter    | <serviceTask id="Task_Input" camunda:expression="${true}"><extensionElements><camunda:inputOutput><camunda:inputParameter name="x"><camunda:script scriptFormat="groovy">1</camunda:script></camunda:inputParameter></camunda:inputOutput></extensionElements></serviceTask>
      """)
  void shouldRefuseADeploymentByAnAdminWhenTheModelContainsAScript(String name, String element)
      throws Exception {
    String key = "hostile-script-" + Math.abs(name.hashCode());
    String bpmn = """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
            xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="test">
          <process id="%s" isExecutable="true" camunda:historyTimeToLive="1">
            <startEvent id="StartEvent_Begin"/>
            %s
          </process>
        </definitions>""".formatted(key, element);
    String boundary = "----hostile" + System.nanoTime();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\n"
        + key + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\""
        + key + ".bpmn\"\r\nContent-Type: application/octet-stream\r\n\r\n" + bpmn + "\r\n--"
        + boundary + "--\r\n";

    HttpResponse<String> response = new RawHttp(port).send("POST", "/engine-rest/deployment/create",
        "admin", "multipart/form-data; boundary=" + boundary, body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(response.body()).contains("contains a script");
    assertThat(repository.createProcessDefinitionQuery().processDefinitionKey(key).count()).isZero();
    assertNothingHappened();
  }

  @Test
  void shouldLinkToTheServersOwnAddressNotToTheHostHeaderWhenARunIsStarted() throws Exception {
    String ticket = ApiTestSupport.TICKET_PREFIX + "HOST-" + System.nanoTime();
    String body = ApiTestSupport.startBody(ticket, "{}");

    String response = rawWithHost("POST", "/api/runs", "evil.example:666", body);

    assertThat(response).startsWith("HTTP/1.1 201");
    String head = response.substring(0, response.indexOf("\r\n\r\n"));
    assertThat(head).containsPattern("(?im)^Location: http://[^/]*:" + port + "/api/runs/");
    assertThat(response).doesNotContain("evil.example");
    assertThat(ApiTestSupport.runsOf(history, ticket)).isEqualTo(1);
  }

  private String rawWithHost(String method, String path, String host, String body) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String auth = java.util.Base64.getEncoder().encodeToString(
        (USER + ":" + USER).getBytes(StandardCharsets.UTF_8));
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Basic " + auth
          + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private void assertProblem(HttpResponse<String> response) throws Exception {
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
        assertThat(type).startsWith("application/problem+json"));
    JsonNode problem = json.readTree(response.body());
    assertThat(problem.path("status").asInt()).isEqualTo(response.statusCode());
    assertThat(problem.path("detail").asText()).isNotBlank();
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  private void assertNothingHappened() {
    assertThat(history.createHistoricProcessInstanceQuery().count()).as("no run started").isEqualTo(runsBefore);
    assertThat(labCommands()).as("no lab action").isEqualTo(labBefore);
  }

  private Map<String, Object> labCommands() {
    Map<String, Object> commands = new LinkedHashMap<>();
    lab.state().hosts().forEach(host -> {
      commands.put(host + ".lastCommands", lab.state().commandLog(host));
      commands.put(host + ".actionCounts", lab.state().actionCounts(host));
    });
    return commands;
  }
}
