package io.drrunbook.runs;

import io.drrunbook.core.RunMode;
import io.drrunbook.core.RunModes;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.springframework.stereotype.Component;

/**
 * The live RTO forecast of an active run: elapsed time against the procedure's RTO target and a
 * projected finish, from the procedure's earlier drills.
 *
 * <p>How it projects: the anchor is the step of this run that ended last (of those the earlier
 * drills also went through). Each earlier drill took some time from the end of that same step to its
 * own end: the sum of the durations of the steps it still had to go through, people's included, in
 * parallel where they ran in parallel. The projection is the anchor's end plus the median of those
 * remaining times (never before now); before any step has ended, the start plus the median duration
 * of the earlier drills. It is recomputed on every read, so it follows each step as it ends. Earlier
 * drills are the last {@value #DRILLS} completed drill runs of the same procedure that ended at the end
 * event most of them ended at (a drill whose disaster was not declared ends early and is left out).
 */
@Component
public class RtoForecast {

  /** How many of the procedure's latest completed drills the forecast learns from. */
  static final int DRILLS = 20;

  @Schema(description = "live RTO forecast of an active run, from the procedure's earlier drills")
  public record Forecast(
      @Schema(description = "time since the start") long elapsedMs,
      @Schema(description = "the run parameter rtoMinutes, when given") Integer rtoMinutes,
      @Schema(description = "how many earlier drills the projection is based on (0: no projection)") int basedOnDrills,
      @Schema(description = "the step the projection starts from (the one that ended last), null before any") String anchorStep,
      @Schema(description = "projected end of the run; null without earlier drills") Instant projectedEnd,
      @Schema(description = "projected duration from start to end") Long projectedTotalMs,
      @Schema(description = "null without an RTO target or a projection") Boolean projectedWithinRto,
      @Schema(description = "set when the projection (or the elapsed time) passes the RTO target") String warning) {}

  /** An earlier drill: its start, its end, and when each step (activity id) ended last. */
  record Drill(Instant start, Instant end, Map<String, Instant> stepEnds) {}

  private final HistoryService history;
  private final RunModes modes;
  private final Clock clock;

  public RtoForecast(HistoryService history, RunModes modes) {
    this.history = history;
    this.modes = modes;
    this.clock = Clock.systemUTC();
  }

  /** The forecast of run {@code id}; empty for a run that has ended. */
  public Optional<Forecast> forecast(String id) {
    HistoricProcessInstance run = history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult();
    if (run == null || run.getEndTime() != null) {
      return Optional.empty();
    }
    List<Drill> drills = earlierDrills(run.getProcessDefinitionKey(), id);
    return Optional.of(project(run.getStartTime().toInstant(), stepEnds(id), drills, rtoMinutes(id),
        clock.instant()));
  }

  /**
   * The projection itself (no database): {@code ended} is when each step of the active run ended
   * last, {@code drills} the earlier drills.
   */
  static Forecast project(Instant start, Map<String, Instant> ended, List<Drill> drills, Integer rtoMinutes,
      Instant now) {
    long elapsed = Duration.between(start, now).toMillis();
    Optional<Map.Entry<String, Instant>> anchor = ended.entrySet().stream()
        .filter(step -> drills.stream().anyMatch(d -> d.stepEnds().containsKey(step.getKey())))
        .max(Map.Entry.comparingByValue());
    List<Long> remaining = new ArrayList<>();
    for (Drill drill : drills) {
      if (anchor.isEmpty()) {
        remaining.add(Duration.between(drill.start(), drill.end()).toMillis());
      } else if (drill.stepEnds().containsKey(anchor.get().getKey())) {
        remaining.add(Duration.between(drill.stepEnds().get(anchor.get().getKey()), drill.end()).toMillis());
      }
    }
    Long rtoMs = rtoMinutes == null ? null : Duration.ofMinutes(rtoMinutes).toMillis();
    if (remaining.isEmpty()) {
      String warning = rtoMs != null && elapsed > rtoMs ? "the run is past its RTO target of " + rtoMinutes + " min" : null;
      return new Forecast(elapsed, rtoMinutes, 0, null, null, null, null, warning);
    }
    Instant from = anchor.map(Map.Entry::getValue).orElse(start);
    Instant projected = from.plusMillis(median(remaining));
    if (projected.isBefore(now)) {
      projected = now; // the step in hand takes longer than it did in the drills: at least now
    }
    long total = Duration.between(start, projected).toMillis();
    Boolean within = rtoMs == null ? null : total <= rtoMs;
    String warning = null;
    if (rtoMs != null && elapsed > rtoMs) {
      warning = "the run is past its RTO target of " + rtoMinutes + " min";
    } else if (Boolean.FALSE.equals(within)) {
      warning = "projected to finish after its RTO target of " + rtoMinutes + " min (projected "
          + Duration.ofMillis(total).toMinutes() + " min, from " + remaining.size() + " earlier drill"
          + (remaining.size() == 1 ? "" : "s") + ")";
    }
    return new Forecast(elapsed, rtoMinutes, remaining.size(), anchor.map(Map.Entry::getKey).orElse(null),
        projected, total, within, warning);
  }

  static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  private List<Drill> earlierDrills(String procedure, String except) {
    List<HistoricProcessInstance> completed = history.createHistoricProcessInstanceQuery()
        .processDefinitionKey(procedure).completed().orderByProcessInstanceEndTime().desc()
        .listPage(0, DRILLS * 3).stream().filter(run -> !run.getId().equals(except)).toList();
    Map<String, RunMode> byRun = modes.recorded(completed.stream().map(HistoricProcessInstance::getId).toList());
    List<HistoricProcessInstance> drills = completed.stream()
        .filter(run -> byRun.get(run.getId()) == RunMode.DRILL).limit(DRILLS).toList();
    Map<String, String> endEvents = new HashMap<>();
    Map<String, Map<String, Instant>> ends = new HashMap<>();
    for (HistoricProcessInstance drill : drills) {
      ends.put(drill.getId(), stepEnds(drill.getId()));
      endEvents.put(drill.getId(), Objects.requireNonNullElse(drill.getEndActivityId(), ""));
    }
    String usual = endEvents.values().stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
        .entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("");
    return drills.stream().filter(drill -> usual.equals(endEvents.get(drill.getId())))
        .map(drill -> new Drill(drill.getStartTime().toInstant(), drill.getEndTime().toInstant(),
            ends.get(drill.getId())))
        .toList();
  }

  /** When each step of a run ended last (steps that have not ended are left out). */
  private Map<String, Instant> stepEnds(String id) {
    Map<String, Instant> ends = new HashMap<>();
    for (HistoricActivityInstance activity : history.createHistoricActivityInstanceQuery().processInstanceId(id)
        .finished().list()) {
      Instant end = activity.getEndTime().toInstant();
      ends.merge(activity.getActivityId(), end, (a, b) -> a.isAfter(b) ? a : b);
    }
    return ends;
  }

  /** The run parameter rtoMinutes of run {@code id}, null when it was not given. */
  Integer rtoMinutes(String id) {
    return history.createHistoricVariableInstanceQuery().processInstanceId(id)
        .variableName(RunReportService.RTO_PARAMETER).disableCustomObjectDeserialization().list().stream()
        .filter(v -> Objects.equals(v.getExecutionId(), v.getProcessInstanceId()))
        .map(HistoricVariableInstance::getValue).filter(Number.class::isInstance)
        .map(n -> ((Number) n).intValue()).findFirst().orElse(null);
  }
}
