package io.drrunbook.runs;

import java.util.List;
import java.util.function.Supplier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.stereotype.Component;

/**
 * Who calls the API: the engine authentication that the request's authentication filter put in
 * place (user id and groups), never anything servlet-specific, so that the way callers authenticate
 * can change without touching the API.
 */
@Component
public class ApiCaller {

  /** The caller as the API sees it. */
  public record Caller(String userId, List<String> groups) {
    public boolean inAny(List<String> wanted) {
      return groups.stream().anyMatch(wanted::contains);
    }
  }

  private final IdentityService identityService;

  public ApiCaller(IdentityService identityService) {
    this.identityService = identityService;
  }

  /** The authenticated caller; none means the authentication filter is missing, a server fault. */
  public Caller current() {
    Authentication authentication = identityService.getCurrentAuthentication();
    if (authentication == null || authentication.getUserId() == null) {
      throw new IllegalStateException("no authenticated caller: the /api authentication filter is not in place");
    }
    List<String> groups = authentication.getGroupIds() == null ? List.of()
        : List.copyOf(authentication.getGroupIds());
    return new Caller(authentication.getUserId(), groups);
  }

  /** The caller's user id, or null when none is authenticated (e.g. the rate limiter's key). */
  public String userIdOrNull() {
    Authentication authentication = identityService.getCurrentAuthentication();
    return authentication == null ? null : authentication.getUserId();
  }

  /**
   * Runs {@code work} with the engine's authorization checks off for this thread (no authenticated
   * user), then puts the caller's authentication back. Only for what the API decides itself:
   * whether a run is still active (the idempotency guard must see every run, not only those the
   * caller may read) and the cancellation after the API's own role check.
   */
  public <T> T asApplication(Supplier<T> work) {
    Authentication authentication = identityService.getCurrentAuthentication();
    identityService.clearAuthentication();
    try {
      return work.get();
    } finally {
      if (authentication != null) {
        identityService.setAuthentication(authentication);
      }
    }
  }
}
