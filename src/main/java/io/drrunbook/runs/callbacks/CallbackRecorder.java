package io.drrunbook.runs.callbacks;

import io.drrunbook.common.SecretMasker;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Turns what happened in a run into outbox rows, one per ticket system that wants the event: called
 * by the engine listeners of {@link CallbackEnginePlugin} inside the engine transaction, so it only
 * writes rows and never sends. A run without a {@code ticketSystem} variable (started from Tasklist,
 * or by a plain engine REST call) has no ticket to write to: nothing is recorded.
 */
@Component
public class CallbackRecorder {

  /** Process variables the runs API sets when it starts a run for a ticket. */
  public static final String TICKET_SYSTEM = "ticketSystem";
  public static final String TICKET_ID = "ticketId";
  public static final String TICKET_URL = "ticketUrl";

  private static final Logger log = LoggerFactory.getLogger(CallbackRecorder.class);
  private static final int MESSAGE_LIMIT = 1000;

  /** The run an event belongs to, as read from the engine. */
  public record Run(String processInstanceId, String procedure, String procedureName,
      String businessKey, String ticketSystem, String ticketId, String ticketUrl) {}

  private final CallbackOutbox outbox;
  private final CallbackSystems systems;
  private final CallbackProperties properties;
  private final SecretMasker masker;
  private final CallbackDeliveryWorker worker;

  public CallbackRecorder(CallbackOutbox outbox, CallbackSystems systems,
      CallbackProperties properties, SecretMasker masker, CallbackDeliveryWorker worker) {
    this.outbox = outbox;
    this.systems = systems;
    this.properties = properties;
    this.masker = masker;
    this.worker = worker;
  }

  public void runStarted(Run run) {
    record(CallbackEvent.RUN_STARTED, run, "RUNNING",
        "Run started: " + nonNull(run.procedureName(), run.procedure()), Map.of());
  }

  public void waitingForManualStep(Run run, String stepId, String stepName,
      Collection<String> candidateGroups) {
    String groups = String.join(", ", candidateGroups);
    record(CallbackEvent.WAITING_FOR_MANUAL_STEP, run, "WAITING",
        "Waiting for the manual step '" + nonNull(stepName, stepId) + "'"
            + (groups.isEmpty() ? "" : " (for " + groups + ")"),
        Map.of("step", nonNull(stepId, ""), "stepName", nonNull(stepName, stepId),
            "waitingFor", nonNull(stepName, stepId), "candidateGroups", groups));
  }

  public void stepFailed(Run run, String stepId, String stepName, String incidentMessage) {
    String message = masker.mask(nonNull(incidentMessage, "no message"));
    record(CallbackEvent.STEP_FAILED, run, "INCIDENT",
        "Step '" + nonNull(stepName, stepId) + "' failed: " + message,
        Map.of("step", nonNull(stepId, ""), "stepName", nonNull(stepName, stepId)));
  }

  public void runEnded(Run run, boolean cancelled, String reason) {
    if (cancelled) {
      record(CallbackEvent.RUN_CANCELLED, run, "CANCELLED", "Run cancelled"
          + (reason == null || reason.isBlank() ? "" : ": " + masker.mask(reason)), Map.of());
    } else {
      record(CallbackEvent.RUN_COMPLETED, run, "COMPLETED", "Run completed", Map.of());
    }
  }

  private void record(CallbackEvent event, Run run, String state, String message,
      Map<String, String> extra) {
    if (run.ticketSystem() == null || run.ticketSystem().isBlank()) {
      return;
    }
    if (systems.get(run.ticketSystem()).isEmpty()) {
      log.warn("run {} names ticket system '{}', which has no callback configuration"
          + " (dr.callbacks.systems): no {} callback", run.processInstanceId(),
          run.ticketSystem(), event.id());
      return;
    }
    if (!systems.wants(run.ticketSystem(), event)) {
      return;
    }
    Map<String, String> values = new LinkedHashMap<>();
    values.put("event", event.id());
    values.put("procedure", nonNull(run.procedure(), ""));
    values.put("procedureName", nonNull(run.procedureName(), nonNull(run.procedure(), "")));
    values.put("runId", run.processInstanceId());
    values.put("businessKey", nonNull(run.businessKey(), ""));
    values.put("ticketSystem", run.ticketSystem());
    String ticketId = nonNull(run.ticketId(), nonNull(run.businessKey(), ""));
    values.put("ticketId", ticketId);
    values.put("ticketUrl", nonNull(run.ticketUrl(), ""));
    values.put("step", "");
    values.put("stepName", "");
    values.put("waitingFor", "");
    values.put("candidateGroups", "");
    values.putAll(extra);
    values.put("message", bounded(message));
    values.put("state", state);
    values.put("runUrl", CallbackTemplates.url(properties.getRunUrlTemplate(),
        Map.of("runId", run.processInstanceId())));
    // the report is the run's record once it has ended: completed and cancelled events link it
    values.put("reportUrl", event == CallbackEvent.RUN_COMPLETED || event == CallbackEvent.RUN_CANCELLED
        ? CallbackTemplates.url(properties.getReportUrlTemplate(), Map.of("runId", run.processInstanceId()))
        : "");
    values.put("time", Instant.now().toString());
    outbox.enqueue(run.processInstanceId(), run.ticketSystem(), ticketId, event, values);
    wakeWorkerAfterCommit();
  }

  private void wakeWorkerAfterCommit() {
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          worker.wakeUp();
        }
      });
    } else {
      worker.wakeUp();
    }
  }

  private static String bounded(String text) {
    return text.length() <= MESSAGE_LIMIT ? text : text.substring(0, MESSAGE_LIMIT) + "...";
  }

  private static String nonNull(String value, String fallback) {
    return value == null ? fallback : value;
  }
}
