package io.drrunbook.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * HTTP Basic authentication against the engine's identity service for the product API, as
 * {@code io.drrunbook.security.EngineRestSecurity} does for {@code /engine-rest}: the filter puts the
 * caller (user and groups) into the engine's {@code IdentityService} for the request, which is all
 * the API reads ({@link ApiCaller}). The API documentation ({@code /api/docs}, {@code /v3/api-docs})
 * stays readable without logging in. Behind it, {@link ApiRequestLimitFilter} limits the start rate and the body size.
 */
@Configuration
public class ApiAuthentication {

  @Bean
  public FilterRegistrationBean<ProcessEngineAuthenticationFilter> apiAuthenticationFilter() {
    FilterRegistrationBean<ProcessEngineAuthenticationFilter> registration =
        new FilterRegistrationBean<>(new ProcessEngineAuthenticationFilter());
    registration.setName("dr-api-authentication");
    registration.addInitParameter("authentication-provider",
        HttpBasicAuthenticationProvider.class.getName());
    registration.addUrlPatterns("/api/procedures", "/api/procedures/*", "/api/runs", "/api/runs/*");
    registration.setOrder(101);
    return registration;
  }

  @Bean
  public FilterRegistrationBean<ApiRequestLimitFilter> apiRequestLimitFilter(ObjectMapper objectMapper,
      StartRateLimiter rateLimiter, ApiCaller callers) {
    FilterRegistrationBean<ApiRequestLimitFilter> registration =
        new FilterRegistrationBean<>(new ApiRequestLimitFilter(objectMapper, rateLimiter, callers));
    registration.setName("dr-api-request-limits");
    registration.addUrlPatterns("/api/*");
    registration.setOrder(102);
    return registration;
  }
}
