package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
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
}
