package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * A person logged in to Cockpit or Tasklist reads the lab dashboard and a run's status with that login;
 * writes take the session only with the web apps' CSRF token (the lab) or not at all (the API).
 */
@DrillContext
class WebAppSessionAuthenticationTest {

  @Autowired TestRestTemplate http;
  @Autowired Lab lab;

  @AfterEach
  void resetLab() {
    lab.reset();
  }

  @Test
  void shouldReadTheLabAndTheRunsWithTheWebAppsLoginAndNoSecondLogin() {
    HttpHeaders session = WebAppSession.login(http, "operator");

    ResponseEntity<String> state = get("/lab/api/state", session);
    assertThat(state.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(state.getHeaders().get(HttpHeaders.SET_COOKIE)).as("the session is kept as it is").isNull();
    assertThat(get("/api/runs", session).getStatusCode()).isEqualTo(HttpStatus.OK);
    // a stranger's session (the login page's cookies) is no login
    HttpHeaders stranger = WebAppSession.anonymous(http);
    assertThat(get("/lab/api/state", stranger).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(get("/api/runs", stranger).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
  }

  @Test
  void shouldActOnTheLabWithTheSessionOnlyWithItsCsrfTokenAndNeverOnTheApi() {
    // logged in as the browser is, with the CSRF token of the session the login started
    HttpHeaders session = WebAppSession.tasklist(http, "operator");
    HttpHeaders withoutToken = new HttpHeaders();
    withoutToken.addAll(HttpHeaders.COOKIE, session.get(HttpHeaders.COOKIE));

    assertThat(post("/lab/api/sites/site1/down", withoutToken).getStatusCode())
        .as("a cookie alone (what another site can make the browser send)").isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(lab.sites().isDown("site1")).isFalse();
    String consoleAction = "/lab/api/consoles/site1.oceana-manager/cluster-group/set-standby";
    assertThat(post(consoleAction, withoutToken).getStatusCode()).as("a console action too").isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(lab.state().state("site1.oceana-manager", "cluster-group")).isEqualTo("ACTIVE");
    ResponseEntity<String> acted = post(consoleAction, session);
    assertThat(acted.getStatusCode()).as(acted.getBody()).isEqualTo(HttpStatus.OK);
    assertThat(lab.state().commandLog("site1.oceana-manager")).extracting(LabState.CommandRecord::command)
        .containsExactly("console cluster-group set-standby by operator");

    ResponseEntity<String> down = post("/lab/api/sites/site1/down", session);
    assertThat(down.getStatusCode()).as(down.getBody()).isEqualTo(HttpStatus.OK);
    assertThat(lab.sites().lost()).singleElement().satisfies(loss -> assertThat(loss.by()).isEqualTo("operator"));

    // the product API never acts on a cookie, token or not
    assertThat(post("/api/runs", session).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
  }

  private ResponseEntity<String> get(String path, HttpHeaders headers) {
    return http.exchange(path, HttpMethod.GET, new HttpEntity<>(headers), String.class);
  }

  private ResponseEntity<String> post(String path, HttpHeaders headers) {
    return http.exchange(path, HttpMethod.POST, new HttpEntity<>("{}", headers), String.class);
  }
}
