package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.LinkedMultiValueMap;

/** A logged-in web app session (cookies and CSRF token), as Cockpit and Tasklist hold one. */
public final class WebAppSession {

  private static final String LOGIN = "/camunda/api/admin/auth/user/default/login/";

  private WebAppSession() {}

  /** Logs in as {@code user} (password = user name); JSON headers for the web apps' API calls. */
  public static HttpHeaders login(TestRestTemplate http, String user) {
    return session(http, user, "cockpit", false);
  }

  /**
   * Logs in to Tasklist as {@code user} (password = user name) as the browser does: the login starts a
   * new session, whose CSRF token comes with the next page; JSON headers for Tasklist's API calls,
   * writes included.
   */
  public static HttpHeaders tasklist(TestRestTemplate http, String user) {
    return session(http, user, "tasklist", true);
  }

  private static HttpHeaders session(TestRestTemplate http, String user, String app, boolean reload) {
    String page = "/camunda/app/" + app + "/default/";
    Map<String, String> cookies = new LinkedHashMap<>();
    String token = remember(http.getForEntity(page, String.class), cookies, null);

    HttpHeaders loginHeaders = headers(cookies, token);
    loginHeaders.setContentType(MediaType.APPLICATION_FORM_URLENCODED);
    LinkedMultiValueMap<String, String> form = new LinkedMultiValueMap<>();
    form.add("username", user);
    form.add("password", user);
    ResponseEntity<String> login = http.postForEntity(LOGIN + app, new HttpEntity<>(form, loginHeaders), String.class);
    assertThat(login.getStatusCode()).as("web app login of " + user).isEqualTo(HttpStatus.OK);
    token = remember(login, cookies, token);
    if (reload) {
      token = remember(http.exchange(page, HttpMethod.GET, new HttpEntity<>(headers(cookies, null)), String.class),
          cookies, null);
    }

    HttpHeaders session = headers(cookies, token);
    session.setContentType(MediaType.APPLICATION_JSON);
    return session;
  }

  /** A stranger's session: the cookies and CSRF token any visitor of the login page gets. */
  static HttpHeaders anonymous(TestRestTemplate http) {
    ResponseEntity<String> page = http.getForEntity("/camunda/app/admin/default/", String.class);
    Map<String, String> cookies = new LinkedHashMap<>();
    HttpHeaders session = headers(cookies, remember(page, cookies, null));
    session.setContentType(MediaType.APPLICATION_JSON);
    return session;
  }

  private static String remember(ResponseEntity<String> response, Map<String, String> cookies, String token) {
    List<String> set = response.getHeaders().get(HttpHeaders.SET_COOKIE);
    if (set != null) {
      for (String cookie : set) {
        String pair = cookie.split(";", 2)[0];
        cookies.put(pair.split("=", 2)[0], pair);
      }
    }
    String sent = response.getHeaders().getFirst("X-XSRF-TOKEN");
    return sent == null ? token : sent;
  }

  private static HttpHeaders headers(Map<String, String> cookies, String token) {
    HttpHeaders headers = new HttpHeaders();
    if (token != null) {
      headers.set("X-XSRF-TOKEN", token);
    }
    cookies.values().forEach(cookie -> headers.add(HttpHeaders.COOKIE, cookie));
    return headers;
  }
}
