package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.userdetails.UserDetailsService;

/**
 * Outside the lab profile (here: the prod profile): no user and no password exists, the groups and
 * their grants do, authorizations are enforced, no part of the drill lab runs, the APIs want
 * credentials and HSTS is sent over HTTPS. An integration test (own JVM): a second Camunda engine in
 * the JVM of the drill tests would confuse the engine REST API there.
 */
class ProductionDefaultsIT extends ProductionContext {

  @Autowired IdentityService identity;
  @Autowired ProcessEngine engine;
  @Autowired ApplicationContext context;
  @Autowired TestRestTemplate http;
  @LocalServerPort int port;

  @Test
  void shouldHaveNoUserWhenTheLabProfileIsOff() {
    assertThat(identity.createUserQuery().count()).isZero();
  }

  @Test
  void shouldCreateTheGroupsWhenTheApplicationStarts() {
    assertThat(identity.createGroupQuery().groupIdIn(
        DrGroups.OPERATORS, DrGroups.APPROVERS, DrGroups.ADMINS, DrGroups.TICKETING).count()).isEqualTo(4);
  }

  @Test
  void shouldEnforceAuthorizationsWhenTheApplicationStarts() {
    assertThat(engine.getProcessEngineConfiguration().isAuthorizationEnabled()).isTrue();
  }

  @Test
  void shouldTakeARunStartedWithoutAModeForAnExecuteRunHeldByItsPrecheck() {
    // a Tasklist start form gives no mode: outside the lab such a run is real and must be prechecked
    assertThat(context.getEnvironment().getProperty("dr.runs.default-mode")).isEqualTo("execute");
  }

  @Test
  void shouldRunNoPartOfTheLabWhenTheLabProfileIsOff() {
    assertThat(context.getBeanNamesForType(Lab.class)).isEmpty();
  }

  @Test
  void shouldHaveNoSpringDefaultUserWhenTheApplicationStarts() {
    assertThat(context.getBeanNamesForType(UserDetailsService.class)).isEmpty();
  }

  @Test
  void shouldRefuseTheEngineRestApiWhenNoCredentialsAreSent() {
    ResponseEntity<String> response = http.getForEntity("/engine-rest/process-definition", String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(response.getHeaders().get(HttpHeaders.WWW_AUTHENTICATE))
        .anySatisfy(value -> assertThat(value).startsWith("Basic"))
        .anySatisfy(value -> assertThat(value).startsWith("Bearer"));
  }

  @Test
  void shouldAcceptNoApiTokenWhenNoneIsConfigured() {
    // the lab's ticketing token is configured in the lab profile only
    assertThat(context.getBean(ApiTokens.class).isEmpty()).isTrue();
    HttpHeaders bearer = new HttpHeaders();
    bearer.setBearerAuth("lab-ticketing-token");

    ResponseEntity<String> response = http.exchange("/engine-rest/process-definition", HttpMethod.GET,
        new HttpEntity<>(bearer), String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
  }

  @Test
  void shouldRefuseADeploymentThroughTheEngineRestApiEvenByAnAdminWhenDeploymentsAreAReleaseOnly() {
    String admin = "release-admin";
    org.camunda.bpm.engine.identity.User user = identity.newUser(admin);
    user.setPassword("release-admin-password-1");
    identity.saveUser(user);
    identity.createMembership(admin, DrGroups.ADMINS);
    try {
      long before = engine.getRepositoryService().createDeploymentQuery().count();

      ResponseEntity<String> response = http.withBasicAuth(admin, "release-admin-password-1")
          .postForEntity("/engine-rest/deployment/create", EngineRestSecurityTest.deployment(), String.class);

      assertThat(response.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
      assertThat(response.getBody()).contains("dr.deployments.allow-rest");
      assertThat(engine.getRepositoryService().createDeploymentQuery().count()).isEqualTo(before);
    } finally {
      identity.deleteUser(admin);
    }
  }

  @Test
  void shouldSendHstsWhenTheRequestCameOverHttps() {
    HttpHeaders https = new HttpHeaders();
    https.add("X-Forwarded-Proto", "https");
    for (String path : List.of("/actuator/health", "/camunda/api/engine/engine/", "/engine-rest/version")) {
      ResponseEntity<String> response = http.exchange(path, HttpMethod.GET, new HttpEntity<>(https), String.class);
      assertThat(response.getHeaders().getFirst("Strict-Transport-Security")).as(path)
          .isEqualTo("max-age=31536000 ; includeSubDomains");
    }
    assertThat(http.getForEntity("/actuator/health", String.class).getHeaders()
        .containsKey("Strict-Transport-Security")).isFalse();
  }

  @Test
  void shouldIgnoreForwardedHeadersWhenTheRequestDoesNotComeFromATrustedProxy() throws IOException {
    // the same request as above, from 127.0.0.2: not DR_TRUSTED_PROXIES, so not over HTTPS
    String answer = fromAddress("127.0.0.2", "GET /actuator/health HTTP/1.1\r\nHost: localhost\r\n"
        + "X-Forwarded-Proto: https\r\nX-Forwarded-For: 203.0.113.7\r\nConnection: close\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("Strict-Transport-Security");
    String trusted = fromAddress("127.0.0.1", "GET /actuator/health HTTP/1.1\r\nHost: localhost\r\n"
        + "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n");
    assertThat(trusted).startsWith("HTTP/1.1 200").containsIgnoringCase("Strict-Transport-Security");
  }

  private String fromAddress(String local, String request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void shouldRefuseTheWebAppsFirstAdminSetupWhenAStrangerAsksForIt() {
    // no user exists outside the lab, so Camunda's Admin would offer its "create the first admin"
    // page to whoever comes first
    HttpHeaders stranger = WebAppSession.anonymous(http);
    ResponseEntity<String> response = http.postForEntity("/camunda/api/admin/setup/default/user/create",
        new HttpEntity<>("""
            {"profile": {"id": "mallory", "firstName": "M", "lastName": "M", "email": "m@example.test"},
             "credentials": {"password": "Mallory-2026-long"}}""", stranger), String.class);

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.FORBIDDEN);
    assertThat(response.getBody()).contains("dr.security.web-admin-setup");
    assertThat(identity.createUserQuery().userId("mallory").count()).isZero();
  }
}
