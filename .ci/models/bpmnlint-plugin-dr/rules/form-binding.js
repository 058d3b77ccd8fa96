'use strict';

const { isAny } = require('bpmnlint-utils');

/**
 * A user task or start event binds its Camunda Form with camunda:formRef and
 * camunda:formRefBinding="deployment", so a run keeps the forms of the deployment it started with
 * (the application deploys processes and forms together). "latest" would change the form of runs in
 * flight; "version" pins a number that the next deployment invalidates; camunda:formKey is not used.
 */
module.exports = function() {
  function check(node, reporter) {
    if (!isAny(node, [ 'bpmn:UserTask', 'bpmn:StartEvent' ])) {
      return;
    }
    const formRef = node.get('camunda:formRef');
    const binding = node.get('camunda:formRefBinding');
    if (formRef && binding !== 'deployment') {
      reporter.report(node.id, `Form ${formRef} is bound "${binding || 'latest'}": use camunda:formRefBinding="deployment"`);
    }
    if (node.get('camunda:formKey')) {
      reporter.report(node.id, 'camunda:formKey: reference a Camunda Form with camunda:formRef and camunda:formRefBinding="deployment"');
    }
  }

  return { check };
};
