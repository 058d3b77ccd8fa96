package io.drrunbook.security;

import io.drrunbook.engine.ConflictRefusal;
import jakarta.annotation.Priority;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.exception.NotFoundException;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.rest.exception.ExceptionHandlerHelper;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.glassfish.jersey.internal.spi.ForcedAutoDiscoverable;

/**
 * The engine REST API's resources answer any engine exception of a command with a 500
 * ({@code RestException}), even when the engine refused the caller's request: a task that does not
 * exist, a run started with an unknown {@code runMode} (a {@code BadUserRequestException} of the
 * start listener). This mapper, preferred by its priority to the engine REST's own, gives such a
 * refusal its 4xx (404 for what does not exist, 409 for a start whose systems an active run holds,
 * as the product API answers it, 400 for another bad request, 403 for a missing authorization) in
 * the engine REST's own error format; a real failure stays a 500.
 *
 * <p>The same resources answer at two doors: {@code /engine-rest} (Spring Boot's Jersey application)
 * and {@code /camunda/api/engine} (the web apps' own Jersey servlet, which Tasklist's start form and
 * Cockpit call). Jersey's forced auto-discovery (listed in {@code META-INF/services}) registers the
 * mapper in every Jersey application of the server, so a refusal is the same 4xx at both.
 */
public final class EngineRestRefusals implements ForcedAutoDiscoverable {

  @Override
  public void configure(FeatureContext context) {
    if (!context.getConfiguration().isRegistered(RefusalMapper.class)) {
      context.register(RefusalMapper.class);
    }
  }

  /** Maps a 500 {@link RestException} by the engine exception it carries. */
  @Priority(1)
  public static class RefusalMapper implements ExceptionMapper<RestException> {

    @Override
    public Response toResponse(RestException e) {
      Response answer = ExceptionHandlerHelper.getInstance().getResponse(e);
      if (answer.getStatus() != 500) {
        return answer;
      }
      int status = statusOf(e.getCause());
      return status == 500 ? answer : Response.fromResponse(answer).status(status).build();
    }

    static int statusOf(Throwable cause) {
      for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof ConflictRefusal) {
          return 409;
        }
        if (t instanceof AuthorizationException) {
          return 403;
        }
        if (t instanceof NotFoundException) {
          return 404;
        }
        if (t instanceof NullValueException && String.valueOf(t.getMessage()).startsWith("Cannot find")) {
          return 404;
        }
        if (t instanceof BadUserRequestException || t instanceof NullValueException) {
          return 400;
        }
      }
      return 500;
    }
  }
}
