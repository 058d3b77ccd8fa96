package io.drrunbook.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.connectors.dns.DnsConnector;
import io.drrunbook.connectors.dns.DnsException;
import io.drrunbook.connectors.ssh.CommandResult;
import io.drrunbook.connectors.ssh.SshCommandException;
import io.drrunbook.connectors.ssh.SshCommandFailedException;
import io.drrunbook.connectors.ssh.SshCommandRunner;
import io.drrunbook.connectors.ssh.SshCommandTimeoutException;
import io.drrunbook.connectors.ssh.SshExecConnector;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabState.CommandRecord;
import io.drrunbook.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * Fault injection in the running lab, each fault added and removed through the REST API as a
 * person would and observed through the real connectors (SSH and DNS), which never know a fault
 * is there; then that removing the fault, or resetting the lab, gives the normal behaviour back.
 */
@DrillContext
class LabFaultsDrillTest {

  private static final String PROXY = "site1.cs-proxy-1";
  private static final String MGMT2 = "site2.cs-mgmt";
  private static final String DNS = "lab-dns";
  private static final String SITE1_MASTER = "127.0.1.10";

  @Autowired TestRestTemplate rest;
  @Autowired ObjectMapper json;
  @Autowired SshExecConnector ssh;
  @Autowired SshCommandRunner sshRunner;
  @Autowired DnsConnector dns;
  @Autowired Topology topology;
  @Autowired Lab lab;

  @BeforeEach
  @AfterEach
  void resetLab() {
    lab.reset();
  }

  // ---------------------------------------------------------------- SSH

  @Test
  void shouldRefuseTheConnectionWhenTheHostIsUnreachable() throws Exception {
    String id = addFault("{\"type\": \"unreachable\", \"target\": \"" + PROXY + "\"}");

    assertThatThrownBy(() -> ssh.execute(proxyStatusCheck()))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining(PROXY).hasMessageContaining("connection refused");

    removeFault(id);
    assertThat(ssh.execute(proxyStatusCheck())).containsEntry("exitCode", 0);
  }

  @Test
  void shouldRefuseTheHostKeyWhenItChanged() throws Exception {
    Path knownHosts = Path.of(topology.knownHostsFile());
    String before = Files.readString(knownHosts);
    String id = addFault("{\"type\": \"host-key-changed\", \"target\": \"" + PROXY + "\"}");

    assertThatThrownBy(() -> ssh.execute(proxyStatusCheck()))
        .isInstanceOf(SshCommandException.class)
        .hasMessageContaining(PROXY).hasMessageContaining("host key CHANGED");
    assertThat(Files.readString(knownHosts)).as("known_hosts untouched").isEqualTo(before);

    removeFault(id);
    assertThat(ssh.execute(proxyStatusCheck())).containsEntry("exitCode", 0);
  }

  @Test
  void shouldReturnTheInjectedExitCodeAndOutputWhenTheCommandFails() throws Exception {
    String id = addFault("""
        {"type": "command-fails", "target": "%s", "exitCode": 3, "command": "genesys-ctl start",
         "stdout": "starting scs-master\\n", "stderr": "genesys-ctl: license server not reachable\\n"}
        """.formatted(MGMT2));

    assertThatThrownBy(() -> ssh.execute(appStart("scs-master")))
        .isInstanceOfSatisfying(SshCommandFailedException.class,
            e -> assertThat(e.exitCode()).isEqualTo(3))
        .hasMessageContaining("license server not reachable");
    CommandResult raw = sshRunner.run(MGMT2, "probe", "/opt/dr/bin/genesys-ctl start 'scs-master'",
        Duration.ofSeconds(10));
    assertThat(raw).extracting(CommandResult::exitCode, CommandResult::stdout, CommandResult::stderr)
        .containsExactly(3, "starting scs-master\n", "genesys-ctl: license server not reachable\n");
    List<CommandRecord> log = lab.state().commandLog(MGMT2);
    assertThat(log.get(log.size() - 1)).satisfies(last -> {
      assertThat(last.command()).isEqualTo("/opt/dr/bin/genesys-ctl start 'scs-master'");
      assertThat(last.exitCode()).isEqualTo(3);
    });

    removeFault(id);
    // the failed start changed nothing: the check still finds the application stopped and starts it
    assertThat(ssh.execute(appStart("scs-master"))).containsEntry("changed", true)
        .containsEntry("exitCode", 0);
  }

  @Test
  void shouldReportTheForcedLagWhenReplicationLags() throws Exception {
    String command = "/opt/dr/bin/dr-replication status 'site1-to-site2'";
    String id = addFault("{\"type\": \"replication-lag\", \"target\": \"site1-to-site2\", \"seconds\": 900}");

    CommandResult lagging = sshRunner.run("site2.ogg", "probe", command, Duration.ofSeconds(10));

    assertThat(lagging.stdout()).contains("site1-to-site2 RUNNING\n").contains("lag 900 seconds\n");
    assertThat(lab.view().replication()).filteredOn(r -> r.direction().equals("site1-to-site2"))
        .singleElement().extracting(r -> r.lagSeconds()).isEqualTo(900L);
    removeFault(id);
    assertThat(sshRunner.run("site2.ogg", "probe", command, Duration.ofSeconds(10)).stdout())
        .contains("lag 0 seconds\n");
  }

  @Test
  void shouldRunIntoItsTimeLimitWhenTheCommandHangs() throws Exception {
    String id = addFault("{\"type\": \"command-hangs\", \"target\": \"" + PROXY
        + "\", \"command\": \"cs-proxy-ctl status\"}");
    Map<String, Object> check = proxyStatusCheck();
    check.put("timeoutSeconds", "1");

    assertThatThrownBy(() -> ssh.execute(check))
        .isInstanceOf(SshCommandTimeoutException.class)
        .hasMessageContaining("exceeded its time limit of 1 s");
    // the client closed the channel: the lab's thread that held the command has ended
    await("held command released").atMost(Duration.ofSeconds(10))
        .until(() -> heldCommandThreads().isEmpty());

    removeFault(id);
    // answered again (with the usual time limit: 1 s is short for a loaded machine)
    check.put("timeoutSeconds", "30");
    assertThat(ssh.execute(check)).containsEntry("exitCode", 0);
  }

  @Test
  void shouldAnswerAfterTheDelayWhenTheHostIsSlow() throws Exception {
    String id = addFault("{\"type\": \"slow\", \"target\": \"" + PROXY + "\", \"delay\": \"PT1S\"}");

    long started = System.nanoTime();
    Map<String, Object> result = ssh.execute(proxyStatusCheck());
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

    assertThat(result).containsEntry("exitCode", 0);
    assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    removeFault(id);
    assertThat(ssh.execute(proxyStatusCheck())).containsEntry("exitCode", 0);
  }

  // ---------------------------------------------------------------- DNS

  @Test
  void shouldBeAnsweredRefusedWhenTheDnsServerRefusesUpdates() throws Exception {
    String id = addFault("{\"type\": \"dns-refuse-updates\", \"target\": \"" + DNS + "\"}");

    assertThatThrownBy(() -> dns.switchARecord(switchToSite2()))
        .isInstanceOf(DnsException.class).hasMessageContaining("REFUSED");
    assertThat(dns.resolve(Map.of("record", "cs-master")))
        .containsEntry("addresses", List.of(SITE1_MASTER));

    removeFault(id);
    assertThat(dns.switchARecord(switchToSite2())).containsEntry("changed", true)
        .containsEntry("rcode", "NOERROR");
  }

  @Test
  void shouldBeAnsweredServfailWhenTheDnsServerFails() throws Exception {
    String id = addFault("{\"type\": \"dns-servfail\", \"target\": \"" + DNS + "\"}");

    assertThatThrownBy(() -> dns.resolve(Map.of("record", "cs-master")))
        .isInstanceOf(DnsException.class).hasMessageContaining("SERVFAIL");

    removeFault(id);
    assertThat(dns.resolve(Map.of("record", "cs-master")))
        .containsEntry("addresses", List.of(SITE1_MASTER));
  }

  @Test
  void shouldGetANetworkErrorWhenTheDnsServerIsUnreachable() throws Exception {
    int port = topology.dnsServer(DNS).getPort();
    String id = addFault("{\"type\": \"unreachable\", \"target\": \"" + DNS + "\"}");

    assertThatThrownBy(() -> dns.resolve(Map.of("record", "cs-master", "timeoutSeconds", "1")))
        .isInstanceOf(DnsException.class).hasMessageContaining("did not answer");
    assertThatThrownBy(() -> dns.switchARecord(Map.of("record", "cs-master",
        "targetHost", MGMT2, "timeoutSeconds", "1")))
        .isInstanceOf(DnsException.class).hasMessageContaining("did not answer");

    removeFault(id);
    assertThat(topology.dnsServer(DNS).getPort()).as("same port again").isEqualTo(port);
    assertThat(dns.resolve(Map.of("record", "cs-master")))
        .containsEntry("addresses", List.of(SITE1_MASTER));
  }

  // ---------------------------------------------------------------- REST API and reset

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown type         | {\"type\": \"flood\", \"target\": \"site1.cs-mgmt\"}                       | type",
      "target not in lab    | {\"type\": \"unreachable\", \"target\": \"site9.cs-mgmt\"}                 | target",
      "exit code missing    | {\"type\": \"command-fails\", \"target\": \"site1.cs-mgmt\"}               | exitCode",
      "delay missing        | {\"type\": \"slow\", \"target\": \"site1.cs-mgmt\"}                        | delay",
      "delay negative       | {\"type\": \"slow\", \"target\": \"site1.cs-mgmt\", \"delay\": \"PT-2S\"}  | delay",
      "seconds missing      | {\"type\": \"replication-lag\", \"target\": \"site1-to-site2\"}            | seconds",
      "status not 5xx       | {\"type\": \"http-error\", \"target\": \"site1.cs-mgmt\", \"status\": 404} | status",
      "exit code not number | {\"type\": \"command-fails\", \"target\": \"site1.cs-mgmt\", \"exitCode\": \"x\"} | exitCode"})
  void shouldAnswer400NamingTheFieldWhenTheFaultRequestIsInvalid(String why, String body,
      String field) throws Exception {
    ResponseEntity<String> response = send(HttpMethod.POST, "/lab/api/faults", body);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    JsonNode problem = json.readTree(response.getBody());
    assertThat(problem.path("errors").findValuesAsText("field")).contains(field);
    assertThat(listFaults()).isEmpty();
  }

  @Test
  void shouldListAndRemoveFaultsWhenManagedThroughTheApi() throws Exception {
    ResponseEntity<String> created = send(HttpMethod.POST, "/lab/api/faults",
        "{\"type\": \"slow\", \"target\": \"" + PROXY + "\", \"delay\": \"PT2S\"}");
    assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
    JsonNode fault = json.readTree(created.getBody());
    String id = fault.path("id").asText();
    assertThat(created.getHeaders().getLocation()).hasPath("/lab/api/faults/" + id);
    assertThat(fault.path("type").asText()).isEqualTo("slow");
    assertThat(fault.path("target").asText()).isEqualTo(PROXY);
    assertThat(fault.path("delay").asText()).isEqualTo("PT2S");
    assertThat(fault.path("createdBy").asText()).isEqualTo("operator");
    assertThat(fault.path("createdAt").asText()).isNotBlank();
    addFault("{\"type\": \"dns-servfail\", \"target\": \"" + DNS + "\"}");
    assertThat(listFaults()).extracting(f -> f.path("type").asText())
        .containsExactly("slow", "dns-servfail");

    assertThat(send(HttpMethod.DELETE, "/lab/api/faults/" + id, null).getStatusCode())
        .isEqualTo(HttpStatus.NO_CONTENT);
    ResponseEntity<String> again = send(HttpMethod.DELETE, "/lab/api/faults/" + id, null);
    assertThat(again.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(json.readTree(again.getBody()).path("errors").findValuesAsText("field"))
        .containsExactly("id");
    assertThat(listFaults()).extracting(f -> f.path("type").asText()).containsExactly("dns-servfail");

    assertThat(send(HttpMethod.DELETE, "/lab/api/faults", null).getStatusCode())
        .isEqualTo(HttpStatus.NO_CONTENT);
    assertThat(listFaults()).isEmpty();
    assertThat(dns.resolve(Map.of("record", "cs-master"))).containsEntry("rcode", "NOERROR");
  }

  @Test
  void shouldPutTheWholeLabBackWhenReset() throws Exception {
    assertThat(dns.switchARecord(switchToSite2())).containsEntry("changed", true);
    assertThat(ssh.execute(appStart("scs-master"))).containsEntry("changed", true);
    addFault("{\"type\": \"unreachable\", \"target\": \"" + PROXY + "\"}");
    addFault("{\"type\": \"host-key-changed\", \"target\": \"" + MGMT2 + "\"}");
    addFault("{\"type\": \"command-fails\", \"target\": \"site2.ogg\", \"exitCode\": 1}");
    addFault("{\"type\": \"dns-servfail\", \"target\": \"" + DNS + "\"}");
    addFault("{\"type\": \"dns-refuse-updates\", \"target\": \"" + DNS + "\"}");

    assertThat(send(HttpMethod.POST, "/lab/api/reset", null).getStatusCode())
        .isEqualTo(HttpStatus.NO_CONTENT);

    assertThat(listFaults()).isEmpty();
    assertThat(ssh.execute(proxyStatusCheck())).containsEntry("exitCode", 0);
    assertThat(sshRunner.run("site2.ogg", "probe", "/opt/dr/bin/dr-replication status site1-to-site2",
        Duration.ofSeconds(10)).exitCode()).isZero();
    // Site 2's application is stopped again (host key accepted again), the name back on Site 1
    assertThat(ssh.execute(appStart("scs-master"))).containsEntry("changed", true);
    assertThat(dns.resolve(Map.of("record", "cs-master")))
        .containsEntry("addresses", List.of(SITE1_MASTER));
    assertThat(dns.switchARecord(switchToSite2())).containsEntry("changed", true);
  }

  // ---------------------------------------------------------------- helpers

  private static Map<String, Object> proxyStatusCheck() {
    return new java.util.HashMap<>(Map.of("host", PROXY, "command", "cs-proxy-status-check"));
  }

  private static Map<String, Object> appStart(String app) {
    return Map.of("host", MGMT2, "command", "genesys-app-start", "app", app, "timeoutSeconds", "10");
  }

  private static Map<String, Object> switchToSite2() {
    return Map.of("record", "cs-master", "targetHost", MGMT2);
  }

  /** Threads of the lab's SSH hosts that hold a command for a fault. */
  private static List<String> heldCommandThreads() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith("lab-ssh-exec"))
        .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals("awaitGone")))
        .map(e -> e.getKey().getName())
        .toList();
  }

  private String addFault(String body) throws Exception {
    ResponseEntity<String> response = send(HttpMethod.POST, "/lab/api/faults", body);
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.CREATED);
    return json.readTree(response.getBody()).path("id").asText();
  }

  private void removeFault(String id) {
    assertThat(send(HttpMethod.DELETE, "/lab/api/faults/" + id, null).getStatusCode())
        .isEqualTo(HttpStatus.NO_CONTENT);
  }

  private List<JsonNode> listFaults() throws Exception {
    ResponseEntity<String> response = send(HttpMethod.GET, "/lab/api/faults", null);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    List<JsonNode> faults = new java.util.ArrayList<>();
    json.readTree(response.getBody()).forEach(faults::add);
    return faults;
  }

  private ResponseEntity<String> send(HttpMethod method, String path, String body) {
    HttpHeaders headers = new HttpHeaders();
    headers.setBasicAuth("operator", "operator");
    headers.setAccept(List.of(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON));
    if (body != null) {
      headers.setContentType(MediaType.APPLICATION_JSON);
    }
    return rest.exchange(path, method, new HttpEntity<>(body, headers), String.class);
  }
}
