package io.drrunbook.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Behind authentication (Spring Security's chain runs first), {@link ApiRequestLimitFilter} limits
 * the start rate per caller and the body size of the product API.
 */
@Configuration
public class ApiRequestLimits {

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
