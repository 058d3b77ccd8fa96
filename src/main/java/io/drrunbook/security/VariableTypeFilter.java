package io.drrunbook.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.common.BufferedRequest;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Object variables through the engine's REST APIs ({@code /engine-rest/**} and the web apps'
 * {@code /camunda/api/**}): a JSON body that declares a variable of type {@code Object} whose
 * {@code objectTypeName} is not one of the types the engine's deserialization type validation
 * allows by default ({@code java.lang.*}, and the lists, sets and maps of {@code java.util}), or that
 * asks for Java serialization ({@code application/x-java-serialized-object}), is refused with a 400
 * problem document before the engine stores it. (The engine itself, with
 * {@code deserializationTypeValidationEnabled}, would only refuse such a value when it is read.)
 * The same holds for a variable uploaded as {@code multipart/form-data} ({@code .../variables/{name}/data}):
 * its {@code objectType} part (the class the engine REST would have Jackson instantiate from the
 * {@code data} part) must be an accepted type, and no part may be Java-serialized.
 */
@Configuration
public class VariableTypeFilter {

  static final String JAVA_SERIALIZATION = "application/x-java-serialized-object";
  /** As the engine's DefaultDeserializationTypeValidator: java.lang and these collections. */
  static final Set<String> ALLOWED_CLASSES = Set.of("java.util.ArrayList", "java.util.Arrays$ArrayList",
      "java.util.HashMap", "java.util.HashSet", "java.util.LinkedHashMap", "java.util.LinkedHashSet",
      "java.util.LinkedList", "java.util.Properties", "java.util.TreeMap", "java.util.TreeSet");
  private static final Pattern TYPE_SEPARATORS = Pattern.compile("[<>,\\s\\[\\]]+");
  /** Larger bodies are not engine variables of a person or a ticketing system. */
  static final int MAX_BODY = 1024 * 1024;
  /** A binary variable (evidence, a file) may be larger than a JSON body. */
  static final int MAX_MULTIPART_BODY = 16 * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(VariableTypeFilter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Bean
  public FilterRegistrationBean<OncePerRequestFilter> variableTypes() {
    FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new Check());
    registration.addUrlPatterns("/engine-rest/*", "/camunda/api/*");
    registration.setName("variableTypes");
    return registration;
  }

  /** Why a JSON body is refused, if it is. */
  static Optional<String> refusal(JsonNode node) {
    if (node == null) {
      return Optional.empty();
    }
    if (node.isObject()) {
      JsonNode info = node.get("valueInfo");
      if (info != null && info.isObject()) {
        String format = info.path("serializationDataFormat").asText("");
        if (format.strip().toLowerCase().startsWith(JAVA_SERIALIZATION)) {
          return Optional.of("Java serialization is not accepted for variables");
        }
        JsonNode typeName = info.get("objectTypeName");
        if (typeName != null && !allowed(typeName.asText(""))) {
          return Optional.of("objectTypeName is not a type the product accepts for variables");
        }
      }
    }
    for (JsonNode child : node) {
      Optional<String> refused = refusal(child);
      if (refused.isPresent()) {
        return refused;
      }
    }
    return Optional.empty();
  }

  /** Why a multipart body (the engine REST's binary variable upload) is refused, if it is. */
  static Optional<String> multipartRefusal(String contentType, byte[] body) {
    String boundary = null;
    for (String parameter : contentType.split(";")) {
      String p = parameter.strip();
      if (p.toLowerCase().startsWith("boundary=")) {
        boundary = p.substring("boundary=".length()).replace("\"", "");
      }
    }
    if (boundary == null || boundary.isEmpty()) {
      return Optional.of("a multipart body needs a boundary");
    }
    // ISO-8859-1 keeps every byte as one character: the parts' binary content is not decoded
    String text = new String(body, StandardCharsets.ISO_8859_1);
    for (String part : text.split(Pattern.quote("--" + boundary))) {
      int end = part.indexOf("\r\n\r\n");
      if (end < 0) {
        continue;
      }
      String headers = part.substring(0, end).toLowerCase();
      String content = part.substring(end + 4);
      if (headers.contains(JAVA_SERIALIZATION)) {
        return Optional.of("Java serialization is not accepted for variables");
      }
      if (headers.matches("(?s).*content-disposition:[^\r\n]*name=\"?objecttype\"?([;\\s].*|$)")
          && !allowed(content.strip())) {
        return Optional.of("objectType is not a type the product accepts for variables");
      }
    }
    return Optional.empty();
  }

  static boolean allowed(String typeName) {
    for (String name : TYPE_SEPARATORS.split(typeName.strip())) {
      if (name.isEmpty()) {
        continue;
      }
      boolean javaLang = name.startsWith("java.lang.") && name.indexOf('.', "java.lang.".length()) < 0;
      if (!javaLang && !ALLOWED_CLASSES.contains(name)) {
        return false;
      }
    }
    return true;
  }

  static final class Check extends OncePerRequestFilter {
    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
        FilterChain chain) throws ServletException, IOException {
      String type = request.getContentType();
      boolean multipart = type != null && type.toLowerCase().startsWith("multipart/");
      if (type == null || !(multipart || type.toLowerCase().contains("json"))
          || "GET".equals(request.getMethod())) {
        chain.doFilter(request, response);
        return;
      }
      int limit = multipart ? MAX_MULTIPART_BODY : MAX_BODY;
      byte[] body = request.getInputStream().readNBytes(limit + 1);
      if (body.length > limit) {
        RejectedRequests.write(response, HttpStatus.PAYLOAD_TOO_LARGE, "body",
            "is larger than " + (limit >> 20) + " MiB");
        return;
      }
      Optional<String> refused;
      if (multipart) {
        refused = multipartRefusal(type, body);
      } else {
        try {
          refused = body.length == 0 ? Optional.empty() : refusal(JSON.readTree(body));
        } catch (JsonProcessingException notJson) {
          refused = Optional.empty(); // the engine REST answers malformed JSON itself (400)
        }
      }
      if (refused.isPresent()) {
        log.info("variable refused from {} on {}: {}", request.getRemoteUser(), request.getRequestURI(),
            refused.get());
        RejectedRequests.write(response, HttpStatus.BAD_REQUEST, multipart ? "objectType" : "valueInfo",
            refused.get());
        return;
      }
      chain.doFilter(new BufferedRequest(request, body), response);
    }
  }
}
