package io.drrunbook.lab;

import org.springframework.context.annotation.Profile;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The drill lab dashboard at {@code /lab/} (lab profile, behind the lab's HTTP Basic login): one
 * static page (classpath {@code lab/dashboard/}) that polls {@code GET /lab/api/state} every second
 * and drives the fault endpoints. No build step, nothing loaded from elsewhere: the page's Content
 * Security Policy allows scripts, styles and requests of its own origin only.
 */
@Controller
@Profile("lab")
public class LabDashboardController {

  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; "
      + "style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'";

  private static final String FOLDER = "lab/dashboard/";
  private static final MediaType JAVASCRIPT = MediaType.parseMediaType("text/javascript;charset=UTF-8");
  private static final MediaType CSS = MediaType.parseMediaType("text/css;charset=UTF-8");

  @GetMapping("/lab")
  public String toDashboard() {
    return "redirect:/lab/";
  }

  @GetMapping("/lab/")
  public ResponseEntity<Resource> dashboard() {
    return file("index.html", MediaType.parseMediaType("text/html;charset=UTF-8"));
  }

  @GetMapping("/lab/dashboard.js")
  public ResponseEntity<Resource> script() {
    return file("dashboard.js", JAVASCRIPT);
  }

  @GetMapping("/lab/dashboard.css")
  public ResponseEntity<Resource> style() {
    return file("dashboard.css", CSS);
  }

  private static ResponseEntity<Resource> file(String name, MediaType type) {
    return ResponseEntity.ok()
        .contentType(type)
        .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .body(new ClassPathResource(FOLDER + name));
  }
}
