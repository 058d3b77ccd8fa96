'use strict';

const { is } = require('bpmnlint-utils');
const { documentation, flowElements } = require('./helper');

/** "seed 001 step 7.2", "seed 000, PROCEDURES A1 step 1", "seed 002 L123" */
const SEED = /\bseed \d{3}\b/;
/** "derived: <why the element exists>" or "derived (issue 5): <why>", at the start */
const DERIVED = /^derived\b[^:\n]{0,80}:\s*\S[\s\S]{9,}/;

/**
 * Every element of a seed procedure with a meaning of its own (tasks of every kind, sub-processes,
 * call activities, events, and gateways that decide or fork: more than one outgoing flow) has
 * documentation that cites its seed source ("seed NNN ...") or starts with "derived: <why>" for a
 * step the seed implies but does not number (PROCEDURES.md). The process itself cites its seed.
 *
 * A product process (config productProcesses: process ids, such as dr-step-failure-decision) has
 * no seed: the process and each such element start their documentation with "derived: <why>".
 * Joining gateways (one outgoing flow) only merge paths and need no documentation.
 *
 * @param {{ productProcesses?: string[] }} config
 */
module.exports = function(config = {}) {
  const productProcesses = new Set(config.productProcesses || []);

  function needsCitation(element) {
    if (is(element, 'bpmn:Gateway')) {
      return (element.outgoing || []).length > 1;
    }
    return is(element, 'bpmn:Activity') || is(element, 'bpmn:Event');
  }

  function check(node, reporter) {
    if (!is(node, 'bpmn:Process')) {
      return;
    }
    const product = productProcesses.has(node.id);
    const own = documentation(node);
    if (product && !DERIVED.test(own)) {
      reporter.report(node.id, 'Product process: documentation must start with "derived: <why it exists>"');
    }
    if (!product && !SEED.test(own)) {
      reporter.report(node.id, 'Procedure documentation cites no seed ("seed NNN ..."); '
          + 'a process without a seed is listed in productProcesses of dr/seed-citation');
    }
    for (const element of flowElements(node)) {
      if (!needsCitation(element)) {
        continue;
      }
      const text = documentation(element);
      if (product ? !DERIVED.test(text) : !(SEED.test(text) || DERIVED.test(text))) {
        reporter.report(element.id, product
          ? 'Element of a product process: documentation must start with "derived: <why>"'
          : 'Documentation cites no seed source ("seed NNN step ...") and does not start with "derived: <why>"');
      }
    }
  }

  return { check };
};
