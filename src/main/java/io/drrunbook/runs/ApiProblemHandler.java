package io.drrunbook.runs;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.drrunbook.common.ApiException;
import io.drrunbook.common.FieldProblem;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.AuthorizationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every refusal as an RFC 7807 problem document ({@code application/problem+json}) with an
 * {@code errors} array naming the offending fields ({@code {field, message}}). Messages are the
 * API's own: the caller's input is never echoed back, nor is an internal exception text.
 */
@RestControllerAdvice
public class ApiProblemHandler extends ResponseEntityExceptionHandler {

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  @ExceptionHandler(ApiException.class)
  public ResponseEntity<Object> api(ApiException e, WebRequest request) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
    problem.setProperty("errors", e.errors());
    e.properties().forEach(problem::setProperty);
    HttpHeaders headers = new HttpHeaders();
    if (e.retryAfterSeconds() > 0) {
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
    }
    return handleExceptionInternal(e, problem, headers, e.status(), request);
  }

  @ExceptionHandler(AuthorizationException.class)
  public ResponseEntity<Object> forbidden(AuthorizationException e, WebRequest request) {
    logger.info("refused by the engine's authorizations: " + e.getMessage());
    ApiException refused = ApiException.forbidden("the caller may not do this");
    return api(refused, request);
  }

  /**
   * Anything the API did not foresee: still a problem document, with a reference to the log entry
   * that has the details (never the exception's message, which may name internals).
   */
  @ExceptionHandler(Exception.class)
  public ResponseEntity<Object> unexpected(Exception e, WebRequest request) {
    String reference = UUID.randomUUID().toString();
    logger.error("unexpected failure answering " + request.getDescription(false) + " (reference "
        + reference + ")", e);
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
        "the request failed unexpectedly; the application log has the details under reference " + reference);
    problem.setProperty("reference", reference);
    return handleExceptionInternal(e, problem, new HttpHeaders(), HttpStatus.INTERNAL_SERVER_ERROR, request);
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  public ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e, WebRequest request) {
    return api(ApiException.invalid(safe(e.getName()), "has the wrong type"), request);
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
      HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    return api(ApiException.invalid(List.of(unreadable(e))), request);
  }

  @Override
  protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(
      HttpRequestMethodNotSupportedException e, HttpHeaders headers, HttpStatusCode status,
      WebRequest request) {
    ProblemDetail problem = e.getBody();
    problem.setProperty("errors", List.of(new FieldProblem("method",
        "not supported here; supported: " + e.getSupportedHttpMethods())));
    return handleExceptionInternal(e, problem, headers, status, request);
  }

  @Override
  protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(
      HttpMediaTypeNotSupportedException e, HttpHeaders headers, HttpStatusCode status,
      WebRequest request) {
    ProblemDetail problem = e.getBody();
    problem.setProperty("errors", List.of(new FieldProblem("Content-Type",
        "must be " + MediaType.APPLICATION_JSON_VALUE)));
    return handleExceptionInternal(e, problem, headers, status, request);
  }

  /** Every problem carries errors and its instance, and is sent as application/problem+json. */
  @Override
  protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body,
      HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
    if (response != null && response.getBody() instanceof ProblemDetail problem) {
      if (problem.getProperties() == null || !problem.getProperties().containsKey("errors")) {
        problem.setProperty("errors", List.of(new FieldProblem("request",
            HttpStatus.valueOf(status.value()).getReasonPhrase())));
      }
      if (problem.getInstance() == null && request instanceof ServletWebRequest servlet) {
        problem.setInstance(URI.create(servlet.getRequest().getRequestURI()));
      }
      HttpHeaders problemHeaders = new HttpHeaders();
      problemHeaders.putAll(response.getHeaders());
      problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
      return new ResponseEntity<>(problem, problemHeaders, response.getStatusCode());
    }
    return response;
  }

  /** Which field of an unreadable body is at fault, in the API's words. */
  static FieldProblem unreadable(HttpMessageNotReadableException e) {
    Throwable cause = e.getCause();
    if (cause instanceof UnrecognizedPropertyException unknown) {
      return new FieldProblem(path(unknown), "is not a field of this request");
    }
    if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      return new FieldProblem(path(mapping), "has the wrong JSON type or value");
    }
    if (cause instanceof JsonProcessingException || cause instanceof JacksonException) {
      return new FieldProblem("body", "is not well-formed JSON (or exceeds the nesting, number or"
          + " text limits, or repeats a key)");
    }
    return new FieldProblem("body", "a JSON object is required");
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(safe(reference.getFieldName()));
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.isEmpty() ? "body" : path.toString();
  }

  private static String safe(String name) {
    return name != null && SAFE_NAME.matcher(name).matches() ? name : "(an unknown name)";
  }
}
