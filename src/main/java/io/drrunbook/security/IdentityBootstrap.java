package io.drrunbook.security;

import static org.camunda.bpm.engine.authorization.Authorization.ANY;
import static org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT;

import io.drrunbook.common.DrGroups;
import io.drrunbook.core.Procedures;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.HistoricProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.HistoricTaskPermissions;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.ProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Creates the groups {@code dr-operators}, {@code dr-approvers}, {@code dr-admins} and
 * {@code dr-ticketing} and the engine
 * authorizations each needs, in every profile (no users: those come from the identity store of the
 * site, or from the lab profile's demo users). Idempotent: existing grants are left as they are.
 *
 * <ul>
 *   <li>operators and approvers: Tasklist and Cockpit; read and start processes; work the tasks of
 *       their candidate groups (granted by the engine per task), which includes the failure decision
 *       of a step (retry, skip, abort); suspend and resume runs (the product API pauses as the
 *       caller). Never update an instance (modification, variables, messages), set retries, delete
 *       or migrate: {@link #WITHDRAWN} is taken back from their grants at every start, also from a
 *       database made by an older version; what authorizations cannot express is refused by
 *       {@link EngineOperationGuard};</li>
 *   <li>admins: everything, including Admin, deployments and identity;</li>
 *   <li>ticketing (technical users of ticketing systems): start runs of the procedures listed in
 *       {@code dr.security.ticketing.procedures} (default: every deployed {@code dr-*} procedure, as
 *       deployed at start-up, not the failure decision) and read those runs; no task work, no web app, no deployment.</li>
 * </ul>
 */
@Component
public class IdentityBootstrap implements InitializingBean, SmartInitializingSingleton {

  private static final Logger log = LoggerFactory.getLogger(IdentityBootstrap.class);

  /**
   * What operators and approvers never hold on process definitions and instances: each would let
   * them move a token, rewrite a variable, retry past a failure decision, delete or migrate a run.
   */
  static final Map<Resources, List<Permission>> WITHDRAWN = Map.of(
      Resources.PROCESS_INSTANCE, List.of(Permissions.UPDATE, Permissions.DELETE,
          ProcessInstancePermissions.RETRY_JOB, ProcessInstancePermissions.UPDATE_VARIABLE),
      Resources.PROCESS_DEFINITION, List.of(Permissions.UPDATE, Permissions.UPDATE_INSTANCE,
          Permissions.DELETE_INSTANCE, ProcessDefinitionPermissions.RETRY_JOB,
          ProcessDefinitionPermissions.UPDATE_INSTANCE_VARIABLE, ProcessDefinitionPermissions.MIGRATE_INSTANCE,
          ProcessDefinitionPermissions.UPDATE_TASK, ProcessDefinitionPermissions.TASK_WORK,
          ProcessDefinitionPermissions.UPDATE_TASK_VARIABLE));

  private final IdentityService identityService;
  private final AuthorizationService authorizationService;
  private final RepositoryService repositoryService;
  private final List<String> ticketingProcedures;

  public IdentityBootstrap(IdentityService identityService, AuthorizationService authorizationService,
      RepositoryService repositoryService,
      @Value("${dr.security.ticketing.procedures:}") List<String> ticketingProcedures) {
    this.identityService = identityService;
    this.authorizationService = authorizationService;
    this.repositoryService = repositoryService;
    this.ticketingProcedures = ticketingProcedures.stream().map(String::strip)
        .filter(key -> !key.isEmpty()).toList();
  }

  @Override
  public void afterPropertiesSet() {
    group(DrGroups.OPERATORS, "DR operators");
    group(DrGroups.APPROVERS, "DR approvers");
    group(DrGroups.ADMINS, "DR administrators");
    group(DrGroups.TICKETING, "DR ticketing systems");
    // teams of the guided manual steps: no permission of their own (members are dr-operators too)
    group(DrGroups.VOICE, "DR team voice (Communication Manager, Experience Portal)");
    group(DrGroups.OCEANA, "DR team Oceana (Breeze, System Manager, Oceana Manager)");
    group(DrGroups.DATABASE, "DR team database (Oracle Data Guard, Omnichannel DB)");
    // starting any run needs CREATE on process instances; what it may start is per definition
    grant(DrGroups.TICKETING, Resources.PROCESS_INSTANCE, ANY, Permissions.CREATE);

    for (String group : List.of(DrGroups.OPERATORS, DrGroups.APPROVERS)) {
      grant(group, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
      grant(group, Resources.APPLICATION, "cockpit", Permissions.ACCESS);
      grant(group, Resources.PROCESS_DEFINITION, ANY, Permissions.READ, Permissions.READ_INSTANCE,
          Permissions.CREATE_INSTANCE, Permissions.READ_HISTORY, Permissions.READ_TASK,
          ProcessDefinitionPermissions.SUSPEND_INSTANCE);
      grant(group, Resources.PROCESS_INSTANCE, ANY, Permissions.CREATE, Permissions.READ,
          ProcessInstancePermissions.SUSPEND);
      // a database made by an older version holds wider grants: narrow them to the above
      amend(group, Resources.PROCESS_DEFINITION, ProcessDefinitionPermissions.SUSPEND_INSTANCE);
      amend(group, Resources.PROCESS_INSTANCE, ProcessInstancePermissions.SUSPEND);
      grant(group, Resources.DEPLOYMENT, ANY, Permissions.READ);
      grant(group, Resources.DECISION_DEFINITION, ANY, Permissions.READ);
      grant(group, Resources.FILTER, ANY, Permissions.READ);
      grant(group, Resources.HISTORIC_TASK, ANY, HistoricTaskPermissions.READ);
      grant(group, Resources.HISTORIC_PROCESS_INSTANCE, ANY, HistoricProcessInstancePermissions.READ);
      grant(group, Resources.GROUP, ANY, Permissions.READ);
      grant(group, Resources.USER, ANY, Permissions.READ);
    }
    for (Resources resource : Resources.values()) {
      Permission all = switch (resource) {
        case HISTORIC_TASK -> HistoricTaskPermissions.ALL;
        case HISTORIC_PROCESS_INSTANCE -> HistoricProcessInstancePermissions.ALL;
        default -> Permissions.ALL;
      };
      grant(DrGroups.ADMINS, resource, ANY, all);
    }
  }

  /** Ticketing grants per procedure, once the models are deployed (after every singleton). */
  @Override
  public void afterSingletonsInstantiated() {
    List<String> procedures = ticketingProcedures.isEmpty()
        ? repositoryService.createProcessDefinitionQuery().latestVersion().list().stream()
            .map(ProcessDefinition::getKey).filter(Procedures::isProcedure).distinct().toList()
        : ticketingProcedures;
    for (String key : procedures) {
      grant(DrGroups.TICKETING, Resources.PROCESS_DEFINITION, key, Permissions.READ,
          Permissions.CREATE_INSTANCE, Permissions.READ_INSTANCE, Permissions.READ_HISTORY);
    }
    log.info("{} may start: {}", DrGroups.TICKETING, procedures);
  }

  /**
   * Takes {@link #WITHDRAWN} back from each of the group's grants on {@code resource}, whatever its
   * resource id, and adds {@code needed} to the grant on every instance ({@code *}) where it is
   * missing.
   */
  private void amend(String groupId, Resources resource, Permission needed) {
    for (Authorization authorization : authorizationService.createAuthorizationQuery()
        .groupIdIn(groupId).resourceType(resource).authorizationType(AUTH_TYPE_GRANT).list()) {
      boolean changed = false;
      for (Permission permission : WITHDRAWN.get(resource)) {
        if (authorization.isPermissionGranted(permission)) {
          authorization.removePermission(permission);
          changed = true;
        }
      }
      if (ANY.equals(authorization.getResourceId()) && !authorization.isPermissionGranted(needed)) {
        authorization.addPermission(needed);
        changed = true;
      }
      if (changed) {
        authorizationService.saveAuthorization(authorization);
        log.info("narrowed the grant of {} on {} {} to least privilege", groupId, resource, authorization.getResourceId());
      }
    }
  }

  private void group(String id, String name) {
    if (identityService.createGroupQuery().groupId(id).singleResult() == null) {
      Group group = identityService.newGroup(id);
      group.setName(name);
      group.setType("WORKFLOW");
      identityService.saveGroup(group);
    }
  }

  private void grant(String groupId, Resource resource, String resourceId, Permission... permissions) {
    boolean exists = authorizationService.createAuthorizationQuery()
        .groupIdIn(groupId).resourceType(resource).resourceId(resourceId).count() > 0;
    if (exists) {
      return;
    }
    Authorization authorization = authorizationService.createNewAuthorization(AUTH_TYPE_GRANT);
    authorization.setGroupId(groupId);
    authorization.setResource(resource);
    authorization.setResourceId(resourceId);
    for (Permission permission : permissions) {
      authorization.addPermission(permission);
    }
    authorizationService.saveAuthorization(authorization);
  }
}
