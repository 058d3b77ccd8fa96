package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.HistoryService;
import org.slf4j.LoggerFactory;

/**
 * What a drill test searches for secrets: the application's log lines while it runs (captured from
 * the root logger between {@link #start} and {@link #stop}) and every variable of the runs of given
 * tickets, as "name=value" texts.
 */
final class DrillLogs {

  /** A dgmgrl connect string with a password, as the seed prints it ({@code sys/<password>@<db>}). */
  private static final Pattern CONNECT_STRING = Pattern.compile("(?i)\\bsys/[^\\s/@]+@");

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  void start() {
    logs.start();
    root().addAppender(logs);
  }

  void stop() {
    root().detachAppender(logs);
  }

  /** The log lines so far and the variables (history) of every run of the tickets. */
  List<String> texts(HistoryService history, String... tickets) {
    List<String> texts = new ArrayList<>();
    logs.list.forEach(event -> texts.add(event.getFormattedMessage()));
    for (String ticket : tickets) {
      history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(ticket).list()
          .forEach(run -> history.createHistoricVariableInstanceQuery().processInstanceId(run.getId())
              .list().forEach(variable -> texts.add(variable.getName() + "=" + variable.getValue())));
    }
    return texts;
  }

  /**
   * No seed password (SeedSecretsTest, both of seed 002's {@code sys} defaults included) nor a
   * "user/password@db" connect string in the log so far or the runs' variables.
   */
  void assertNoSeedSecret(HistoryService history, String... tickets) {
    assertThat(texts(history, tickets)).as("log lines and variables of the runs").hasSizeGreaterThan(tickets.length)
        .noneMatch(text -> SeedSecretsTest.SEED_PASSWORDS.stream().anyMatch(text::contains))
        .noneMatch(text -> CONNECT_STRING.matcher(text).find());
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
