package io.drrunbook.security;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Bearer tokens ({@code dr.security.jwt.*}); active only when
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code jwk-set-uri} is set.
 *
 * @param audience the audience ({@code aud}) a token must name; required when tokens are accepted
 * @param userClaim the claim that holds the user id (default {@code sub})
 * @param groupsClaim the claim that holds the caller's groups (default {@code groups})
 * @param groupMapping claim value to {@code dr-*} group; values not listed grant nothing
 */
@ConfigurationProperties("dr.security.jwt")
public record JwtProperties(String audience, String userClaim, String groupsClaim,
    Map<String, String> groupMapping) {

  public JwtProperties {
    userClaim = userClaim == null || userClaim.isBlank() ? "sub" : userClaim;
    groupsClaim = groupsClaim == null || groupsClaim.isBlank() ? "groups" : groupsClaim;
    groupMapping = groupMapping == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(groupMapping));
  }
}
