package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import java.time.Duration;
import java.time.Instant;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** History cleanup is scheduled by the engine itself (batch window), and every model has a time to live. */
@DrillContext
class HistoryCleanupScheduleTest {

  @Autowired HistoryService history;
  @Autowired RepositoryService repository;

  @Test
  void shouldScheduleTheHistoryCleanupWhenTheEngineStarts() {
    // the lab's window is the whole day: the job is due within a day of now
    assertThat(history.findHistoryCleanupJobs()).isNotEmpty()
        .allSatisfy(job -> assertThat(job.getDuedate().toInstant())
            .isBefore(Instant.now().plus(Duration.ofDays(1))));
  }

  @Test
  void shouldGiveEveryDeployedProcedureATimeToLiveWhenItIsCleanedUp() {
    assertThat(repository.createProcessDefinitionQuery().latestVersion().list())
        .filteredOn(definition -> definition.getKey().startsWith("dr-")).isNotEmpty()
        .extracting(ProcessDefinition::getHistoryTimeToLive).doesNotContainNull();
  }
}
