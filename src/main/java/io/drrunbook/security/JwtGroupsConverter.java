package io.drrunbook.security;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * A validated token to the caller: user id from {@link JwtProperties#userClaim()}, groups from the
 * values of {@link JwtProperties#groupsClaim()} (a list or one string) that
 * {@link JwtProperties#groupMapping()} maps to a {@code dr-*} group.
 */
public class JwtGroupsConverter implements Converter<Jwt, AbstractAuthenticationToken> {

  private final JwtProperties properties;

  public JwtGroupsConverter(JwtProperties properties) {
    this.properties = properties;
  }

  @Override
  public AbstractAuthenticationToken convert(Jwt jwt) {
    String userId = jwt.getClaimAsString(properties.userClaim());
    Object claim = jwt.getClaims().get(properties.groupsClaim());
    Collection<?> values = claim instanceof Collection<?> list ? list
        : claim == null ? List.of() : List.of(claim);
    List<SimpleGrantedAuthority> groups = values.stream().map(String::valueOf)
        .map(properties.groupMapping()::get).filter(Objects::nonNull).distinct()
        .map(SimpleGrantedAuthority::new).toList();
    return new JwtAuthenticationToken(jwt, groups, userId);
  }
}
