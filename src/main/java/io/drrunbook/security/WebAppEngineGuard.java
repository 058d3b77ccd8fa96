package io.drrunbook.security;

import org.camunda.bpm.engine.IdentityService;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The {@link EngineOperationGuard} in front of the web apps' copy of the engine REST API
 * ({@code /camunda/api/engine/...}, what Cockpit and Tasklist call), after the web apps' own
 * authentication filter has handed the session's user to the engine.
 */
@Configuration
public class WebAppEngineGuard {

  @Bean
  public FilterRegistrationBean<EngineOperationGuard> webAppEngineOperationGuard(IdentityService identityService) {
    FilterRegistrationBean<EngineOperationGuard> registration =
        new FilterRegistrationBean<>(new EngineOperationGuard(identityService));
    registration.setName("DR engine operation guard");
    registration.addUrlPatterns("/camunda/api/engine/*");
    // after the web apps' filters (registered by Camunda's initializer), so that the caller is known
    registration.setMatchAfter(true);
    registration.setOrder(Ordered.LOWEST_PRECEDENCE);
    return registration;
  }
}
