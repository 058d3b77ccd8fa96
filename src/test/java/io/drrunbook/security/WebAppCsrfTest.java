package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.LinkedMultiValueMap;

/** The Camunda web apps keep their own CSRF protection behind the product's security set-up. */
@DrillContext
class WebAppCsrfTest {

  private static final String LOGIN = "/camunda/api/admin/auth/user/default/login/cockpit";

  @Autowired TestRestTemplate http;

  @Test
  void shouldRefuseALoginWhenTheCsrfTokenIsMissing() {
    ResponseEntity<String> response = http.postForEntity(LOGIN, form(new HttpHeaders()), String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
  }

  @Test
  void shouldAcceptALoginWhenTheCsrfTokenOfTheSessionIsSent() {
    ResponseEntity<String> page = http.getForEntity("/camunda/app/cockpit/default/", String.class);
    String token = page.getHeaders().getFirst("X-XSRF-TOKEN");
    List<String> cookies = page.getHeaders().get(HttpHeaders.SET_COOKIE);
    assertThat(token).as("the web apps hand out a CSRF token").isNotBlank();
    assertThat(cookies).isNotEmpty();

    HttpHeaders headers = new HttpHeaders();
    headers.set("X-XSRF-TOKEN", token);
    cookies.forEach(cookie -> headers.add(HttpHeaders.COOKIE, cookie.split(";", 2)[0]));
    ResponseEntity<String> response = http.postForEntity(LOGIN, form(headers), String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getBody()).contains("\"userId\":\"operator\"");
  }

  private static HttpEntity<LinkedMultiValueMap<String, String>> form(HttpHeaders headers) {
    headers.setContentType(MediaType.APPLICATION_FORM_URLENCODED);
    LinkedMultiValueMap<String, String> body = new LinkedMultiValueMap<>();
    body.add("username", "operator");
    body.add("password", "operator");
    return new HttpEntity<>(body, headers);
  }
}
