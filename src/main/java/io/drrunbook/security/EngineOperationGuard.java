package io.drrunbook.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.common.BufferedRequest;
import io.drrunbook.common.DrGroups;
import io.drrunbook.core.RunVariables;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The engine operations that undo a guarantee of the product, refused to everyone but members of
 * {@code dr-admins} with 403 and a problem document, in front of the engine REST API
 * ({@code /engine-rest}) and the web apps' copy of it ({@code /camunda/api/engine/engine/<name>}).
 * The engine's authorizations ({@link IdentityBootstrap}) already refuse most of them; this guard
 * covers what they cannot express (a restart needs only read history, a start may carry start
 * instructions, a task completion may rewrite any variable, a fetch answers an empty list) and keeps
 * the rule when a grant is widened by hand.
 *
 * <p>Refused: modifying an instance (token moves, skipped listeners), restart and migration;
 * working or changing an external task (fetch and lock, complete, fail, extend lock, retries);
 * changing a job or job definition (retries, execution, due date); writing or deleting variables of
 * an instance, execution or task; suspending or activating through the engine (a run is paused and
 * resumed with a reason through {@code /api/runs}); deleting instances (a run is cancelled with a
 * reason through {@code /api/runs}); a start with start instructions or skip flags; a task
 * completion that sets one of the run's own variables ({@link #RUN_VARIABLES}). The application's
 * own step worker calls the engine in-process and is not behind this filter.
 */
public class EngineOperationGuard extends OncePerRequestFilter {

  /** The variables set when a run starts, on which its guarantees rest: no task may rewrite them. */
  static final Set<String> RUN_VARIABLES = Set.of(RunVariables.STARTED_BY, RunVariables.RUN_MODE,
      RunVariables.TICKET_SYSTEM, RunVariables.TICKET_ID, RunVariables.TICKET_URL);

  /** The largest body read to check a start or task completion (the engine's own forms are small). */
  static final int MAX_CHECKED_BODY = 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ENGINE_PATH =
      Pattern.compile("^(?:/engine-rest|/camunda/api/engine/engine/[^/]+)(/.*)?$");
  private static final Pattern START = Pattern.compile(
      "^/process-definition/(?:key/[^/]+(?:/tenant-id/[^/]+)?|[^/]+)/(?:start|submit-form)$");
  private static final Pattern TASK_COMPLETION =
      Pattern.compile("^/task/[^/]+/(?:complete|submit-form|resolve)$");

  /**
   * A refused operation: {@code path} with any method, but reads ({@code readsAllowed}) and the
   * queries sent by POST ({@code queries}); or, when {@code only} is set, that method alone.
   */
  private record Rule(Pattern path, boolean readsAllowed, Set<String> queries, String only, String what) {
    Rule(Pattern path, boolean readsAllowed, Set<String> queries, String what) {
      this(path, readsAllowed, queries, null, what);
    }
  }

  private static final List<Rule> RULES = List.of(
      rule("^/process-instance/[^/]+/modification$", "modifying a process instance"),
      rule("^/modification(?:/.*)?$", "modifying process instances"),
      rule("^/migration(?:/.*)?$", "migrating process instances"),
      rule("^/process-definition/.+/restart(?:-async)?$", "restarting process instances"),
      rule("^/process-instance/[^/]+/variables(?:/.*)?$", true, "changing the variables of a run"),
      rule("^/execution/[^/]+/localVariables(?:/.*)?$", true, "changing the variables of a run"),
      rule("^/task/[^/]+/(?:variables|localVariables)(?:/.*)?$", true, "changing the variables of a task"),
      rule("^/execution/[^/]+/(?:signal|messageSubscriptions/.*)$", "triggering an execution"),
      new Rule(Pattern.compile("^/external-task(?:/.*)?$"), true, Set.of("/external-task", "/external-task/count"),
          "working or changing a step (only the application's step worker works steps)"),
      new Rule(Pattern.compile("^/job(?:/.*)?$"), true, Set.of("/job", "/job/count"),
          "changing a job (a failed step is retried through its failure decision task)"),
      new Rule(Pattern.compile("^/job-definition(?:/.*)?$"), true,
          Set.of("/job-definition", "/job-definition/count"), "changing a job definition"),
      rule("^/process-instance/[^/]+/suspended$", "pausing or resuming a run here (use /api/runs/{id}/pause or /resume)"),
      rule("^/process-instance/suspended(?:-async)?$", "pausing or resuming runs here (use /api/runs/{id}/pause or /resume)"),
      rule("^/process-definition/.+/suspended$", "suspending or activating a procedure"),
      new Rule(Pattern.compile("^/process-instance/[^/]+$"), true, Set.of(), "DELETE",
          "deleting a run here (cancel it with a reason: POST /api/runs/{id}/cancel)"),
      rule("^/process-instance/delete(?:-historic-query-based)?$", "deleting runs"),
      rule("^/process-instance/(?:job-retries|variables-async|message-async|correlation-async)$",
          "changing runs in a batch"));

  private final IdentityService identityService;

  public EngineOperationGuard(IdentityService identityService) {
    this.identityService = identityService;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws ServletException, IOException {
    Matcher engine = ENGINE_PATH.matcher(request.getRequestURI().substring(request.getContextPath().length()));
    if (!engine.matches() || isAdmin()) {
      chain.doFilter(request, response);
      return;
    }
    String path = engine.group(1) == null ? "/" : stripTrailingSlash(engine.group(1));
    String method = request.getMethod();
    Optional<String> refused = refusal(method, path);
    if (refused.isEmpty() && "POST".equals(method)
        && (START.matcher(path).matches() || TASK_COMPLETION.matcher(path).matches())) {
      byte[] body = request.getInputStream().readNBytes(MAX_CHECKED_BODY + 1);
      if (body.length > MAX_CHECKED_BODY) {
        refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "the body is larger than "
            + MAX_CHECKED_BODY + " bytes");
        return;
      }
      refused = START.matcher(path).matches() ? startRefusal(body) : completionRefusal(body);
      request = new BufferedRequest(request, body);
    }
    if (refused.isPresent()) {
      logger.info("refused to " + callerName() + ": " + method + " " + path + " (" + refused.get() + ")");
      refuse(response, HttpServletResponse.SC_FORBIDDEN, refused.get()
          + " is reserved to members of " + DrGroups.ADMINS);
      return;
    }
    chain.doFilter(request, response);
  }

  /** What a non-admin may not do with {@code method} on the engine path, if anything. */
  static Optional<String> refusal(String method, String path) {
    boolean read = "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
    for (Rule rule : RULES) {
      if (!rule.path().matcher(path).matches() || rule.only() != null && !rule.only().equals(method)) {
        continue;
      }
      if (read && rule.readsAllowed() || "POST".equals(method) && rule.queries().contains(path)) {
        return Optional.empty();
      }
      return Optional.of(rule.what());
    }
    return Optional.empty();
  }

  static Optional<String> startRefusal(byte[] body) {
    JsonNode start = parse(body);
    if (start.path("startInstructions").isArray() && !start.path("startInstructions").isEmpty()) {
      return Optional.of("starting a run elsewhere than at its start event (startInstructions)");
    }
    if (start.path("skipCustomListeners").asBoolean(false) || start.path("skipIoMappings").asBoolean(false)) {
      return Optional.of("starting a run without its listeners or mappings");
    }
    return Optional.empty();
  }

  static Optional<String> completionRefusal(byte[] body) {
    JsonNode variables = parse(body).path("variables");
    return RUN_VARIABLES.stream().filter(variables::has).findFirst()
        .map(name -> "setting the run variable '" + name + "' from a task");
  }

  private static JsonNode parse(byte[] body) {
    try {
      JsonNode node = body.length == 0 ? null : JSON.readTree(body);
      return node == null ? JSON.createObjectNode() : node;
    } catch (IOException notJson) {
      // the engine answers a body it cannot read with 400 itself
      return JSON.createObjectNode();
    }
  }

  private boolean isAdmin() {
    var caller = identityService.getCurrentAuthentication();
    return caller != null && caller.getGroupIds() != null && caller.getGroupIds().contains(DrGroups.ADMINS);
  }

  private String callerName() {
    var caller = identityService.getCurrentAuthentication();
    return caller == null ? "an unauthenticated caller" : caller.getUserId();
  }

  private static void refuse(HttpServletResponse response, int status, String detail) throws IOException {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", "about:blank");
    problem.put("title", status == HttpServletResponse.SC_FORBIDDEN ? "Forbidden" : "Payload Too Large");
    problem.put("status", status);
    problem.put("detail", detail);
    response.setStatus(status);
    response.setContentType("application/problem+json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    JSON.writeValue(response.getOutputStream(), problem);
  }

  private static String stripTrailingSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static Rule rule(String path, String what) {
    return rule(path, false, what);
  }

  private static Rule rule(String path, boolean readsAllowed, String what) {
    return new Rule(Pattern.compile(path), readsAllowed, Set.of(), what);
  }
}
