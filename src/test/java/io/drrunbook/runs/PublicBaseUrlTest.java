package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** Links are made of the configured public address or the server's own, never of the Host header. */
class PublicBaseUrlTest {

  @Test
  void shouldUseTheConfiguredAddressWhateverTheHostHeaderSays() {
    MockHttpServletRequest request = request("evil.example", "10.1.2.3");

    assertThat(new PublicBaseUrl("https://dr.example.com/").of(request)).isEqualTo("https://dr.example.com");
  }

  @Test
  void shouldUseTheServersOwnSocketAddressWhenNothingIsConfigured() {
    assertThat(new PublicBaseUrl("").of(request("evil.example", "10.1.2.3"))).isEqualTo("http://10.1.2.3:8080");
    assertThat(new PublicBaseUrl("").of(request("evil.example", "127.0.0.1"))).isEqualTo("http://localhost:8080");
    assertThat(new PublicBaseUrl("").of(request("evil.example", "fd00::1"))).isEqualTo("http://[fd00::1]:8080");
  }

  @Test
  void shouldUseTheForwardedAddressOnlyWhenATrustedProxyForwardedTheRequest() {
    MockHttpServletRequest forwarded = request("dr.example.com", "10.1.2.3");
    forwarded.setScheme("https");
    forwarded.setServerPort(443);
    forwarded.setAttribute(PublicBaseUrl.FORWARDED_BY_TRUSTED_PROXY, Boolean.TRUE);

    assertThat(new PublicBaseUrl("").of(forwarded)).isEqualTo("https://dr.example.com");
  }

  @Test
  void shouldRefuseAConfiguredAddressThatIsNotAnHttpUrl() {
    assertThatThrownBy(() -> new PublicBaseUrl("javascript:alert(1)")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new PublicBaseUrl("https://dr.example.com/?a=b")).isInstanceOf(IllegalStateException.class);
  }

  private static MockHttpServletRequest request(String host, String localAddress) {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/runs");
    request.setServerName(host);
    request.setServerPort(80);
    request.addHeader("Host", host);
    request.setLocalAddr(localAddress);
    request.setLocalPort(8080);
    return request;
  }
}
