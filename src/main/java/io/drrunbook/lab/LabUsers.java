package io.drrunbook.lab;

import io.drrunbook.security.DrGroups;
import io.drrunbook.security.IdentityBootstrap;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.DependsOn;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * Demo users of the drill lab, and only of the lab profile: {@code operator}, {@code approver} and
 * {@code admin}, each with its name as password, in the matching {@code dr-*} group.
 */
@Component
@Profile("lab")
@DependsOn("identityBootstrap")
public class LabUsers implements InitializingBean {

  static final Map<String, String> USERS = Map.of(
      "operator", DrGroups.OPERATORS,
      "approver", DrGroups.APPROVERS,
      "admin", DrGroups.ADMINS);

  private final IdentityService identityService;

  public LabUsers(IdentityService identityService, IdentityBootstrap groups) {
    this.identityService = identityService;
  }

  @Override
  public void afterPropertiesSet() {
    USERS.forEach((id, group) -> {
      if (identityService.createUserQuery().userId(id).singleResult() == null) {
        User user = identityService.newUser(id);
        user.setFirstName(Character.toUpperCase(id.charAt(0)) + id.substring(1));
        user.setLastName("(lab)");
        user.setEmail(id + "@drill.lab");
        user.setPassword(id);
        identityService.saveUser(user);
      }
      if (identityService.createUserQuery().userId(id).memberOfGroup(group).count() == 0) {
        identityService.createMembership(id, group);
      }
    });
  }
}
