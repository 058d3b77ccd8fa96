'use strict';

const { is } = require('bpmnlint-utils');

/** The text of all bpmn:documentation of an element, joined by a blank line. */
function documentation(element) {
  return (element.documentation || []).map(doc => doc.text || '').join('\n\n').trim();
}

/**
 * Every flow element of a process or sub-process, depth first, with the sub-processes'
 * own flow elements (a call activity's called process is linted in its own file).
 */
function flowElements(container) {
  const found = [];
  for (const element of container.flowElements || []) {
    found.push(element);
    if (is(element, 'bpmn:SubProcess')) {
      found.push(...flowElements(element));
    }
  }
  return found;
}

/** The camunda:InputParameter elements of an element's camunda:inputOutput. */
function inputParameters(element) {
  const values = (element.extensionElements && element.extensionElements.values) || [];
  return values
    .filter(value => is(value, 'camunda:InputOutput'))
    .flatMap(io => io.inputParameters || []);
}

module.exports = { documentation, flowElements, inputParameters };
