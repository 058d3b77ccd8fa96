package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.Filter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** With dr.deployments.allow-rest off (prod), no deployment passes the REST APIs; the rest does. */
class DeploymentGateTest {

  @ParameterizedTest(name = "{0} {1}: refused={2}")
  @CsvSource({
      "POST, /engine-rest/deployment/create, true",
      "POST, /engine-rest/deployment/create/, true",
      "POST, /engine-rest/engine/default/deployment/create, true",
      "POST, /engine-rest/deployment/4711/redeploy, true",
      "POST, /camunda/api/engine/engine/default/deployment/4711/redeploy, true",
      "POST, /camunda/api/engine/engine/default/deployment/create, true",
      "GET,  /engine-rest/deployment, false",
      "DELETE, /engine-rest/deployment/4711, false",
      "POST, /engine-rest/process-definition/key/dr-genesys-cs-failover/start, false"})
  void shouldRefuseDeploymentsOnlyWhenTheyAreDisabled(String method, String path, boolean deploying)
      throws Exception {
    MockHttpServletResponse disabled = call(false, method, path);
    MockHttpServletResponse enabled = call(true, method, path);

    assertThat(disabled.getStatus()).isEqualTo(deploying ? 403 : 200);
    if (deploying) {
      assertThat(disabled.getContentType()).startsWith("application/problem+json");
      assertThat(disabled.getContentAsString()).contains("dr.deployments.allow-rest");
    }
    assertThat(enabled.getStatus()).isEqualTo(200);
  }

  private static MockHttpServletResponse call(boolean allowRest, String method, String path)
      throws Exception {
    Filter filter = new DeploymentGate().deploymentGateFilter(allowRest).getFilter();
    MockHttpServletRequest request = new MockHttpServletRequest(method, path);
    MockHttpServletResponse response = new MockHttpServletResponse();
    MockFilterChain chain = new MockFilterChain();
    filter.doFilter(request, response, chain);
    if (chain.getRequest() != null) {
      response.setStatus(200);
    }
    return response;
  }
}
