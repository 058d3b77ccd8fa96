package io.drrunbook.connectors.http;

import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepInputs;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.StepPlanner;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Endpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The {@code http-request} connector: one request to a topology endpoint over HTTP (JDK client,
 * connect and request time limits), REST/JSON or SOAP 1.1. A 4xx answer is a business refusal
 * ({@code DR_HTTP_REJECTED}); a 5xx answer, a SOAP Fault, a refused connection or an exceeded time
 * limit is a technical failure the engine retries. The Authorization secret is never logged or
 * returned.
 */
@Component("httpRequest")
public class HttpRequestConnector implements StepPlanner {

  static final int MAX_BODY = 4000;
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final Pattern FAULT_STRING = Pattern.compile("<faultstring[^>]*>(.*?)</faultstring>", Pattern.DOTALL);
  private static final Logger log = LoggerFactory.getLogger(HttpRequestConnector.class);

  private final Topology topology;
  private final SecretResolver secrets;
  private final HttpClient client;

  public HttpRequestConnector(Topology topology, SecretResolver secrets) {
    this.topology = topology;
    this.secrets = secrets;
    this.client = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  public Map<String, Object> call(Map<String, Object> body) throws IOException, InterruptedException {
    StepInputs in = new StepInputs(body);
    String endpointName = in.required("endpoint");
    topology.endpoint(endpointName); // an unknown endpoint fails before anything else
    String soapAction = in.optional("soapAction", null);
    String method = in.optional("method", soapAction != null ? "POST" : "GET").toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("method '" + method + "' is not one of " + METHODS);
    }
    String path = in.optional("path", "");
    String requestBody = in.optional("body", null);
    Duration timeout = in.timeout(Duration.ofSeconds(30));
    String shown = describe(method, endpointName, path);

    Map<String, String> headers = new LinkedHashMap<>();
    if (soapAction != null) {
      headers.put("Content-Type", "text/xml; charset=utf-8");
      headers.put("SOAPAction", "\"" + soapAction + "\"");
    } else if (requestBody != null) {
      headers.put("Content-Type", in.optional("contentType", "application/json"));
    }
    headers.put("Accept", soapAction != null ? "text/xml" : "application/json, */*");
    HttpResponse<String> response = send(endpointName, method, path, requestBody, headers, timeout,
        HttpResponse.BodyHandlers.ofString());
    int status = response.statusCode();
    String text = bounded(response.body());
    log.debug("{} -> HTTP {}", shown, status);
    if (soapAction != null) {
      Matcher fault = FAULT_STRING.matcher(response.body() == null ? "" : response.body());
      if (fault.find()) {
        throw new IOException(shown + ": SOAP Fault (HTTP " + status + "): " + fault.group(1).trim());
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("status", status);
    result.put("body", text);
    if (status >= 500) {
      throw new IOException(shown + ": HTTP " + status + ": " + excerpt(text));
    }
    if (status >= 400) {
      throw new StepBusinessException("DR_HTTP_REJECTED", shown + " was refused: HTTP " + status + ": " + excerpt(text), result);
    }
    String expectBody = in.optional("expectBody", null);
    if (expectBody != null && !Pattern.compile(expectBody).matcher(response.body()).find()) {
      throw new StepBusinessException("DR_VERIFY_FAILED",
          shown + ": the answer does not match " + expectBody + ": " + excerpt(text), result);
    }
    return result;
  }

  @Override
  public Set<String> plannedRoutes() {
    return Set.of("http-request");
  }

  /**
   * The request the step would send: method, full URL, headers (the Authorization shown as the
   * name of its secret reference, never its value) and body. Nothing is sent.
   */
  @Override
  public StepPlan plan(String route, Map<String, Object> body) {
    StepInputs in = new StepInputs(body);
    String endpointName = in.required("endpoint");
    Endpoint endpoint = topology.endpoint(endpointName);
    String soapAction = in.optional("soapAction", null);
    String method = in.optional("method", soapAction != null ? "POST" : "GET").toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("method '" + method + "' is not one of " + METHODS);
    }
    String path = in.optional("path", "");
    String requestBody = in.optional("body", null);
    URI uri = uri(endpoint, path);
    Map<String, String> headers = new LinkedHashMap<>();
    if (soapAction != null) {
      headers.put("Content-Type", "text/xml; charset=utf-8");
      headers.put("SOAPAction", "\"" + soapAction + "\"");
    } else if (requestBody != null) {
      headers.put("Content-Type", in.optional("contentType", "application/json"));
    }
    String expectBody = in.optional("expectBody", null);
    String request = planned(endpointName, endpoint, method, path, headers,
        requestBody == null ? null : bounded(requestBody),
        expectBody == null ? "" : "   (answer must match /" + expectBody + "/)");
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("status", 200);
    result.put("body", "");
    return new StepPlan(List.of(request),
        List.of(new StepPlan.Target(TargetKind.ENDPOINT, endpointName)), result);
  }

  /**
   * Sends one request to the topology endpoint {@code endpointName} (its URL with {@code path}
   * appended) with the endpoint's Authorization secret, if it has one, and returns the answer
   * whatever its status. Also used by the prechecks. A refused connection or no answer within
   * {@code timeout} is an {@link IOException} naming the request, whose cause is the
   * {@link ConnectException} or {@link HttpTimeoutException}.
   */
  public <T> HttpResponse<T> send(String endpointName, String method, String path, String body,
      Map<String, String> headers, Duration timeout, HttpResponse.BodyHandler<T> answer)
      throws IOException, InterruptedException {
    Endpoint endpoint = topology.endpoint(endpointName);
    URI uri = uri(endpoint, path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    if (endpoint.getAuthorization() != null && !endpoint.getAuthorization().isBlank()) {
      request.header("Authorization", secrets.resolve(endpoint.getAuthorization()).trim());
    }
    String shown = describe(method, endpointName, path);
    try {
      return client.send(request.build(), answer);
    } catch (HttpTimeoutException e) {
      throw new IOException(shown + ": no answer within " + timeout.toSeconds() + " s", e);
    } catch (ConnectException e) {
      throw new IOException(shown + ": connection refused at " + uri.getHost() + ":" + uri.getPort(), e);
    }
  }

  /**
   * One request as a dry-run plan shows it: {@code http <endpoint>: METHOD <url>} and a note on the
   * first line, then the headers, the Authorization as the name of its secret reference (never its
   * value), and the body. Shared by every connector that speaks HTTP.
   */
  public static String planned(String endpointName, Endpoint endpoint, String method, String path,
      Map<String, String> headers, String body, String note) {
    StringBuilder text = new StringBuilder("http ").append(endpointName).append(": ").append(method)
        .append(' ').append(uri(endpoint, path)).append(note);
    headers.forEach((name, value) -> text.append("\n  ").append(name).append(": ").append(value));
    if (endpoint.getAuthorization() != null && !endpoint.getAuthorization().isBlank()) {
      text.append("\n  Authorization: <the secret ").append(endpoint.getAuthorization()).append('>');
    }
    if (body != null) {
      text.append("\n\n").append(body);
    }
    return text.toString();
  }

  /** The URL of {@code endpoint} with {@code path} appended. */
  public static URI uri(Endpoint endpoint, String path) {
    return URI.create(endpoint.getUrl().replaceAll("/+$", "")
        + (path.startsWith("/") || path.isEmpty() ? path : "/" + path));
  }

  private static String describe(String method, String endpointName, String path) {
    return method + " " + endpointName + (path.isEmpty() ? "" : " " + path);
  }

  private static String bounded(String body) {
    if (body == null) {
      return "";
    }
    return body.length() <= MAX_BODY ? body : body.substring(0, MAX_BODY) + "...";
  }

  private static String excerpt(String text) {
    String line = text.strip().replaceAll("\\s+", " ");
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }
}
