package io.drrunbook.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A person logged in to Cockpit or Tasklist is logged in here too: the lab dashboard and the links of
 * a task's header (run status, report, checklist) use the web apps' login session instead of asking
 * for a second, browser-native login.
 *
 * <p>A request without an {@code Authorization} header whose session carries the web apps' login of
 * the default engine is authenticated as that user, with the groups the identity service gives the
 * user now (a user deleted since the login is not authenticated). Only reads (GET, HEAD) are taken
 * from the session, unless {@code writes} is on: then a write must also carry the web apps' CSRF token
 * ({@code X-XSRF-TOKEN}, as Cockpit and Tasklist send it), so another site cannot make the browser
 * act. Anything else falls through to HTTP Basic as before.
 *
 * <p>Reads the session through the web apps' {@code AuthenticationUtil} (Camunda's webapp, not the
 * engine): the one place that knows how the web apps keep their login.
 */
class WebAppSessionAuthentication extends OncePerRequestFilter {

  static final String CSRF_HEADER = "X-XSRF-TOKEN";
  static final String CSRF_SESSION_ATTRIBUTE = "CAMUNDA_CSRF_TOKEN";
  private static final Set<String> READS = Set.of("GET", "HEAD");
  private static final String ENGINE = "default";

  private final IdentityService identity;
  private final RequestMatcher where;
  private final boolean writes;

  /** Takes the session for requests {@code where} matches; for writes too when {@code writes}. */
  WebAppSessionAuthentication(IdentityService identity, RequestMatcher where, boolean writes) {
    this.identity = identity;
    this.where = where;
    this.writes = writes;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    HttpSession session = request.getSession(false);
    if (session != null && where.matches(request) && request.getHeader(HttpHeaders.AUTHORIZATION) == null
        && SecurityContextHolder.getContext().getAuthentication() == null && mayUse(request, session)) {
      String userId = loggedIn(session);
      if (userId != null && identity.createUserQuery().userId(userId).count() == 1) {
        List<SimpleGrantedAuthority> groups = identity.createGroupQuery().groupMember(userId).list().stream()
            .map(Group::getId).map(SimpleGrantedAuthority::new).toList();
        SecurityContextHolder.getContext()
            .setAuthentication(UsernamePasswordAuthenticationToken.authenticated(userId, null, groups));
      }
    }
    chain.doFilter(request, response);
  }

  private boolean mayUse(HttpServletRequest request, HttpSession session) {
    if (READS.contains(request.getMethod())) {
      return true;
    }
    if (!writes) {
      return false;
    }
    Object expected = session.getAttribute(CSRF_SESSION_ATTRIBUTE);
    String given = request.getHeader(CSRF_HEADER);
    return expected instanceof String token && given != null
        && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  private static String loggedIn(HttpSession session) {
    Authentications authentications = AuthenticationUtil.getAuthsFromSession(session);
    if (authentications == null
        || !(authentications.getAuthenticationForProcessEngine(ENGINE) instanceof UserAuthentication user)) {
      return null;
    }
    return user.getIdentityId();
  }
}
