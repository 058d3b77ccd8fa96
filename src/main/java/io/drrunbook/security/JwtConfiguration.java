package io.drrunbook.security;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.security.oauth2.resource.OAuth2ResourceServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;

/**
 * The bearer-token decoder, present only when an issuer or a JWK set is configured: signature
 * against the issuer's keys, expiry and not-before (default clock skew 60 s), the issuer when
 * {@code issuer-uri} is set, and the audience {@code dr.security.jwt.audience}, which is then
 * required.
 */
@Configuration
@ConditionalOnExpression("'${spring.security.oauth2.resourceserver.jwt.issuer-uri:}' != ''"
    + " or '${spring.security.oauth2.resourceserver.jwt.jwk-set-uri:}' != ''")
public class JwtConfiguration {

  @Bean
  public JwtDecoder jwtDecoder(OAuth2ResourceServerProperties resourceServer, JwtProperties properties) {
    String audience = properties.audience();
    if (audience == null || audience.isBlank()) {
      throw new IllegalStateException("bearer tokens are configured but dr.security.jwt.audience is not set");
    }
    String issuer = resourceServer.getJwt().getIssuerUri();
    String jwkSetUri = resourceServer.getJwt().getJwkSetUri();
    OAuth2TokenValidator<Jwt> validator = validator(issuer, audience);
    if (jwkSetUri != null && !jwkSetUri.isBlank()) {
      NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwkSetUri).build();
      decoder.setJwtValidator(validator);
      return decoder;
    }
    // discovery from the issuer on first use, so that start-up does not depend on the issuer
    return new SupplierJwtDecoder(() -> {
      NimbusJwtDecoder decoder = (NimbusJwtDecoder) JwtDecoders.fromIssuerLocation(issuer);
      decoder.setJwtValidator(validator);
      return decoder;
    });
  }

  static OAuth2TokenValidator<Jwt> validator(String issuer, String audience) {
    List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
    validators.add(issuer == null || issuer.isBlank()
        ? JwtValidators.createDefault() : JwtValidators.createDefaultWithIssuer(issuer));
    validators.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
        aud -> aud != null && aud.contains(audience)));
    return new DelegatingOAuth2TokenValidator<>(validators);
  }
}
