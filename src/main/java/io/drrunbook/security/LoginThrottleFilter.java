package io.drrunbook.security;

import io.drrunbook.common.BufferedRequest;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every password check over HTTP passes here first, before Spring Security and the web apps: HTTP
 * Basic on any path outside the web apps ({@code /api}, {@code /engine-rest}, {@code /actuator},
 * {@code /lab}), a bearer token there, and the web apps' form login
 * ({@code POST <webapp>/api/admin/auth/user/<engine>/login/<app>}). A source refused by the
 * {@link LoginThrottle} gets 429 with {@code Retry-After} (a problem document) and nothing is
 * checked; a user with recent failures waits its delay; an answer 401 counts as a failure of the
 * source and the user. A valid {@link ApiTokens} token is never throttled. The source is the
 * connection's remote address (what Tomcat's RemoteIpValve makes of it for a trusted proxy), an
 * IPv6 address counted by its /64 network.
 */
public class LoginThrottleFilter extends OncePerRequestFilter {

  private static final int FORM_LIMIT = 8 * 1024;
  private static final int USER_KEY_LIMIT = 128;

  private final LoginThrottle throttle;
  private final ApiTokens tokens;
  private final String webAppPath;
  private final Sleeper sleeper;

  /** Waits a delay; a test seam. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration delay) throws InterruptedException;
  }

  public LoginThrottleFilter(LoginThrottle throttle, ApiTokens tokens, String webAppPath,
      Sleeper sleeper) {
    this.throttle = throttle;
    this.tokens = tokens;
    this.webAppPath = webAppPath.endsWith("/") ? webAppPath.substring(0, webAppPath.length() - 1) : webAppPath;
    this.sleeper = sleeper;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws ServletException, IOException {
    String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
    boolean webApp = path.equals(webAppPath) || path.startsWith(webAppPath + "/");
    boolean formLogin = webApp && "POST".equals(request.getMethod()) && isLoginPath(path);
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (!formLogin && (webApp || authorization == null)) {
      chain.doFilter(request, response);
      return;
    }
    String bearer = ApiTokenAuthenticationFilter.bearerToken(request);
    if (!formLogin && bearer != null && tokens.userOf(bearer).isPresent()) {
      chain.doFilter(request, response);
      return;
    }
    String source = source(request.getRemoteAddr());
    long retryAfter = throttle.retryAfterSeconds(source);
    if (retryAfter > 0) {
      tooManyFailures(request, response, retryAfter);
      return;
    }
    HttpServletRequest checked = request;
    String user;
    if (formLogin) {
      byte[] body = request.getInputStream().readNBytes(FORM_LIMIT + 1);
      if (body.length > FORM_LIMIT) {
        response.setHeader("Connection", "close");
        response.sendError(HttpStatus.PAYLOAD_TOO_LARGE.value());
        return;
      }
      checked = new BufferedRequest(request, body);
      user = formField(body, "username");
    } else {
      user = basicUser(authorization);
    }
    if (user != null && user.length() > USER_KEY_LIMIT) {
      // no user id is this long: the table's entries stay small whatever a caller sends
      user = user.substring(0, USER_KEY_LIMIT);
    }
    Duration delay = throttle.delayFor(user);
    if (!delay.isZero()) {
      try {
        sleeper.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        response.sendError(HttpStatus.SERVICE_UNAVAILABLE.value());
        return;
      }
    }
    chain.doFilter(checked, response);
    int status = response.getStatus();
    if (status == HttpStatus.UNAUTHORIZED.value()) {
      throttle.failed(source, user);
    } else if (status < 400 || (!formLogin && status == HttpStatus.FORBIDDEN.value())) {
      // authenticated (a 403 of the APIs refuses an authenticated caller; the web apps' 403 is their
      // CSRF refusal, before any password is checked)
      throttle.succeeded(user);
    }
  }

  private boolean isLoginPath(String path) {
    String rest = path.substring(webAppPath.length());
    String[] parts = rest.split("/");
    // "", api, admin, auth, user, <engine>, login, <app>
    return parts.length == 8 && Arrays.asList(parts).subList(1, 5).equals(
        Arrays.asList("api", "admin", "auth", "user")) && "login".equals(parts[6]);
  }

  private static void tooManyFailures(HttpServletRequest request, HttpServletResponse response,
      long retryAfter) throws IOException {
    response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
    response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    String instance = request.getRequestURI().replace("\\", "\\\\").replace("\"", "\\\"");
    response.getOutputStream().write(("{\"type\":\"about:blank\",\"title\":\"Too Many Requests\","
        + "\"status\":429,\"detail\":\"too many failed logins from this address; retry in "
        + retryAfter + " s\",\"instance\":\"" + instance + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  /** The throttle's key of a remote address: the address, an IPv6 one by its /64 network. */
  static String source(String remoteAddress) {
    if (remoteAddress == null) {
      return "";
    }
    if (remoteAddress.indexOf(':') < 0) {
      return remoteAddress;
    }
    try {
      InetAddress address = InetAddress.getByName(remoteAddress);
      if (address instanceof Inet6Address) {
        byte[] bytes = address.getAddress();
        Arrays.fill(bytes, 8, 16, (byte) 0);
        return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
      }
      return address.getHostAddress();
    } catch (UnknownHostException notAnAddress) {
      return remoteAddress;
    }
  }

  static String basicUser(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
          StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon < 0 ? null : decoded.substring(0, colon);
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
  }

  static String formField(byte[] body, String name) {
    for (String pair : new String(body, StandardCharsets.ISO_8859_1).split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0 && name.equals(pair.substring(0, equals))) {
        try {
          return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException badEncoding) {
          return null;
        }
      }
    }
    return null;
  }
}
