package io.drrunbook.engine;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;

/**
 * One call of a step's connector route ({@code direct:<route>}) within the step's time limit, on a
 * thread of its own that is abandoned (interrupted) when the limit is exceeded: a hung command never
 * holds the step, and the exceeded limit counts as a failed attempt. No engine transaction is open
 * while the route runs.
 */
final class RouteCall {

  private final ProducerTemplate producer;
  private final ExecutorService calls;
  private final StepProperties properties;

  RouteCall(ProducerTemplate producer, ExecutorService calls, StepProperties properties) {
    this.producer = producer;
    this.calls = calls;
    this.properties = properties;
  }

  /** A task's {@code timeLimit} input (ISO-8601) or else the route's time limit. */
  Duration timeLimit(String route, Object taskLimit) {
    if (taskLimit == null || String.valueOf(taskLimit).isBlank()) {
      return properties.timeLimitFor(route);
    }
    try {
      Duration limit = Duration.parse(String.valueOf(taskLimit).strip());
      if (limit.isNegative() || limit.isZero()) {
        throw new IllegalStateException("input " + StepWorker.TIME_LIMIT_INPUT + " must be a positive duration");
      }
      return limit;
    } catch (DateTimeParseException e) {
      throw new IllegalStateException("input " + StepWorker.TIME_LIMIT_INPUT + " is not an ISO-8601 duration: "
          + taskLimit);
    }
  }

  /** The route's result map; its failure as thrown by the connector. */
  Map<String, Object> callWithin(Duration limit, String route, Map<String, Object> inputs) {
    Future<Map<String, Object>> call = calls.submit(() -> call(route, inputs));
    try {
      return call.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new StepTimeLimitException("step exceeded its time limit of " + limit
          + " (route " + route + "); the attempt was abandoned");
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("step worker stopping; attempt abandoned", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The routes must be able to take a step: Camel starts and stops them independently of the worker. */
  boolean routesStarted() {
    return producer.getCamelContext().isStarted();
  }

  private Map<String, Object> call(String route, Map<String, Object> inputs) {
    try {
      Object body = producer.requestBody("direct:" + route, inputs);
      if (body instanceof Map<?, ?> map) {
        Map<String, Object> result = new LinkedHashMap<>();
        map.forEach((k, v) -> result.put(String.valueOf(k), v));
        return result;
      }
      throw new IllegalStateException("route " + route + " returned " + body + " instead of a result map");
    } catch (CamelExecutionException e) {
      throw unwrapped(e);
    }
  }

  /**
   * The connector's own failure, not Camel's wrapper ("Exception occurred during execution on the
   * exchange"): a runtime exception as thrown, a checked one (an {@code IOException} naming the HTTP
   * status and body excerpt, say) as a {@link RouteFailureException} with its message.
   */
  static RuntimeException unwrapped(CamelExecutionException e) {
    Throwable cause = e.getCause();
    while (cause instanceof CamelExecutionException nested && nested.getCause() != null) {
      cause = nested.getCause();
    }
    if (cause == null) {
      return e;
    }
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    return new RouteFailureException(cause);
  }

  /** A checked failure of a connector route, with the connector's message. */
  static final class RouteFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RouteFailureException(Throwable cause) {
      super(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
    }
  }

  /** An attempt that exceeded its time limit: a technical failure like any other. */
  static final class StepTimeLimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StepTimeLimitException(String message) {
      super(message);
    }
  }
}
