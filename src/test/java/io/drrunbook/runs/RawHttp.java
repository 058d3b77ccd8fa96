package io.drrunbook.runs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * HTTP exactly as written: raw paths, raw bodies, any content type, chunked bodies, and no automatic
 * retry (Apache HttpClient behind TestRestTemplate retries a 429 after its Retry-After by itself).
 */
final class RawHttp {

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String root;

  RawHttp(int port) {
    this.root = "http://localhost:" + port;
  }

  HttpResponse<String> send(String method, String rawPath, String user, String contentType,
      String body) throws IOException, InterruptedException {
    BodyPublisher publisher = body == null ? BodyPublishers.noBody()
        : BodyPublishers.ofString(body, StandardCharsets.UTF_8);
    return send(method, rawPath, user, contentType, publisher);
  }

  /** The body without a Content-Length (chunked transfer encoding). */
  HttpResponse<String> sendChunked(String method, String rawPath, String user, String contentType,
      byte[] body) throws IOException, InterruptedException {
    return send(method, rawPath, user, contentType,
        BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
  }

  private HttpResponse<String> send(String method, String rawPath, String user, String contentType,
      BodyPublisher publisher) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root + rawPath))
        .timeout(Duration.ofSeconds(60)).method(method, publisher);
    if (user != null) {
      request.header("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return client.send(request.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
