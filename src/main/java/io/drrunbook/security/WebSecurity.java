package io.drrunbook.security;

import io.drrunbook.common.DrGroups;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.autoconfigure.security.servlet.EndpointRequest;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.info.InfoEndpoint;
import org.springframework.boot.actuate.metrics.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Who may call what over HTTP.
 *
 * <ol>
 *   <li>{@code /api/**} and {@code /engine-rest/**}: stateless, authenticated by HTTP Basic against
 *       the engine's identity service (reads of {@code /api/runs/**} also by the web apps' login session,
 *       {@link WebAppSessionAuthentication}) or, when configured ({@link JwtConfiguration}), by an OAuth2
 *       bearer token, or by an API token of a technical user ({@link ApiTokenAuthenticationFilter});
 *       every password check is throttled first ({@link LoginProtection}); the caller is then handed
 *       to the engine ({@link EngineAuthenticationFilter}), whose authorizations decide (403 from the
 *       engine); the operations that undo a guarantee are refused to non-admins before the engine
 *       ({@link EngineOperationGuard}). No CSRF: no cookies are involved.</li>
 *   <li>the exposed actuator endpoints ({@link #actuatorSecurity}): {@code /actuator/health} and
 *       {@code /actuator/info} open (health shows its components only to an authenticated member of
 *       {@code management.endpoint.health.roles}), {@code /actuator/prometheus} for members of a
 *       {@code dr-*} group, by HTTP Basic; endpoints not exposed answer 404.</li>
 *   <li>{@code /lab/**} (lab profile): HTTP Basic or the web apps' login session
 *       ({@link WebAppSessionAuthentication}; writes with the web apps' CSRF token), members of a
 *       {@code dr-*} group.</li>
 *   <li>everything else unchanged: the web apps under {@code /camunda} keep their own login,
 *       session and CSRF protection; only Admin's first-administrator set-up
 *       ({@code /camunda/api/admin/setup/**}) is refused (403) unless
 *       {@code dr.security.web-admin-setup} is on.</li>
 * </ol>
 * Missing or bad credentials: 401 with {@code WWW-Authenticate}. The APIs answer with Spring
 * Security's default headers (no caching, nosniff, no framing, HSTS over HTTPS); the web apps get
 * HSTS (over HTTPS) when {@code dr.security.hsts} is on (the prod profile).
 */
@Configuration
public class WebSecurity {

  static final String REALM = "dr-runbook";
  static final String ADMIN_SETUP = "/camunda/api/admin/setup/**";

  private final boolean hsts;
  private final boolean webAdminSetup;

  public WebSecurity(@Value("${dr.security.hsts:false}") boolean hsts,
      @Value("${dr.security.web-admin-setup:false}") boolean webAdminSetup) {
    this.hsts = hsts;
    this.webAdminSetup = webAdminSetup;
  }

  /** The one Basic provider; as a bean it also keeps Spring Boot from inventing a default user. */
  @Bean
  public IdentityAuthenticationProvider identityAuthenticationProvider(IdentityService identityService) {
    return new IdentityAuthenticationProvider(identityService);
  }

  @Bean
  @Order(1)
  public SecurityFilterChain apiSecurity(HttpSecurity http, IdentityService identityService,
      IdentityAuthenticationProvider basic, ObjectProvider<JwtDecoder> jwtDecoder,
      ObjectProvider<JwtProperties> jwtProperties, ApiTokens apiTokens) throws Exception {
    JwtDecoder decoder = jwtDecoder.getIfAvailable();
    AuthenticationEntryPoint unauthorized = unauthorized(decoder != null || !apiTokens.isEmpty());
    http.securityMatcher(paths("/api/**", "/engine-rest/**"))
        // a provider manager without a parent: a failed Basic login is checked (and counted) once
        .authenticationManager(new ProviderManager(basic))
        .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS)
            .sessionFixation(fixation -> fixation.none()))
        .csrf(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .httpBasic(basicAuth -> basicAuth.realmName(REALM).authenticationEntryPoint(unauthorized))
        .exceptionHandling(errors -> errors.authenticationEntryPoint(unauthorized))
        // the API's documentation (springdoc's UI entry) is readable without logging in
        .authorizeHttpRequests(requests -> requests
            .requestMatchers(paths("/api/docs", "/api/docs/**", "/api/swagger-ui/**", "/api/swagger-ui.html")).permitAll()
            .anyRequest().authenticated())
        // API tokens of technical users (LoginProtection), before Basic and OAuth2 bearer tokens
        .addFilterBefore(new ApiTokenAuthenticationFilter(apiTokens, identityService),
            BasicAuthenticationFilter.class)
        // the links of a task's header (status, report, checklist) read with the web apps' login;
        // writes never take the session (no cookie-driven action on the API)
        .addFilterBefore(new WebAppSessionAuthentication(identityService, paths("/api/runs/**"), false),
            BasicAuthenticationFilter.class)
        .addFilterAfter(new EngineAuthenticationFilter(identityService), AuthorizationFilter.class)
        .addFilterAfter(new EngineOperationGuard(identityService), EngineAuthenticationFilter.class);
    if (decoder != null) {
      JwtAuthenticationProvider bearer = new JwtAuthenticationProvider(decoder);
      bearer.setJwtAuthenticationConverter(new JwtGroupsConverter(jwtProperties.getObject()));
      ProviderManager bearerManager = new ProviderManager(bearer);
      http.oauth2ResourceServer(resourceServer -> resourceServer
          .jwt(jwt -> jwt.authenticationManager(bearerManager)));
    }
    return http.build();
  }

  /**
   * The exposed actuator endpoints (HTTP Basic, stateless). Health stays open for load balancers
   * and probes; credentials sent with it are checked, so that its details can be shown to operators.
   */
  @Bean
  @Order(2)
  public SecurityFilterChain actuatorSecurity(HttpSecurity http, IdentityAuthenticationProvider basic)
      throws Exception {
    AuthenticationEntryPoint unauthorized = unauthorized(false);
    http.securityMatcher(EndpointRequest.toAnyEndpoint())
        .authenticationManager(new ProviderManager(basic))
        .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .httpBasic(basicAuth -> basicAuth.realmName(REALM).authenticationEntryPoint(unauthorized))
        .exceptionHandling(errors -> errors.authenticationEntryPoint(unauthorized))
        .authorizeHttpRequests(requests -> requests
            .requestMatchers(EndpointRequest.to(HealthEndpoint.class, InfoEndpoint.class)).permitAll()
            .requestMatchers(EndpointRequest.to(PrometheusScrapeEndpoint.class))
            .hasAnyAuthority(DrGroups.ALL.toArray(String[]::new))
            .anyRequest().authenticated());
    return http.build();
  }

  @Bean
  @Order(3)
  @Profile("lab")
  public SecurityFilterChain labSecurity(HttpSecurity http, IdentityAuthenticationProvider basic,
      IdentityService identityService) throws Exception {
    AuthenticationEntryPoint unauthorized = unauthorized(false);
    http.securityMatcher(paths("/lab/**"))
        .authenticationManager(new ProviderManager(basic))
        // the web apps' session is read, never renewed here (a new id would log Cockpit out)
        .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS)
            .sessionFixation(fixation -> fixation.none()))
        .csrf(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .httpBasic(basicAuth -> basicAuth.realmName(REALM).authenticationEntryPoint(unauthorized))
        .exceptionHandling(errors -> errors.authenticationEntryPoint(unauthorized))
        .authorizeHttpRequests(requests -> requests.anyRequest()
            .hasAnyAuthority(DrGroups.ALL.toArray(String[]::new)))
        // logged in to Cockpit or Tasklist: the dashboard needs no second login (writes with the
        // web apps' CSRF token)
        .addFilterBefore(new WebAppSessionAuthentication(identityService, AnyRequestMatcher.INSTANCE, true), BasicAuthenticationFilter.class);
    return http.build();
  }

  @Bean
  @Order(4)
  public SecurityFilterChain everythingElse(HttpSecurity http) throws Exception {
    // the web apps have their own authentication and CSRF filter (cookie + X-XSRF-TOKEN header);
    // Spring's CSRF filter would refuse their requests, so it stays out of their way
    http.securityMatcher(AnyRequestMatcher.INSTANCE)
        .csrf(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .authorizeHttpRequests(requests -> {
          if (!webAdminSetup) {
            // Camunda's Admin offers "create the first administrator" to whoever comes first while
            // no member of camunda-admin exists (a fresh production database): off unless enabled
            requests.requestMatchers(paths(ADMIN_SETUP)).denyAll();
          }
          requests.anyRequest().permitAll();
        })
        .exceptionHandling(errors -> errors.authenticationEntryPoint(WebSecurity::adminSetupRefused)
            .accessDeniedHandler(WebSecurity::adminSetupRefused))
        .headers(this::webAppHeaders);
    return http.build();
  }

  private static void adminSetupRefused(HttpServletRequest request, HttpServletResponse response,
      RuntimeException refused) throws IOException {
    RejectedRequests.write(response, HttpStatus.FORBIDDEN, "setup", "the web apps' first-administrator"
        + " set-up is off (dr.security.web-admin-setup): create the first administrator with"
        + " camunda.bpm.admin-user.* from the environment");
  }

  private void webAppHeaders(HeadersConfigurer<HttpSecurity> headers) {
    // the web apps set their own security headers (camunda.bpm.webapp.header-security); Spring adds
    // only HSTS, where configured (sent over HTTPS only)
    if (hsts) {
      headers.defaultsDisabled()
          .httpStrictTransportSecurity(sts -> sts.includeSubDomains(true).maxAgeInSeconds(31_536_000));
    } else {
      headers.disable();
    }
  }

  /** Paths of the whole application, not of Spring MVC's servlet ({@code /engine-rest} is Jersey's). */
  private static RequestMatcher paths(String... patterns) {
    PathPatternRequestMatcher.Builder builder = PathPatternRequestMatcher.withDefaults();
    return new OrRequestMatcher(Arrays.stream(patterns).map(p -> (RequestMatcher) builder.matcher(p)).toList());
  }

  private static AuthenticationEntryPoint unauthorized(boolean bearer) {
    return (request, response, exception) -> {
      response.addHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
      if (bearer) {
        response.addHeader("WWW-Authenticate", "Bearer");
      }
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
    };
  }
}
