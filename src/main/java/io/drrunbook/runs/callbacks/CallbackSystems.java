package io.drrunbook.runs.callbacks;

import io.drrunbook.runs.callbacks.CallbackProperties.TicketSystem;
import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The ticket systems callbacks go to, validated when defined (method, absolute http(s) URL, known
 * events, a body template that gives valid JSON for hostile values, the authorization a secret
 * reference). Read from {@code dr.callbacks.systems.*} at start-up; {@link #define} replaces or
 * adds one at runtime (tests, or a site that reloads its configuration).
 */
@Component
public class CallbackSystems {

  private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH");

  private final Map<String, TicketSystem> systems = new ConcurrentHashMap<>();

  public CallbackSystems(CallbackProperties properties) {
    properties.getSystems().forEach(this::define);
  }

  public void define(String name, TicketSystem system) {
    validate(name, system);
    systems.put(name, system);
  }

  public void remove(String name) {
    systems.remove(name);
  }

  public Optional<TicketSystem> get(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(systems.get(name));
  }

  public boolean wants(String name, CallbackEvent event) {
    return get(name).map(s -> s.getEvents().contains(event.id())).orElse(false);
  }

  private static void validate(String name, TicketSystem system) {
    String where = "dr.callbacks.systems." + name;
    if (system.getUrlTemplate() == null || system.getUrlTemplate().isBlank()) {
      throw new IllegalStateException(where + ".url-template is missing");
    }
    if (system.getMethod() == null
        || !METHODS.contains(system.getMethod().toUpperCase(Locale.ROOT))) {
      throw new IllegalStateException(where + ".method must be one of " + METHODS);
    }
    Set<String> unknown = system.getEvents().stream()
        .filter(e -> CallbackEvent.of(e).isEmpty()).collect(Collectors.toSet());
    if (!unknown.isEmpty()) {
      throw new IllegalStateException(where + ".events names unknown events " + unknown
          + "; known: " + CallbackEvent.names());
    }
    String auth = system.getAuthorization();
    if (auth != null && !auth.isBlank() && !auth.startsWith("env:") && !auth.startsWith("file:")) {
      throw new IllegalStateException(where + ".authorization must be a secret reference"
          + " (env:NAME or file:/path), not a value");
    }
    if (system.getMaxAttempts() < 1) {
      throw new IllegalStateException(where + ".max-attempts must be at least 1");
    }
    Map<String, String> sample = new HashMap<>();
    CallbackTemplates.PLACEHOLDERS.forEach(p -> sample.put(p, "x\"}{\\\n<>&/?#%"));
    URI uri;
    try {
      uri = URI.create(CallbackTemplates.url(system.getUrlTemplate(), sample));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(where + ".url-template does not give a valid URL", e);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalStateException(where + ".url-template must be an http or https URL");
    }
    try {
      CallbackTemplates.body(system.getBodyTemplate(), sample, system.getContentType());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(where + ".body-template: " + e.getMessage());
    }
  }
}
