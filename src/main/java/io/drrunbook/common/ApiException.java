package io.drrunbook.common;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * A request the API refuses, with the HTTP status and the fields at fault; turned into an RFC 7807
 * problem document by {@link ApiProblemHandler}.
 */
public class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final HttpStatus status;
  private final transient List<FieldProblem> errors;
  private final long retryAfterSeconds;
  private final transient Map<String, Object> properties;

  private ApiException(HttpStatus status, String detail, List<FieldProblem> errors, long retryAfterSeconds) {
    this(status, detail, errors, retryAfterSeconds, Map.of());
  }

  private ApiException(HttpStatus status, String detail, List<FieldProblem> errors, long retryAfterSeconds,
      Map<String, Object> properties) {
    super(detail);
    this.status = status;
    this.errors = List.copyOf(errors);
    this.retryAfterSeconds = retryAfterSeconds;
    this.properties = Map.copyOf(properties);
  }

  public static ApiException invalid(List<FieldProblem> errors) {
    return new ApiException(HttpStatus.BAD_REQUEST, "The request is not valid: see errors.", errors, 0);
  }

  public static ApiException invalid(String field, String message) {
    return invalid(List.of(new FieldProblem(field, message)));
  }

  public static ApiException notFound(String field, String message) {
    return new ApiException(HttpStatus.NOT_FOUND, message, List.of(new FieldProblem(field, message)), 0);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(HttpStatus.FORBIDDEN, message, List.of(new FieldProblem("caller", message)), 0);
  }

  public static ApiException conflict(String field, String message) {
    return new ApiException(HttpStatus.CONFLICT, message, List.of(new FieldProblem(field, message)), 0);
  }

  /** A conflict whose problem document also carries {@code properties} (e.g. the run in the way). */
  public static ApiException conflict(String field, String message, Map<String, Object> properties) {
    return new ApiException(HttpStatus.CONFLICT, message, List.of(new FieldProblem(field, message)), 0,
        properties);
  }

  public static ApiException rateLimited(long retryAfterSeconds, String message) {
    return new ApiException(HttpStatus.TOO_MANY_REQUESTS, message,
        List.of(new FieldProblem("caller", message)), retryAfterSeconds);
  }

  public HttpStatus status() {
    return status;
  }

  public List<FieldProblem> errors() {
    return errors;
  }

  /** Further members of the problem document; empty for most refusals. */
  public Map<String, Object> properties() {
    return properties;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
