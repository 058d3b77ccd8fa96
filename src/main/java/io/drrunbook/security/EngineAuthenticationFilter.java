package io.drrunbook.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Tenant;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Hands the caller Spring Security authenticated (Basic or bearer token) to the engine for the
 * request: {@link IdentityService#setAuthentication} with the user id, its groups and tenants, so
 * that the engine's authorizations apply to every call the request makes; cleared afterwards.
 */
public class EngineAuthenticationFilter extends OncePerRequestFilter {

  private final IdentityService identityService;

  public EngineAuthenticationFilter(IdentityService identityService) {
    this.identityService = identityService;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws ServletException, IOException {
    Authentication caller = SecurityContextHolder.getContext().getAuthentication();
    if (caller == null || !caller.isAuthenticated() || caller.getName() == null) {
      chain.doFilter(request, response);
      return;
    }
    String userId = caller.getName();
    List<String> groups = caller.getAuthorities().stream().map(GrantedAuthority::getAuthority)
        .filter(authority -> !authority.startsWith("SCOPE_") && !authority.startsWith("ROLE_"))
        .toList();
    List<String> tenants = identityService.createTenantQuery().userMember(userId)
        .includingGroupsOfUser(true).list().stream().map(Tenant::getId).toList();
    identityService.setAuthentication(userId, groups, tenants);
    try {
      chain.doFilter(request, response);
    } finally {
      identityService.clearAuthentication();
    }
  }
}
