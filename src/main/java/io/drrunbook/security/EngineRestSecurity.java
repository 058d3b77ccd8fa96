package io.drrunbook.security;

import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * HTTP Basic authentication against the engine's identity service for the engine REST API
 * ({@code /engine-rest}); the Camunda starter leaves it open. With engine authorizations enabled, a
 * caller sees and does only what its groups are granted.
 */
@Configuration
public class EngineRestSecurity {

  @Bean
  public FilterRegistrationBean<ProcessEngineAuthenticationFilter> engineRestAuthentication() {
    FilterRegistrationBean<ProcessEngineAuthenticationFilter> registration =
        new FilterRegistrationBean<>(new ProcessEngineAuthenticationFilter());
    registration.setName("dr-engine-rest-authentication");
    registration.addInitParameter("authentication-provider",
        HttpBasicAuthenticationProvider.class.getName());
    registration.addUrlPatterns("/engine-rest/*");
    registration.setOrder(101);
    return registration;
  }
}
