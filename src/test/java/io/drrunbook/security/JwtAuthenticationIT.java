package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** Bearer tokens on the engine REST API: only a valid token of the issuer, for this audience, passes. */
class JwtAuthenticationIT extends ProductionContext {

  private static final String DEFINITIONS = "/engine-rest/process-definition?key=dr-genesys-cs-failover";

  @Autowired TestRestTemplate http;

  @Test
  void shouldListTheProceduresWhenTheTokenIsValidAndItsGroupIsMapped() {
    ResponseEntity<String> response = get(sign(claims("olivia", List.of("DR-Operators-AD")).build(), KEY));

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getBody()).contains("\"key\":\"dr-genesys-cs-failover\"");
  }

  @Test
  void shouldShowNothingWhenTheTokenIsValidButNoGroupIsMapped() {
    ResponseEntity<String> response = get(sign(claims("mallory", List.of("Sales")).build(), KEY));

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getBody()).isEqualTo("[]");
  }

  @Test
  void shouldRefuseWhenTheTokenHasExpired() {
    Instant past = Instant.now().minusSeconds(3600);
    assertRefused(sign(claims("olivia", List.of("DR-Operators-AD")).issueTime(Date.from(past))
        .expirationTime(Date.from(past.plusSeconds(300))).build(), KEY));
  }

  @Test
  void shouldRefuseWhenTheTokenIsForAnotherAudience() {
    assertRefused(sign(claims("olivia", List.of("DR-Operators-AD")).audience("another-app").build(), KEY));
  }

  @Test
  void shouldRefuseWhenTheTokenIsFromAnotherIssuer() {
    assertRefused(sign(claims("olivia", List.of("DR-Operators-AD"))
        .issuer("https://login.example.test/realms/other").build(), KEY));
  }

  @Test
  void shouldRefuseWhenTheSignatureIsNotTheIssuers() {
    assertRefused(sign(claims("olivia", List.of("DR-Operators-AD")).build(), rsaKey("issuer-key")));
  }

  @Test
  void shouldRefuseWhenTheTokenIsGarbage() {
    assertRefused("not-a-token");
  }

  private void assertRefused(String token) {
    ResponseEntity<String> response = get(token);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(response.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Bearer");
  }

  private ResponseEntity<String> get(String token) {
    HttpHeaders headers = new HttpHeaders();
    headers.setBearerAuth(token);
    return http.exchange(DEFINITIONS, HttpMethod.GET, new HttpEntity<>(headers), String.class);
  }

}
