package io.drrunbook.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Says first, before anything else is logged, when the application starts with no profile: then it
 * has no users (every request is a 401), no drill lab and none of the production settings, and a
 * person who ran {@code java -jar} would otherwise see nothing but refusals. Registered in
 * {@code META-INF/spring.factories}, so it runs as soon as the logging is set up.
 */
public class MissingProfileWarning implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

  static final String MESSAGE = "No profile is active: this start has no users (every request answers"
      + " 401), no drill lab and no production settings. For the drill lab: mvn spring-boot:run, or"
      + " java -jar target/dr-runbook-*.jar --spring.profiles.active=lab (users operator, approver,"
      + " approver2, admin, ticketing; password = user name). For production:"
      + " --spring.profiles.active=prod with the settings of the README's section Production.";
  private static final Logger log = LoggerFactory.getLogger(MissingProfileWarning.class);

  @Override
  public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
    warnIfNoProfile(event.getEnvironment());
  }

  /** Logs {@link #MESSAGE} as a warning when no profile is active; true when it did. */
  static boolean warnIfNoProfile(Environment environment) {
    if (environment.getActiveProfiles().length > 0) {
      return false;
    }
    log.warn(MESSAGE);
    return true;
  }

  @Override
  public int getOrder() {
    return LoggingApplicationListener.DEFAULT_ORDER + 1;
  }
}
