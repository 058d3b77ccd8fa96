package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;

/** The engine REST API over HTTP, as a ticketing system or an intruder would call it. */
@DrillContext
class EngineRestSecurityTest {

  @Autowired TestRestTemplate http;

  @Test
  void shouldRefuseWhenNoCredentialsAreSent() {
    var response = http.getForEntity("/engine-rest/process-definition", String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(response.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Basic");
  }

  @Test
  void shouldRefuseWhenThePasswordIsWrong() {
    // approver is not used over HTTP elsewhere in this class: a failed login delays its next one
    var response = http.withBasicAuth("approver", "guess")
        .getForEntity("/engine-rest/process-definition", String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
  }

  @Test
  void shouldRefuseWhenTheUserDoesNotExist() {
    var response = http.withBasicAuth("intruder", "intruder")
        .getForEntity("/engine-rest/process-definition", String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
  }

  @Test
  void shouldListTheProceduresWhenAnOperatorAsks() {
    var response = http.withBasicAuth("operator", "operator")
        .getForEntity("/engine-rest/process-definition?key=dr-genesys-cs-failover", String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getBody()).contains("\"key\":\"dr-genesys-cs-failover\"");
  }

  @Test
  void shouldRefuseADeploymentWhenTheCallerIsNotAnAdmin() {
    var response = http.withBasicAuth("operator", "operator")
        .postForEntity("/engine-rest/deployment/create", deployment(), String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
  }

  @Test
  void shouldAcceptADeploymentWhenTheCallerIsAnAdmin() {
    var response = http.withBasicAuth("admin", "admin")
        .postForEntity("/engine-rest/deployment/create", deployment(), String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
  }

  static HttpEntity<LinkedMultiValueMap<String, Object>> deployment() {
    String bpmn = """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
            xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="test">
          <process id="security-probe" isExecutable="true" camunda:historyTimeToLive="1">
            <startEvent id="StartEvent_Probe"/>
          </process>
        </definitions>
        """;
    LinkedMultiValueMap<String, Object> form = new LinkedMultiValueMap<>();
    form.add("deployment-name", "security-probe");
    form.add("data", new ByteArrayResource(bpmn.getBytes()) {
      @Override
      public String getFilename() {
        return "security-probe.bpmn";
      }
    });
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.MULTIPART_FORM_DATA);
    return new HttpEntity<>(form, headers);
  }
}
