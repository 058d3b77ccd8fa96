package io.drrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.Test;

/**
 * Which inputs of a step come from one run variable (re-read from the run at each attempt): a
 * constant of the expression language ({@code ${true}}) is none, or a step given {@code preview
 * ${true}} would run with the value of a run variable named "true" (null: the edit written, not
 * previewed).
 */
class ProcessModelsTest {

  @Test
  void shouldTakeOnlyRunVariablesAsSourcesWhenAnInputIsAnExpressionConstant() {
    BpmnModelInstance model = Bpmn.createExecutableProcess("p").startEvent()
        .serviceTask("Task_Step").camundaExternalTask("dr-step")
        .camundaInputParameter("scn", "${exportScn}")
        .camundaInputParameter("host", "${ edgeProxy }")
        .camundaInputParameter("preview", "${true}")
        .camundaInputParameter("dryRun", "${false}")
        .camundaInputParameter("nothing", "${null}")
        .camundaInputParameter("count", "${retries + 1}")
        .camundaInputParameter("route", "file-edit")
        .endEvent().done();

    assertThat(ProcessModels.inputSources(model, "Task_Step"))
        .containsExactly(java.util.Map.entry("scn", "exportScn"), java.util.Map.entry("host", "edgeProxy"));
  }
}
