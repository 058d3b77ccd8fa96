package io.drrunbook.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.common.BufferedRequest;
import io.drrunbook.common.FieldProblem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The cheap refusals of {@code /api}, before anything parses a request: every {@code POST /api/runs}
 * takes a token of the caller's {@link StartRateLimiter} bucket first (429 with Retry-After when it
 * is empty); request bodies over {@value #LIMIT} bytes are refused with 413, by the declared
 * Content-Length and by a bounded read for bodies without one (chunked). The body that passes is
 * handed on from memory. Runs after the authentication filter; refusals are problem documents.
 */
public class ApiRequestLimitFilter extends OncePerRequestFilter {

  public static final int LIMIT = 64 * 1024;
  private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

  private final ObjectMapper json;
  private final StartRateLimiter rateLimiter;
  private final ApiCaller callers;

  public ApiRequestLimitFilter(ObjectMapper json, StartRateLimiter rateLimiter, ApiCaller callers) {
    this.json = json;
    this.rateLimiter = rateLimiter;
    this.callers = callers;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws ServletException, IOException {
    if ("POST".equals(request.getMethod())
        && "/api/runs".equals(request.getRequestURI().substring(request.getContextPath().length()))) {
      String caller = callers.userIdOrNull();
      long retryAfter = rateLimiter.acquire(caller == null ? "" : caller);
      if (retryAfter > 0) {
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        refuse(request, response, HttpStatus.TOO_MANY_REQUESTS, "caller",
            "too many start requests; retry in " + retryAfter + " s");
        return;
      }
    }
    if (request.getContentLengthLong() > LIMIT) {
      tooLarge(request, response);
      return;
    }
    if (!WITH_BODY.contains(request.getMethod())) {
      chain.doFilter(request, response);
      return;
    }
    byte[] body = request.getInputStream().readNBytes(LIMIT + 1);
    if (body.length > LIMIT) {
      tooLarge(request, response);
      return;
    }
    chain.doFilter(new BufferedRequest(request, body), response);
  }

  private void tooLarge(HttpServletRequest request, HttpServletResponse response) throws IOException {
    // the rest of the body is not read: do not keep the connection for another request
    response.setHeader("Connection", "close");
    refuse(request, response, HttpStatus.PAYLOAD_TOO_LARGE, "body",
        "the request body must be at most " + LIMIT + " bytes");
  }

  private void refuse(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
      String field, String message) throws IOException {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, message);
    problem.setInstance(URI.create(request.getRequestURI()));
    problem.setProperty("errors", List.of(new FieldProblem(field, message)));
    response.setStatus(status.value());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    json.writeValue(response.getOutputStream(), problem);
  }
}
