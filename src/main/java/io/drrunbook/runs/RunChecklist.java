package io.drrunbook.runs;

import io.drrunbook.runs.RunViews.RunDetail;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.Activity;
import org.camunda.bpm.model.bpmn.instance.FlowElement;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.StartEvent;
import org.camunda.bpm.model.bpmn.instance.SubProcess;
import org.springframework.stereotype.Component;

/**
 * The printable checklist of a run in progress, for when the orchestrator itself cannot be reached:
 * what is done (who, when), what is in hand now (running steps, manual tasks and who may do them,
 * failed steps), and what comes next, in the model's order, to be ticked off on paper.
 */
@Component
public class RunChecklist {

  /** One step not yet reached, and the sub-process it belongs to (null at the top level). */
  record NextStep(String activityId, String name, String within) {}

  /** Everything the page shows, read at one moment. */
  record Checklist(RunReport report, RunDetail detail, List<NextStep> next, Instant printedAt) {}

  private final RunReportService reports;
  private final RunReader runs;
  private final HistoryService history;
  private final RepositoryService repository;
  private final Clock clock = Clock.systemUTC();

  public RunChecklist(RunReportService reports, RunReader runs, HistoryService history,
      RepositoryService repository) {
    this.reports = reports;
    this.runs = runs;
    this.history = history;
    this.repository = repository;
  }

  /** The checklist of run {@code id} (404 as the report answers it for a run the caller may not read). */
  public Checklist checklist(String id, String baseUrl) {
    RunReport report = reports.report(id, baseUrl);
    RunDetail detail = runs.detail(id, baseUrl);
    Set<String> reached = new HashSet<>();
    report.steps().forEach(step -> reached.add(step.activityId()));
    String definition = history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult()
        .getProcessDefinitionId();
    return new Checklist(report, detail, next(repository.getBpmnModelInstance(definition), reached),
        clock.instant());
  }

  /**
   * The steps (tasks and call activities) the run has not reached, in the order the model's
   * sequence flows reach them from its start (breadth first, sub-processes entered where they stand;
   * paths of boundary and event sub-processes left out: they are the exceptions).
   */
  static List<NextStep> next(BpmnModelInstance model, Set<String> reached) {
    Process process = model.getModelElementsByType(Process.class).stream()
        .filter(Process::isExecutable).findFirst().orElseThrow();
    Set<String> seen = new LinkedHashSet<>();
    List<NextStep> next = new ArrayList<>();
    Deque<FlowNode> queue = new ArrayDeque<>(starts(process.getFlowElements()));
    while (!queue.isEmpty()) {
      FlowNode node = queue.removeFirst();
      if (!seen.add(node.getId())) {
        continue;
      }
      if (node instanceof SubProcess sub && !sub.triggeredByEvent()) {
        queue.addAll(starts(sub.getFlowElements()));
      } else if (node instanceof Activity && !reached.contains(node.getId())) {
        String within = node.getParentElement() instanceof SubProcess parent
            ? (parent.getName() == null ? parent.getId() : parent.getName()) : null;
        next.add(new NextStep(node.getId(), node.getName() == null ? node.getId() : node.getName(), within));
      }
      for (SequenceFlow flow : node.getOutgoing()) {
        queue.addLast(flow.getTarget());
      }
    }
    return next;
  }

  private static List<FlowNode> starts(java.util.Collection<FlowElement> elements) {
    return elements.stream().filter(StartEvent.class::isInstance).map(FlowNode.class::cast)
        .filter(start -> !(start.getParentElement() instanceof SubProcess sub) || !sub.triggeredByEvent())
        .toList();
  }
}
