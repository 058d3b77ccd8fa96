package io.drrunbook.runs.callbacks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A ticket system for the tests: a JDK HTTP server on 127.0.0.1 and a free port that records every
 * request and answers per path prefix (200 unless told otherwise; the n-th request to a prefix can
 * get another status). An answer of 500 echoes the request's Authorization header, as a careless
 * server might, so that tests can check it is never stored unmasked.
 */
final class TicketServer implements AutoCloseable {

  record Request(String method, String path, String authorization, String contentType,
      String body) {}

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, IntUnaryOperator> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  TicketServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers the n-th request (1 = the first) under {@code prefix} with the status given. */
  void answer(String prefix, IntUnaryOperator status) {
    answers.put(prefix, status);
  }

  List<Request> requests(String prefix) {
    return requests.stream().filter(r -> r.path().startsWith(prefix)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      requests.add(new Request(exchange.getRequestMethod(), path, authorization,
          exchange.getRequestHeaders().getFirst("Content-Type"), body));
      String prefix = answers.keySet().stream().filter(path::startsWith).findFirst().orElse(null);
      int n = counts.computeIfAbsent(prefix == null ? "" : prefix, p -> new AtomicInteger())
          .incrementAndGet();
      int status = prefix == null ? 200 : answers.get(prefix).applyAsInt(n);
      byte[] answer = (status == 500 ? "{\"error\": \"bad gateway for " + authorization + "\"}"
          : "{\"result\": {}}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
