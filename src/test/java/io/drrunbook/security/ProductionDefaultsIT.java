package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.lab.Lab;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

/**
 * Outside the lab profile: no user and no password exists, the groups and their grants do,
 * authorizations are enforced, and no part of the drill lab runs. An integration test (own JVM):
 * a second Camunda engine in the JVM of the drill tests would confuse the engine REST API there.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.MOCK, properties = {
    "dr.data-dir=./target/production-defaults-data",
    "spring.datasource.url=jdbc:h2:mem:production-defaults;DB_CLOSE_DELAY=-1",
    "dr.steps.worker-enabled=false"})
class ProductionDefaultsIT {

  @Autowired IdentityService identity;
  @Autowired ProcessEngine engine;
  @Autowired ApplicationContext context;

  @Test
  void shouldHaveNoUserWhenTheLabProfileIsOff() {
    assertThat(identity.createUserQuery().count()).isZero();
  }

  @Test
  void shouldCreateTheGroupsWhenTheApplicationStarts() {
    assertThat(identity.createGroupQuery().groupIdIn(
        DrGroups.OPERATORS, DrGroups.APPROVERS, DrGroups.ADMINS).count()).isEqualTo(3);
  }

  @Test
  void shouldEnforceAuthorizationsWhenTheApplicationStarts() {
    assertThat(engine.getProcessEngineConfiguration().isAuthorizationEnabled()).isTrue();
  }

  @Test
  void shouldRunNoPartOfTheLabWhenTheLabProfileIsOff() {
    assertThat(context.getBeanNamesForType(Lab.class)).isEmpty();
  }
}
