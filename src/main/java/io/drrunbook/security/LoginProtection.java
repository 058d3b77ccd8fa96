package io.drrunbook.security;

import io.drrunbook.topology.SecretResolver;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Login protection that cannot be turned into a lockout: the {@link LoginThrottle} in front of every
 * password check ({@link LoginThrottleFilter}, before Spring Security and the web apps' filters) and
 * the API tokens of technical users ({@link ApiTokens}, {@code dr.security.api-tokens}). The engine's
 * own lock after failed logins is switched off in application.yaml (generic-properties login*).
 */
@Configuration
@EnableConfigurationProperties({LoginProtection.LoginProperties.class, ApiTokenProperties.class})
public class LoginProtection {

  /** {@code dr.security.login}: see application.yaml. */
  @ConfigurationProperties("dr.security.login")
  public record LoginProperties(Duration window, int sourceMaxFailures, int userFreeFailures,
      Duration userBaseDelay, Duration userMaxDelay, int maxEntries) {}

  @Bean
  public LoginThrottle loginThrottle(LoginProperties login) {
    return new LoginThrottle(Clock.systemUTC(), login.window(), login.sourceMaxFailures(),
        login.userFreeFailures(), login.userBaseDelay(), login.userMaxDelay(), login.maxEntries());
  }

  @Bean
  public ApiTokens apiTokens(ApiTokenProperties properties, SecretResolver secrets) {
    return new ApiTokens(properties.apiTokens() == null ? Map.of() : properties.apiTokens(), secrets);
  }

  @Bean
  public FilterRegistrationBean<LoginThrottleFilter> loginThrottleFilter(LoginThrottle throttle,
      ApiTokens tokens, @Value("${camunda.bpm.webapp.application-path:/camunda}") String webAppPath) {
    FilterRegistrationBean<LoginThrottleFilter> registration = new FilterRegistrationBean<>(
        new LoginThrottleFilter(throttle, tokens, webAppPath, delay -> Thread.sleep(delay.toMillis())));
    registration.addUrlPatterns("/*");
    // before Spring Security (-100) and the web apps' own filters
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
    return registration;
  }
}
