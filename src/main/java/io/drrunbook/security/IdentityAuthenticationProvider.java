package io.drrunbook.security;

import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * HTTP Basic credentials checked against the engine's identity service: {@link
 * IdentityService#checkPassword} (which also applies Camunda's growing delay after failed logins of a
 * user); the authorities are the user's group ids. Unknown user and wrong password look the same.
 */
public class IdentityAuthenticationProvider implements AuthenticationProvider {

  private final IdentityService identityService;

  public IdentityAuthenticationProvider(IdentityService identityService) {
    this.identityService = identityService;
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    String userId = authentication.getName();
    Object credentials = authentication.getCredentials();
    if (userId == null || userId.isBlank() || credentials == null
        || !identityService.checkPassword(userId, credentials.toString())) {
      throw new BadCredentialsException("bad credentials");
    }
    List<SimpleGrantedAuthority> groups = identityService.createGroupQuery().groupMember(userId).list()
        .stream().map(Group::getId).map(SimpleGrantedAuthority::new).toList();
    return UsernamePasswordAuthenticationToken.authenticated(userId, null, groups);
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
  }
}
