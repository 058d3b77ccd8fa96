package io.drrunbook.operations;

import io.drrunbook.connectors.StepBusinessException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.springframework.stereotype.Component;

/**
 * Duration and failures of every connector route call, measured by a Camel route policy that Camel
 * adds to each route (the step worker is not involved: a route called from anywhere is measured).
 * <ul>
 *   <li>{@value #DURATION} (timer): tags {@code route} (route id = {@code direct:<route>}) and
 *       {@code outcome}: {@code success}, {@code business-error} (a check said no: a BPMN error),
 *       {@code failure} (technical: retried, then an incident).</li>
 *   <li>{@value #FAILURES} (counter): tags {@code route} and {@code error}: the BPMN error code
 *       ({@code DR_VERIFY_FAILED}, ...) or {@code technical}.</li>
 * </ul>
 * Counted from this process's start; Prometheus treats a restart as a counter reset.
 */
@Component
public class StepMetrics implements RoutePolicyFactory {

  public static final String DURATION = "dr.step.duration";
  public static final String FAILURES = "dr.step.failures";
  static final String TECHNICAL = "technical";
  private static final String STARTED = "drOperationsStepStarted.";

  private final MeterRegistry registry;

  public StepMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
    return new Policy();
  }

  /** Records one finished call of {@code route}. */
  void record(String route, long nanos, Exception failure) {
    StepBusinessException business = businessError(failure);
    String outcome = failure == null ? "success" : business != null ? "business-error" : "failure";
    Timer.builder(DURATION).description("Connector route calls (automated steps) by route and outcome")
        .tags("route", route, "outcome", outcome)
        .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15))
        .register(registry).record(Duration.ofNanos(nanos));
    if (failure != null) {
      String error = business != null ? business.errorCode() : TECHNICAL;
      Counter.builder(FAILURES).description("Failed connector route calls by route and error")
          .tags("route", route, "error", error).register(registry).increment();
    }
  }

  /** The connector's "no" (a BPMN error), also when Camel wrapped it. */
  private static StepBusinessException businessError(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof StepBusinessException business) {
        return business;
      }
    }
    return null;
  }

  private final class Policy extends RoutePolicySupport {

    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
      exchange.setProperty(STARTED + route.getRouteId(), System.nanoTime());
    }

    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
      Long started = exchange.getProperty(STARTED + route.getRouteId(), Long.class);
      if (started == null) {
        return;
      }
      exchange.removeProperty(STARTED + route.getRouteId());
      record(route.getRouteId(), System.nanoTime() - started, exchange.getException());
    }
  }
}
