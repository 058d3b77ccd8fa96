package io.drrunbook.approval;

import io.drrunbook.core.ProcedureCatalog;
import io.drrunbook.core.ProcedureSpec;
import io.drrunbook.core.RunVariables;
import io.drrunbook.engine.StepFailureDecisions;
import java.util.Optional;
import java.util.function.Supplier;
import org.camunda.bpm.engine.ProcessEngineServices;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.engine.runtime.ProcessInstance;

/**
 * On {@code create} of every user task (attached by {@link ApprovalParseListener}): the task says
 * which run it belongs to, wherever a person meets it. Its name ends with the run's ticket (Tasklist's
 * list shows the name), its description names the procedure, the ticket and the run's status, report
 * and Cockpit pages, and the task-local variable {@value #VARIABLE} holds the same as Markdown with
 * links for the header every form shows ({@code {{taskContext}}}, the first text element of each form
 * in {@code forms/}). For a failed step's decision task the run is the one whose step failed
 * ({@code runId}), not the decision's own small process.
 */
class TaskContext implements TaskListener {

  /** The task-local variable the forms' header shows. */
  static final String VARIABLE = "taskContext";
  static final String SEPARATOR = " · ";
  static final int MAX_NAME = 255;

  private final Supplier<ProcedureCatalog> catalog;

  TaskContext(Supplier<ProcedureCatalog> catalog) {
    this.catalog = catalog;
  }

  @Override
  public void notify(DelegateTask task) {
    ProcessEngineServices engine = task.getProcessEngineServices();
    Object decisionOf = task.getVariable(StepFailureDecisions.RUN_ID);
    String runId;
    String definitionId;
    String businessKey;
    Object system;
    Object number;
    if (decisionOf instanceof String id) {
      ProcessInstance run = engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(id).singleResult();
      if (run == null) {
        return;
      }
      runId = id;
      definitionId = run.getProcessDefinitionId();
      businessKey = run.getBusinessKey();
      system = engine.getRuntimeService().getVariable(id, RunVariables.TICKET_SYSTEM);
      number = engine.getRuntimeService().getVariable(id, RunVariables.TICKET_ID);
    } else if (task.getExecution() == null) {
      return;
    } else {
      // the task's own run, read from its execution: a task created in the transaction that starts
      // the run (a procedure's first task) finds no run in a query yet
      runId = task.getProcessInstanceId();
      definitionId = task.getProcessDefinitionId();
      businessKey = task.getExecution().getProcessBusinessKey();
      system = task.getExecution().getVariable(RunVariables.TICKET_SYSTEM);
      number = task.getExecution().getVariable(RunVariables.TICKET_ID);
    }
    ProcessDefinition definition = engine.getRepositoryService().getProcessDefinition(definitionId);
    Optional<ProcedureSpec> spec = catalog.get().find(definition.getKey());
    String procedure = spec.map(s -> s.getCatalogId() + " " + s.getTitle())
        .orElse(definition.getName() == null ? definition.getKey() : definition.getName());
    String ticketId = number instanceof String id ? id : businessKey;
    String ticket = ticketId == null ? "no ticket"
        : (system instanceof String s ? s + " " : "") + ticketId;

    if (ticketId != null && task.getName() != null) {
      String name = task.getName() + SEPARATOR + ticketId;
      task.setName(name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name);
    }
    String status = "/api/runs/" + runId;
    String cockpit = "/camunda/app/cockpit/default/#/process-instance/" + runId + "/runtime";
    task.setDescription("Procedure: " + procedure + SEPARATOR + "Ticket: " + ticket + SEPARATOR
        + "Run " + runId + ": status " + status + ", report " + status + "/report.html, checklist " + status
        + "/checklist.html, Cockpit " + cockpit);
    task.setVariableLocal(VARIABLE, "**" + markdown(procedure) + "**" + SEPARATOR + "Ticket **"
        + markdown(ticket) + "**" + SEPARATOR + "Run [" + runId + "](" + cockpit + ") (Cockpit)" + SEPARATOR
        + "[status](" + status + ")" + SEPARATOR + "[report](" + status + "/report.html)" + SEPARATOR
        + "[printable checklist](" + status + "/checklist.html)");
  }

  /** Text shown as itself in Markdown: the characters Markdown would read as markup escaped. */
  static String markdown(String text) {
    return text.replaceAll("([\\\\`*_{}\\[\\]()<>#+!|~-])", "\\\\$1");
  }
}
