package io.drrunbook.lab;

import io.drrunbook.common.DrGroups;
import io.drrunbook.security.IdentityBootstrap;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.DependsOn;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * Demo users of the drill lab, and only of the lab profile: {@code operator}, two approvers
 * ({@code approver}, {@code approver2}: four-eyes can be rehearsed without {@code admin}),
 * {@code admin} and the ticketing system's technical user {@code ticketing}, each with its name as
 * password, in the matching {@code dr-*} group ({@code admin} also in Camunda's {@code camunda-admin}),
 * and the team members {@code dba} ({@code dr-database}), {@code voice} ({@code dr-voice}) and
 * {@code oceana} ({@code dr-oceana}), operators too. Also on a node of a lab that runs in a
 * process of its own (profile {@code lab-node}): the same people log in to every node.
 */
@Component
@Profile({"lab", "lab-node"})
@DependsOn("identityBootstrap")
public class LabUsers implements InitializingBean {

  static final Map<String, String> USERS = Map.of(
      "operator", DrGroups.OPERATORS,
      "approver", DrGroups.APPROVERS,
      "approver2", DrGroups.APPROVERS,
      "admin", DrGroups.ADMINS,
      "ticketing", DrGroups.TICKETING,
      "dba", DrGroups.OPERATORS,
      "voice", DrGroups.OPERATORS,
      "oceana", DrGroups.OPERATORS);

  /** Team members (guided manual steps of seed 002): an operator who is also in a team group. */
  static final Map<String, String> TEAMS = Map.of(
      "dba", DrGroups.DATABASE,
      "voice", DrGroups.VOICE,
      "oceana", DrGroups.OCEANA);

  private final IdentityService identityService;

  public LabUsers(IdentityService identityService, IdentityBootstrap groups) {
    this.identityService = identityService;
  }

  @Override
  public void afterPropertiesSet() {
    USERS.forEach((id, group) -> {
      if (identityService.createUserQuery().userId(id).singleResult() == null) {
        User user = identityService.newUser(id);
        user.setFirstName(Character.toUpperCase(id.charAt(0)) + id.substring(1).replace("2", " 2"));
        user.setLastName("(lab)");
        user.setEmail(id + "@drill.lab");
        user.setPassword(id);
        identityService.saveUser(user);
      }
      membership(id, group);
    });
    TEAMS.forEach(this::membership);
    // Camunda's own administrator group: the web apps stop offering their first-admin set-up page
    // once it has a member, and the engine lets its members administer everything
    if (identityService.createGroupQuery().groupId(Groups.CAMUNDA_ADMIN).singleResult() == null) {
      Group admins = identityService.newGroup(Groups.CAMUNDA_ADMIN);
      admins.setName("Camunda BPM Administrators");
      admins.setType(Groups.GROUP_TYPE_SYSTEM);
      identityService.saveGroup(admins);
    }
    membership("admin", Groups.CAMUNDA_ADMIN);
  }

  private void membership(String userId, String groupId) {
    if (identityService.createUserQuery().userId(userId).memberOfGroup(groupId).count() == 0) {
      identityService.createMembership(userId, groupId);
    }
  }
}
