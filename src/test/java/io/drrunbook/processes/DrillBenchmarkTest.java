package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.DrillContext;
import io.drrunbook.DrillTasks;
import io.drrunbook.OpenSsh;
import io.drrunbook.common.DrGroups;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabKeys;
import io.drrunbook.lab.LabState;
import io.drrunbook.lab.faults.FaultRequest;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Host;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricTaskInstance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.TestPropertySource;

/**
 * A benchmark, not a timed test (it asserts only what the runs and the lab did): A1 drills against
 * the lab, started through {@code POST /api/runs}. Prints the time from the REST start to the first
 * step, from a completed user task to the next step, A1's automated part (from "Declare the
 * disaster" to "Confirm operations restored") against the same command lines sent through the
 * OpenSSH client (one connection per command; the proxies' chains in parallel, as the run does),
 * and N concurrent drills against one (N concurrent and one drill first, not counted: the code compiled,
 * as in a running application), with the CPU this JVM (application and lab) used over the automated
 * part: the lab's commands take no time, so a drill is CPU-bound and N drills take at least N times
 * one drill's CPU over the machine's cores. Then one and N drills again with every lab SSH host
 * answering each command after a host command time ({@code dr.benchmark.host-latencies}, default
 * 50 and 200 ms: a lab "slow" fault on each host), as remote hosts across sites do: whether
 * concurrent drills overlap their waits or queue behind each other. Runs only when asked:
 * {@code mvn -q -Ddr.skipModelChecks -Dtest=DrillBenchmarkTest -Ddr.benchmark.drills=20 test}.
 */
@DrillContext
// the benchmark starts about 120 runs within minutes (not what the start limit is tested for)
@TestPropertySource(properties = "dr.api.start-rate-per-minute=1000")
@EnabledIfSystemProperty(named = "dr.benchmark.drills", matches = "\\d+")
class DrillBenchmarkTest {

  private static final Logger log = LoggerFactory.getLogger(DrillBenchmarkTest.class);
  private static final String PROCESS = "dr-genesys-cs-failover";
  private static final String DECLARE = "UserTask_DeclareDisaster";
  private static final String CONFIRM = "UserTask_ConfirmOperationsRestored";
  private static final String SWITCHOVER = "cs-switchover cs-master.genesys.lab";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Autowired TestRestTemplate http;
  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired IdentityService identity;
  @Autowired Topology topology;
  @Autowired Lab lab;
  @Autowired LabKeys keys;

  private int tickets;

  @BeforeEach
  void resetLab() {
    lab.reset();
  }

  @Test
  void shouldPrintTheLatenciesOfADrillItsAutomatedPartAgainstOpenSshAndConcurrentDrills() throws Exception {
    int concurrent = Integer.getInteger("dr.benchmark.drills");
    // a running application has its code compiled and its sessions open: rounds of concurrent
    // drills and one drill first, not counted, each followed by a wait until the JIT compiler is
    // done (without them, the compiler took about 10 s of the 26 s of CPU of the measured
    // concurrent drills, a JFR recording showed, and half a core after one round)
    for (int round = 0; round < WARM_UP_ROUNDS; round++) {
      concurrentDrills(concurrent);
      lab.reset();
      compilerQuiet();
    }
    drill(List.of(start()));
    lab.reset();
    compilerQuiet();

    // what the application and the lab take with no run at all (pollers, metrics, the lab's own jobs)
    long idleCpu = cpuMillis();
    long idleFrom = System.nanoTime();
    Thread.sleep(3000);
    double idleCores = (cpuMillis() - idleCpu) / ((System.nanoTime() - idleFrom) / 1e6);
    long beforeStart = System.currentTimeMillis();
    String run = start();
    long startToFirstStep = activity(run, "Task_ResolveTopology").getStartTime().getTime() - beforeStart;
    Drill one = drill(List.of(run));
    long taskToNextStep = activity(run, "Task_StopReplication").getStartTime().getTime()
        - task(run, DECLARE).getEndTime().getTime();
    assertEachActionOnce();
    // the replay sends the switchovers again: the lab counts them, so it comes after the count
    double openssh = opensshReplay(one.from(), one.to());

    lab.reset();
    Drill many = concurrentDrills(concurrent);
    StringBuilder rounds = new StringBuilder(String.format(
        "%nA1 drills against the lab, ms:%n"
        + "REST start to the first step            %8d%n"
        + "user task completed to the next step    %8d%n"
        + "automated part, one drill               %8d%n"
        + "the same command lines through OpenSSH  %8.0f  (product / OpenSSH %.2fx)%n"
        + "automated part, %3d concurrent drills   %8d  (%.2fx one drill)%n",
        startToFirstStep, taskToNextStep, one.millis(), openssh, one.millis() / openssh,
        concurrent, many.millis(), many.millis() / (double) one.millis()));
    rounds.append(String.format("CPU of this JVM (application and lab) with no run: %.2f of the %d cores"
        + " busy%n", idleCores, CORES));
    rounds.append(String.format("CPU of this JVM (application and lab) over the automated part: one"
        + " drill %d ms (%.2f of the %d cores busy); %d drills %d ms, %d ms a drill (%.2f of %d busy)%n",
        one.cpuMillis(), one.coresBusy(), CORES, concurrent, many.cpuMillis(),
        many.cpuMillis() / concurrent, many.coresBusy(), CORES));
    rounds.append(String.format("%nwith a host command time (each lab SSH command answered after it, as"
        + " a remote host's), automated part, ms:%n"
        + "host command time  one drill  %3d drills  ratio   cores busy: one drill / %d drills%n",
        concurrent, concurrent));
    rounds.append(round("none", one, many));
    for (Duration latency : hostLatencies()) {
      lab.reset();
      slowHosts(latency);
      Drill slowOne = drill(List.of(start()));
      assertEachActionOnce();
      lab.reset();
      slowHosts(latency);
      Drill slowMany = concurrentDrills(concurrent);
      rounds.append(round(latency.toMillis() + " ms", slowOne, slowMany));
    }
    log.info(rounds.toString());
  }

  /** {@code dr.benchmark.host-latencies}: command times of the lab's hosts to measure (default 50ms,200ms). */
  private static List<Duration> hostLatencies() {
    List<Duration> latencies = new ArrayList<>();
    for (String value : System.getProperty("dr.benchmark.host-latencies", "50,200").split(",")) {
      if (!value.isBlank()) {
        latencies.add(Duration.ofMillis(Long.parseLong(value.strip().replace("ms", ""))));
      }
    }
    return latencies;
  }

  /** Every lab SSH host answers each command after {@code latency}: a lab "slow" fault on each. */
  private void slowHosts(Duration latency) {
    for (String host : lab.state().hosts()) {
      lab.faults().add(new FaultRequest("slow", host, null, null, null, latency.toMillis() + "ms",
          null, null, null), "benchmark");
    }
  }

  private static String round(String latency, Drill one, Drill many) {
    return String.format("%-17s %10d %11d %6.2fx   %.2f / %.2f%n", latency, one.millis(), many.millis(),
        many.millis() / (double) one.millis(), one.coresBusy(), many.coresBusy());
  }

  private Drill concurrentDrills(int concurrent) throws Exception {
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < concurrent; i++) {
      runs.add(start());
    }
    Drill many = drill(runs);
    assertEachActionOnce();
    return many;
  }

  private static final int WARM_UP_ROUNDS = 3;

  /** Waits (at most 30 s) until the JIT compiler spent less than 20 ms of the last second. */
  private static void compilerQuiet() throws InterruptedException {
    CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
    if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
      Thread.sleep(5000);
      return;
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long before = compiler.getTotalCompilationTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000);
      long now = compiler.getTotalCompilationTime();
      if (now - before < 20) {
        return;
      }
      before = now;
    }
    log.info("the JIT compiler was still busy after 30 s");
  }

  private static final int CORES = Runtime.getRuntime().availableProcessors();

  /** CPU time of this JVM so far (every thread: engine, connectors, the lab's servers), in ms. */
  private static long cpuMillis() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1_000_000;
  }

  /**
   * The runs' automated parts, from the first "Declare the disaster" done to the last "Confirm"
   * created, and the CPU this JVM used from just before the first declaration to when the test saw
   * the last "Confirm" ({@code cpuWallMillis} later).
   */
  private record Drill(Instant from, Instant to, long cpuMillis, long cpuWallMillis) {
    long millis() {
      return Duration.between(from, to).toMillis();
    }

    /** How many of the machine's cores the automated part kept busy, on average. */
    double coresBusy() {
      return cpuMillis / (double) Math.max(1, cpuWallMillis);
    }
  }

  /** Works the runs' manual steps, the disaster declared by approver2 (not their starter). */
  private Drill drill(List<String> runs) {
    runs.forEach(run -> await("approval").atMost(Duration.ofSeconds(60)).until(() ->
        tasks.createTaskQuery().processInstanceId(run).taskDefinitionKey(DECLARE).count() == 1));
    long cpuBefore = cpuMillis();
    long wallBefore = System.nanoTime();
    for (String run : runs) {
      // four-eyes: the approver who started the run may not declare the disaster
      DrillTasks.complete(tasks, identity, run, DECLARE, "approver2", DrGroups.APPROVERS, Map.of(
          "disasterDeclared", "true", "disasterReason", "benchmark drill", "decidedBy", "benchmark"));
    }
    // polled often, so that the CPU measured ends close to the automated part's end
    runs.forEach(run -> await("automated part").atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofMillis(20)).until(() ->
        tasks.createTaskQuery().processInstanceId(run).taskDefinitionKey(CONFIRM).count() == 1));
    long cpu = cpuMillis() - cpuBefore;
    long cpuWall = (System.nanoTime() - wallBefore) / 1_000_000;
    Instant from = runs.stream().map(run -> task(run, DECLARE).getEndTime().toInstant())
        .min(Comparator.naturalOrder()).orElseThrow();
    Instant to = runs.stream().map(run -> task(run, CONFIRM).getStartTime().toInstant())
        .max(Comparator.naturalOrder()).orElseThrow();
    for (String run : runs) {
      DrillTasks.complete(tasks, identity, run, CONFIRM, "operator", DrGroups.OPERATORS, Map.of(
          "operationsRestored", true, "restoreNotes", "benchmark"));
    }
    runs.forEach(run -> {
      await("run ended").atMost(Duration.ofSeconds(90)).until(() -> history.createHistoricProcessInstanceQuery()
          .processInstanceId(run).finished().count() == 1);
      assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(run)
          .activityId("EndEvent_FailedOver").count()).as(run).isEqualTo(1);
    });
    return new Drill(from, to, cpu, cpuWall);
  }

  /** Each proxy switched over once, whatever number of runs went through it. */
  private void assertEachActionOnce() {
    for (String proxy : topology.group("cs-proxies")) {
      assertThat(lab.state().actionCount(proxy, SWITCHOVER)).as(proxy).isEqualTo(1);
    }
  }

  private String start() throws Exception {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    // an approver with a reason: the benchmark's concurrent drills act on the same lab systems
    String body = """
        {"procedure": "%s", "ticket": {"system": "servicenow", "id": "BENCH-%d-%d"}, "parameters": {},
         "mode": "drill", "overlap": {"reason": "benchmark of concurrent drills"}}"""
        .formatted(PROCESS, System.currentTimeMillis(), ++tickets);
    ResponseEntity<String> started = http.withBasicAuth("approver", "approver")
        .postForEntity("/api/runs", new HttpEntity<>(body, headers), String.class);
    assertThat(started.getStatusCode()).as(started.getBody()).isIn(HttpStatus.OK, HttpStatus.CREATED);
    return JSON.readTree(started.getBody()).path("id").asText();
  }

  private HistoricActivityInstance activity(String run, String activityId) {
    return await(activityId).atMost(Duration.ofSeconds(60)).until(() -> history
        .createHistoricActivityInstanceQuery().processInstanceId(run).activityId(activityId)
        .orderByHistoricActivityInstanceStartTime().asc().list().stream().findFirst().orElse(null),
        activity -> activity != null);
  }

  private HistoricTaskInstance task(String run, String taskKey) {
    return history.createHistoricTaskInstanceQuery().processInstanceId(run).taskDefinitionKey(taskKey)
        .singleResult();
  }

  /**
   * The command lines the lab's SSH hosts received between {@code from} and {@code to}, sent again
   * through OpenSSH, one connection per command: the proxies' chains in parallel (as the run's
   * multi-instance block), the other hosts' commands one after the other; the time in ms.
   */
  private double opensshReplay(Instant from, Instant to) throws Exception {
    LabState state = lab.state();
    List<String> proxies = topology.group("cs-proxies");
    List<Map.Entry<Instant, String[]>> sequential = new ArrayList<>();
    Map<String, List<String>> proxyChains = new LinkedHashMap<>();
    int lines = 0;
    for (String host : state.hosts()) {
      for (LabState.CommandRecord command : state.commandLog(host)) {
        if (command.time().isBefore(from) || command.time().isAfter(to)) {
          continue;
        }
        lines++;
        if (proxies.contains(host)) {
          proxyChains.computeIfAbsent(host, h -> new ArrayList<>()).add(command.command());
        } else {
          sequential.add(Map.entry(command.time(), new String[] {host, command.command()}));
        }
      }
    }
    assertThat(lines).as("command lines of the automated part").isPositive();
    sequential.sort(Map.Entry.comparingByKey());
    long started = System.nanoTime();
    for (Map.Entry<Instant, String[]> command : sequential) {
      openssh(command.getValue()[0], command.getValue()[1]);
    }
    ExecutorService chains = Executors.newFixedThreadPool(Math.max(1, proxyChains.size()));
    try {
      List<Future<?>> done = new ArrayList<>();
      proxyChains.forEach((host, commands) -> done.add(chains.submit(() -> {
        for (String command : commands) {
          openssh(host, command);
        }
        return null;
      })));
      for (Future<?> chain : done) {
        chain.get(2, TimeUnit.MINUTES);
      }
    } finally {
      chains.shutdownNow();
    }
    log.info("OpenSSH replay: {} command lines", lines);
    return (System.nanoTime() - started) / 1e6;
  }

  private void openssh(String host, String commandLine) throws Exception {
    Host target = topology.host(host);
    // a replayed command's exit code is not the point: the lab's state has moved on since
    OpenSsh.run(keys.knownHostsFile(), keys.privateKeyFile(), target.getSsh().getUser(),
        target.getSsh().getHost(), target.getSsh().getPort(), commandLine);
  }

}
