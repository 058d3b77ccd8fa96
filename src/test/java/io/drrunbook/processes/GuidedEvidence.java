package io.drrunbook.processes;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a person submits on a guided manual step (forms/form-guided-step.form), for tests. */
final class GuidedEvidence {

  private GuidedEvidence() {}

  /** The screen value and the typed evidence (null: none), done at a fixed time, with a note. */
  static Map<String, Object> of(String screenValue, String evidenceValue) {
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("screenValue", screenValue);
    variables.put("evidenceValue", evidenceValue);
    variables.put("doneAt", "2026-12-03T17:00:00Z");
    variables.put("evidenceNote", "drill");
    return variables;
  }
}
