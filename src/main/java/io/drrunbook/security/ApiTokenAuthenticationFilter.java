package io.drrunbook.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code Authorization: Bearer <token>} with a token of {@link ApiTokens}: the caller is its user,
 * with the user's groups in the engine. Any other bearer token is left to the OAuth2 resource server
 * (when configured) or ends in 401. Part of the {@code /api} and {@code /engine-rest} chain.
 */
public class ApiTokenAuthenticationFilter extends OncePerRequestFilter {

  private static final String BEARER = "Bearer ";

  private final ApiTokens tokens;
  private final IdentityService identityService;

  public ApiTokenAuthenticationFilter(ApiTokens tokens, IdentityService identityService) {
    this.tokens = tokens;
    this.identityService = identityService;
  }

  static String bearerToken(HttpServletRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return header.substring(BEARER.length()).strip();
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws ServletException, IOException {
    Optional<String> user = tokens.userOf(bearerToken(request));
    if (user.isPresent()) {
      List<SimpleGrantedAuthority> groups = identityService.createGroupQuery()
          .groupMember(user.get()).list().stream().map(Group::getId)
          .map(SimpleGrantedAuthority::new).toList();
      SecurityContext context = SecurityContextHolder.createEmptyContext();
      context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(user.get(), null, groups));
      SecurityContextHolder.setContext(context);
      // the token is used up: no later filter (such as the OAuth2 resource server) reads it again
      chain.doFilter(new WithoutAuthorization(request), response);
      return;
    }
    chain.doFilter(request, response);
  }

  /** The request without its Authorization header. */
  private static final class WithoutAuthorization extends HttpServletRequestWrapper {
    private WithoutAuthorization(HttpServletRequest request) {
      super(request);
    }

    @Override
    public String getHeader(String name) {
      return HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name)
          ? Collections.emptyEnumeration() : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
          .filter(header -> !HttpHeaders.AUTHORIZATION.equalsIgnoreCase(header)).toList());
    }
  }
}
