'use strict';

// Test helper: lints one fixture with one rule of this plugin (and its config), as bpmnlint does,
// with the Camunda moddle extension that .ci/models/.bpmnlintrc loads.

const { readFileSync } = require('node:fs');
const path = require('node:path');
const { Linter } = require('bpmnlint');
const { BpmnModdle } = require('bpmn-moddle');
const camunda = require('camunda-bpmn-moddle/resources/camunda.json');

const resolver = {
  resolveRule(pkg, ruleName) {
    if (pkg !== 'bpmnlint-plugin-dr') {
      throw new Error(`unexpected rule package ${pkg}`);
    }
    return require(`../rules/${ruleName}`);
  },
  resolveConfig(pkg, configName) {
    throw new Error(`no config ${pkg}/${configName} in rule tests`);
  }
};

/**
 * The reports of rule dr/<rule> for fixture <name> (in test/fixtures), each { id, message }.
 */
async function lint(name, rule, config) {
  const xml = readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
  const { rootElement, warnings } = await new BpmnModdle({ camunda }).fromXML(xml, 'bpmn:Definitions');
  if (warnings.length) {
    throw new Error(`fixture ${name} does not parse cleanly: ${warnings.map(w => w.message).join('; ')}`);
  }
  const ruleName = `dr/${rule}`;
  const linter = new Linter({ resolver });
  const results = await linter.lint(rootElement, {
    rules: { [ruleName]: config ? [ 'error', config ] : 'error' }
  });
  return (results[ruleName] || []).map(({ id, message }) => ({ id, message }));
}

module.exports = { lint };
