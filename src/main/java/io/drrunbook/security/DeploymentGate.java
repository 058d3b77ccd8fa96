package io.drrunbook.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Deployment is a release: with {@code dr.deployments.allow-rest: false} (the prod profile) the
 * engine REST API's deployment create and redeploy (also through the web apps' API, as Cockpit
 * redeploys) answer 403 for everyone, admins included; models then come only from the
 * application's own {@code processes/} (deployed at start-up by {@code ModelDeployer}). An admin
 * may set it to true knowingly, e.g. for a Modeler deployment in a test environment.
 */
@Configuration
public class DeploymentGate {

  /** Deployment create and redeploy, through the engine REST API or the web apps' API. */
  static final Pattern DEPLOYING = Pattern.compile(
      "/(engine-rest(/engine/[^/]+)?|camunda/api/engine/engine/[^/]+)/deployment/(create|[^/]+/redeploy)/?");

  private static final Logger log = LoggerFactory.getLogger(DeploymentGate.class);

  @Bean
  public FilterRegistrationBean<OncePerRequestFilter> deploymentGateFilter(
      @Value("${dr.deployments.allow-rest:true}") boolean allowRest) {
    OncePerRequestFilter filter = new OncePerRequestFilter() {
      @Override
      protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
          FilterChain chain) throws ServletException, IOException {
        if (!allowRest && refused(request)) {
          log.warn("deployment through the REST API refused for {} (dr.deployments.allow-rest is off)",
              request.getRemoteUser());
          RejectedRequests.write(response, HttpStatus.FORBIDDEN, "deployment",
              "deployments through the REST API are disabled: models come only from the application's"
                  + " processes/ (dr.deployments.allow-rest)");
          return;
        }
        chain.doFilter(request, response);
      }
    };
    FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("deploymentGate");
    registration.addUrlPatterns("/engine-rest/*", "/camunda/api/*");
    return registration;
  }

  static boolean refused(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return "POST".equalsIgnoreCase(request.getMethod()) && DEPLOYING.matcher(path).matches();
  }
}
