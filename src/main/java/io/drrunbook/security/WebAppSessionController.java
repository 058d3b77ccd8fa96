package io.drrunbook.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /lab/api/session}: who the dashboard acts as, and, when that is the web apps' login
 * session, the session's CSRF token for the dashboard's changes ({@code X-XSRF-TOKEN}). The web apps
 * keep that token in a cookie only their own pages can read; another site cannot read this answer
 * (same-origin policy, no CORS), so handing it to the page gives nothing away.
 */
@RestController
@Profile("lab")
public class WebAppSessionController {

  @GetMapping("/lab/api/session")
  public Map<String, Object> session(Principal caller, HttpServletRequest request) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("user", caller == null ? null : caller.getName());
    HttpSession session = request.getSession(false);
    boolean basic = request.getHeader("Authorization") != null;
    Object token = session == null || basic ? null : session.getAttribute(WebAppSessionAuthentication.CSRF_SESSION_ATTRIBUTE);
    answer.put("csrfToken", token instanceof String text ? text : null);
    return answer;
  }
}
