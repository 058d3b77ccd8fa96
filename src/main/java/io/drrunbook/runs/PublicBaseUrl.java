package io.drrunbook.runs;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The address the product's links are made of (the {@code Location} of a started run, a run's
 * {@code links}, the report's and plan's links); never the caller's {@code Host} header, which
 * anyone can set. In this order:
 * <ol>
 *   <li>{@code dr.public-base-url} when set (e.g. {@code https://dr.example.com}): what production
 *       sets;</li>
 *   <li>a request that a trusted proxy forwarded (Tomcat's {@code RemoteIpValve}, on with
 *       {@code server.forward-headers-strategy: native}, trusts only the addresses of
 *       {@code server.tomcat.remoteip.internal-proxies}): the scheme, host and port the proxy
 *       forwarded;</li>
 *   <li>otherwise the address and port of the server's own socket the request arrived on
 *       ({@code localhost} for a loopback address).</li>
 * </ol>
 */
@Component
public class PublicBaseUrl {

  /** Set by Tomcat's RemoteIpValve on a request it took forwarded headers for (a trusted proxy). */
  static final String FORWARDED_BY_TRUSTED_PROXY = "org.apache.tomcat.request.forwarded";

  private final String configured;

  public PublicBaseUrl(@Value("${dr.public-base-url:}") String configured) {
    String url = configured == null ? "" : configured.strip();
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    if (!url.isEmpty()) {
      URI uri = URI.create(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
          || uri.getQuery() != null || uri.getFragment() != null) {
        throw new IllegalStateException("dr.public-base-url must be an http(s) URL without query or"
            + " fragment, e.g. https://dr.example.com");
      }
    }
    this.configured = url;
  }

  /** The base URL for links in the answer to the current request. */
  public String current() {
    return of(((ServletRequestAttributes) RequestContextHolder.currentRequestAttributes()).getRequest());
  }

  String of(HttpServletRequest request) {
    if (!configured.isEmpty()) {
      return configured;
    }
    if (Boolean.TRUE.equals(request.getAttribute(FORWARDED_BY_TRUSTED_PROXY))) {
      return ServletUriComponentsBuilder.fromContextPath(request).toUriString();
    }
    String scheme = request.getScheme();
    int port = request.getLocalPort();
    boolean defaultPort = ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
    return scheme + "://" + host(request.getLocalAddr()) + (defaultPort ? "" : ":" + port)
        + request.getContextPath();
  }

  private static String host(String localAddress) {
    try {
      InetAddress address = InetAddress.getByName(localAddress);
      if (address.isLoopbackAddress()) {
        return "localhost";
      }
      return localAddress.contains(":") ? "[" + localAddress + "]" : localAddress;
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
