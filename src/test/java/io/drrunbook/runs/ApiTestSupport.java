package io.drrunbook.runs;

import io.drrunbook.TestRuns;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.identity.User;

/** Users and clean-up for the API tests. Test tickets start with {@link #TICKET_PREFIX}. */
final class ApiTestSupport {

  static final String PROCEDURE = "dr-genesys-cs-failover";
  static final String TICKET_PREFIX = "API-";

  private ApiTestSupport() {}

  /** A user whose password is its name, in the given groups (created once). */
  static void user(IdentityService identity, String id, String... groups) {
    if (identity.createUserQuery().userId(id).singleResult() == null) {
      User user = identity.newUser(id);
      user.setPassword(id);
      identity.saveUser(user);
      for (String group : groups) {
        identity.createMembership(id, group);
      }
    }
  }

  /** Cancels every active run of a test ticket, so that no other test class sees them. */
  static void cancelTestRuns(RuntimeService runtime) {
    TestRuns.deleteAll(runtime, TICKET_PREFIX);
  }

  /** Deletes a run as Cockpit would, retrying while the step worker changes one of its steps. */
  static void delete(RuntimeService runtime, String id, String reason) {
    TestRuns.delete(runtime, id, reason);
  }

  static long runsOf(HistoryService history, String ticket) {
    return history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(ticket).count();
  }

  static String startBody(String ticket, String parameters) {
    return """
        {"procedure": "%s", "ticket": {"system": "servicenow", "id": "%s",
         "url": "https://example.service-now.com/change_request.do?number=%s"},
         "parameters": %s, "mode": "drill"}""".formatted(PROCEDURE, ticket, ticket, parameters);
  }
}
