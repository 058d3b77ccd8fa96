'use strict';

// The model checks as .ci/models/check runs them: bpmnlint with the shipped .bpmnlintrc and the
// element templates validator, each passing a good input and failing (exit code 1, the problem
// named in the output) on a bad one.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const MODELS = path.join(__dirname, '..');
const PLUGIN_FIXTURES = path.join(MODELS, 'bpmnlint-plugin-dr', 'test', 'fixtures');
const TEMPLATES = path.join(__dirname, 'fixtures', 'element-templates');

function run(script, args) {
  const result = spawnSync(process.execPath, [ script, ...args ], { cwd: MODELS, encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}

function bpmnlint(file) {
  return run(path.join(MODELS, 'node_modules', 'bpmnlint', 'bin', 'bpmnlint.js'), [ '--max-warnings=0', file ]);
}

function templates(...files) {
  return run(path.join(MODELS, 'validate-templates.js'), files.map(file => path.join(TEMPLATES, file)));
}

test('bpmnlint with the shipped configuration passes a model that follows every rule', () => {
  const { status, output } = bpmnlint(path.join(PLUGIN_FIXTURES, 'good-procedure.bpmn'));
  assert.equal(status, 0, output);
});

for (const [ fixture, rule ] of [
  [ 'bad-seed-citation.bpmn', 'dr/seed-citation' ],
  [ 'bad-no-literals.bpmn', 'dr/no-literals' ],
  [ 'bad-ids.bpmn', 'dr/ids' ],
  [ 'bad-form-binding.bpmn', 'dr/form-binding' ]
]) {
  test(`bpmnlint with the shipped configuration fails on ${fixture} with ${rule}`, () => {
    const { status, output } = bpmnlint(path.join(PLUGIN_FIXTURES, fixture));
    assert.equal(status, 1, output);
    assert.match(output, new RegExp(`error .* ${rule.replace('/', '\\/')}`));
  });
}

test('bpmnlint with the shipped configuration fails on a process without historyTimeToLive (Camunda 7.24 as error)', () => {
  const { status, output } = bpmnlint(path.join(__dirname, 'fixtures', 'no-history-time-to-live.bpmn'));
  assert.equal(status, 1, output);
  assert.match(output, /error .* camunda-compat\/history-time-to-live/);
});

test('the element templates validator passes a valid Camunda 7 template', () => {
  const { status, output } = templates('good-ssh-command.json');
  assert.equal(status, 0, output);
  assert.match(output, /1 files, 1 templates, 0 problems/);
});

test('the element templates validator fails on an invalid template and names each problem with its line', () => {
  const { status, output } = templates('good-ssh-command.json', 'bad-ssh-command.json');
  assert.equal(status, 1, output);
  assert.match(output, /bad-ssh-command\.json:1: missing template name/);
  assert.match(output, /bad-ssh-command\.json:4: invalid item for "appliesTo"/);
  assert.match(output, /bad-ssh-command\.json:6: property\.binding "camunda:inputParameter" requires name/);
  assert.doesNotMatch(output, /good-ssh-command\.json:/);
});

test('the element templates validator fails when two templates share id and version', () => {
  const { status, output } = templates('good-ssh-command.json', 'good-ssh-command.json');
  assert.equal(status, 1, output);
  assert.match(output, /template io\.drrunbook\.fixture\.ssh-exec@1 is also defined in/);
});
