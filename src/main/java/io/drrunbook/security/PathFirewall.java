package io.drrunbook.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Spring Security's {@link StrictHttpFirewall} checks, applied first of all filters: before it,
 * Spring's request-path parsing for the security matchers fails on {@code /engine-rest;/task} or
 * {@code /camunda/../engine-rest/task} with a 500. A request the firewall refuses gets the 400
 * problem document of {@link RejectedRequests}; every other request passes unchanged (the security
 * filter chain applies the same firewall again).
 */
@Configuration
public class PathFirewall {

  @Bean
  public FilterRegistrationBean<OncePerRequestFilter> pathFirewallFilter(RejectedRequests rejected) {
    StrictHttpFirewall firewall = new StrictHttpFirewall();
    OncePerRequestFilter filter = new OncePerRequestFilter() {
      @Override
      protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
          FilterChain chain) throws ServletException, IOException {
        try {
          firewall.getFirewalledRequest(request);
        } catch (RequestRejectedException e) {
          rejected.handle(request, response, e);
          return;
        }
        chain.doFilter(request, response);
      }
    };
    FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("pathFirewall");
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }
}
