package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Failed logins over HTTP from distinct sources: each client binds its connection to its own
 * loopback address (127.0.0.x), which is what the application sees as the remote address.
 * X-Forwarded-For is sent by the attacker and must change nothing.
 */
@DrillContext
class LoginProtectionTest {

  private static final String DEFINITIONS = "/engine-rest/process-definition?key=dr-genesys-cs-failover";

  @LocalServerPort int port;

  @Test
  void shouldLetTheApproverInFromAnotherSourceWhenOneSourceSentFiftyWrongPasswords() throws IOException {
    List<Integer> attacker = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Answer answer = get("127.0.0.2", DEFINITIONS, Map.of("Authorization", basic("approver", "guess" + i),
          "X-Forwarded-For", "10.9.9." + i));
      attacker.add(answer.status());
      if (answer.status() == 429) {
        assertThat(Long.parseLong(answer.header("retry-after"))).isBetween(1L, 300L);
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
      }
    }

    assertThat(attacker.subList(0, 20)).as("refused as bad credentials").containsOnly(401);
    assertThat(attacker.subList(20, 50)).as("then the source is throttled").containsOnly(429);
    assertThat(get("127.0.0.2", DEFINITIONS, Map.of("Authorization", basic("approver", "approver"))).status())
        .as("the throttled source, even with the right password").isEqualTo(429);
    Answer approver = get("127.0.0.3", DEFINITIONS, Map.of("Authorization", basic("approver", "approver")));
    assertThat(approver.status()).as("the approver from another source").isEqualTo(200);
    assertThat(approver.body()).contains("\"key\":\"dr-genesys-cs-failover\"");
  }

  @Test
  void shouldAcceptTheTicketingTokenWhenFiftyWrongPasswordsWereSentForTicketing() throws IOException {
    for (int i = 0; i < 50; i++) {
      get("127.0.0.4", DEFINITIONS, Map.of("Authorization", basic("ticketing", "guess" + i)));
    }
    assertThat(get("127.0.0.4", DEFINITIONS, Map.of("Authorization", basic("ticketing", "ticketing"))).status())
        .as("passwords from the throttled source").isEqualTo(429);

    Answer token = get("127.0.0.4", DEFINITIONS, Map.of("Authorization", "Bearer lab-ticketing-token"));

    assertThat(token.status()).as("the token, even from the throttled source").isEqualTo(200);
    assertThat(token.body()).contains("\"key\":\"dr-genesys-cs-failover\"");
    assertThat(get("127.0.0.4", "/api/procedures", Map.of("Authorization", "Bearer lab-ticketing-token"))
        .status()).as("the product API with the token").isEqualTo(200);
    assertThat(get("127.0.0.5", DEFINITIONS, Map.of("Authorization", basic("ticketing", "ticketing"))).status())
        .as("ticketing's password is not locked either").isEqualTo(200);
  }

  @Test
  void shouldRefuseABearerTokenWhenItIsNotAConfiguredOne() throws IOException {
    Answer answer = get("127.0.0.6", DEFINITIONS, Map.of("Authorization", "Bearer lab-ticketing-token2"));

    assertThat(answer.status()).isEqualTo(401);
  }

  @Test
  void shouldThrottleTheWebAppLoginFormWhenItsSourceSentTooManyWrongPasswords() throws IOException {
    String login = "/camunda/api/admin/auth/user/default/login/cockpit";
    Answer page = get("127.0.0.7", "/camunda/app/cockpit/default/", Map.of());
    String csrf = page.header("x-xsrf-token");
    String cookies = String.join("; ", page.cookies());
    Map<String, String> headers = Map.of("X-XSRF-TOKEN", csrf, "Cookie", cookies,
        "Content-Type", "application/x-www-form-urlencoded");
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      statuses.add(post("127.0.0.7", login, headers, "username=approver2&password=guess" + i).status());
    }

    assertThat(statuses.subList(0, 20)).containsOnly(401);
    assertThat(statuses.subList(20, 25)).containsOnly(429);
    assertThat(post("127.0.0.7", login, headers, "username=approver2&password=approver2").status())
        .isEqualTo(429);
  }

  private Answer get(String from, String path, Map<String, String> headers) throws IOException {
    return exchange(from, "GET", path, headers, null);
  }

  private Answer post(String from, String path, Map<String, String> headers, String body) throws IOException {
    return exchange(from, "POST", path, headers, body);
  }

  /** One HTTP/1.1 request on a connection bound to the local address {@code from}. */
  private Answer exchange(String from, String method, String path, Map<String, String> headers,
      String body) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      socket.setSoTimeout(30_000);
      byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n")
          .append("Host: localhost:").append(port).append("\r\nConnection: close\r\n");
      headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
      if (body != null) {
        request.append("Content-Length: ").append(content.length).append("\r\n");
      }
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      InputStream in = socket.getInputStream();
      return Answer.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private record Answer(int status, Map<String, String> headers, List<String> cookies, String body) {
    static Answer parse(String raw) {
      int end = raw.indexOf("\r\n\r\n");
      String[] lines = raw.substring(0, end).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      List<String> cookies = new ArrayList<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = lines[i].substring(colon + 1).strip();
        headers.put(name, value);
        if (name.equals("set-cookie")) {
          cookies.add(value.split(";", 2)[0]);
        }
      }
      return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, cookies, raw.substring(end + 4));
    }

    String header(String name) {
      return headers.get(name);
    }
  }
}
