package io.drrunbook.runs.callbacks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills the URL and body templates of a ticket system with the values of one event, in one pass
 * (a value that contains "{runId}" stays text). In a URL every value is URL-encoded; in a JSON body
 * every value is JSON-string-escaped (the template puts it inside a string literal), so no value can
 * change the structure of the request. Only the names in {@link #PLACEHOLDERS} are placeholders;
 * other braces (JSON objects) are left alone.
 */
public final class CallbackTemplates {

  public static final Set<String> PLACEHOLDERS = Set.of("event", "procedure", "procedureName",
      "runId", "businessKey", "ticketSystem", "ticketId", "ticketUrl", "step", "stepName",
      "waitingFor", "candidateGroups", "message", "state", "runUrl", "reportUrl", "time");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)\\}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private CallbackTemplates() {}

  public static String url(String template, Map<String, String> values) {
    return fill(template, values,
        v -> URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
  }

  /** The body; for a JSON content type it is checked to be well-formed JSON. */
  public static String body(String template, Map<String, String> values, String contentType) {
    if (template == null) {
      return "";
    }
    if (!isJson(contentType)) {
      return fill(template, values, v -> v);
    }
    String body = fill(template, values,
        v -> new String(JsonStringEncoder.getInstance().quoteAsString(v)));
    try {
      JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the body template does not give valid JSON: "
          + e.getOriginalMessage());
    }
    return body;
  }

  static boolean isJson(String contentType) {
    return contentType == null || contentType.toLowerCase(java.util.Locale.ROOT).contains("json");
  }

  private static String fill(String template, Map<String, String> values,
      UnaryOperator<String> encode) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String replacement = PLACEHOLDERS.contains(name)
          ? encode.apply(values.getOrDefault(name, "") == null ? "" : values.getOrDefault(name, ""))
          : m.group();
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
