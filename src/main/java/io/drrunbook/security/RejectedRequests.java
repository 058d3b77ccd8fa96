package io.drrunbook.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.common.FieldProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.stereotype.Component;

/**
 * Requests that Spring Security's {@code StrictHttpFirewall} refuses (path tricks such as
 * {@code /engine-rest;/task}, {@code /camunda/../engine-rest/task}, encoded slashes or dots, double
 * slashes): a 400 problem document, not the 500 of an unhandled {@link RequestRejectedException}.
 * The request's path is not echoed back.
 */
@Component
public class RejectedRequests implements RequestRejectedHandler {

  private static final Logger log = LoggerFactory.getLogger(RejectedRequests.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void handle(HttpServletRequest request, HttpServletResponse response,
      RequestRejectedException rejected) throws IOException {
    log.info("request refused by the firewall from {}: {}", request.getRemoteAddr(), rejected.getMessage());
    write(response, HttpStatus.BAD_REQUEST, "path",
        "the request's path is not in normal form (no ';', '..', '//', encoded '/', '.' or '%')");
  }

  /** A problem document ({@code application/problem+json}) with one {@code errors} entry. */
  static void write(HttpServletResponse response, HttpStatus status, String field, String message)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", "about:blank");
    problem.put("title", status.getReasonPhrase());
    problem.put("status", status.value());
    problem.put("detail", message);
    problem.put("errors", List.of(new FieldProblem(field, message)));
    response.resetBuffer();
    response.setStatus(status.value());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    response.setCharacterEncoding("UTF-8");
    JSON.writeValue(response.getOutputStream(), problem);
  }
}
