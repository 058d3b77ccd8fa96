package io.drrunbook.runs.callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.runs.callbacks.CallbackProperties.TicketSystem;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallbackTemplatesTest {

  private static final String HOSTILE = "a \"quoted\" {runId} \\ back\nslash\t}{ </script> ${x}";

  @Test
  void shouldGiveValidJsonWithTheValueVerbatimWhenTheValueHasQuotesNewlinesAndBraces()
      throws Exception {
    String body = CallbackTemplates.body("{\"body\": \"note: {message} ({runId})\"}",
        Map.of("message", HOSTILE, "runId", "R1"), "application/json");

    JsonNode json = new ObjectMapper().readTree(body);
    assertThat(json.get("body").asText()).isEqualTo("note: " + HOSTILE + " (R1)");
    assertThat(json.size()).isEqualTo(1);
  }

  @Test
  void shouldEncodeEveryValueWhenFillingAUrl() {
    String url = CallbackTemplates.url("https://jira.example/rest/api/2/issue/{ticketId}/comment",
        Map.of("ticketId", "../../admin?x=1&y=2 #{}"));

    assertThat(url).isEqualTo(
        "https://jira.example/rest/api/2/issue/..%2F..%2Fadmin%3Fx%3D1%26y%3D2%20%23%7B%7D/comment");
  }

  @Test
  void shouldLeaveJsonBracesAndUnknownNamesAloneWhenFilling() {
    String body = CallbackTemplates.body("{\"a\": {\"b\": \"{unknown} {event}\"}}",
        Map.of("event", "run-started"), "application/json");

    assertThat(body).isEqualTo("{\"a\": {\"b\": \"{unknown} run-started\"}}");
  }

  @Test
  void shouldRefuseASystemWhenItsAuthorizationIsALiteralValue() {
    TicketSystem system = system();
    system.setAuthorization("Basic dXNlcjpwYXNz");

    assertThatThrownBy(() -> new CallbackSystems(new CallbackProperties()).define("x", system))
        .hasMessageContaining("secret reference").hasMessageNotContaining("dXNlcjpwYXNz");
  }

  @Test
  void shouldRefuseASystemWhenItsBodyTemplateIsNotJson() {
    TicketSystem system = system();
    system.setBodyTemplate("{\"body\": {message}}");

    assertThatThrownBy(() -> new CallbackSystems(new CallbackProperties()).define("x", system))
        .hasMessageContaining("body-template");
  }

  @Test
  void shouldRefuseASystemWhenItNamesAnUnknownEvent() {
    TicketSystem system = system();
    system.setEvents(java.util.Set.of("run-started", "run-exploded"));

    assertThatThrownBy(() -> new CallbackSystems(new CallbackProperties()).define("x", system))
        .hasMessageContaining("run-exploded");
  }

  @Test
  void shouldGrowTheWaitExponentiallyUpToTheMaximumWhenAttemptsFail() {
    CallbackProperties.Backoff backoff = new CallbackProperties.Backoff();
    backoff.setInitial(Duration.ofSeconds(10));
    backoff.setMultiplier(3);
    backoff.setMax(Duration.ofMinutes(2));

    assertThat(backoff.after(1)).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.after(2)).isEqualTo(Duration.ofSeconds(30));
    assertThat(backoff.after(3)).isEqualTo(Duration.ofSeconds(90));
    assertThat(backoff.after(4)).isEqualTo(Duration.ofMinutes(2));
  }

  private static TicketSystem system() {
    TicketSystem system = new TicketSystem();
    system.setUrlTemplate("https://jira.example/rest/api/2/issue/{ticketId}/comment");
    system.setBodyTemplate("{\"body\": \"{message}\"}");
    return system;
  }
}
