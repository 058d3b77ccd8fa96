'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { lint } = require('./lint');

const PRODUCT = { productProcesses: [ 'dr-fixture-product' ] };

test('seed-citation accepts a procedure whose elements cite their seed or say why they are derived', async () => {
  assert.deepEqual(await lint('good-procedure.bpmn', 'seed-citation'), []);
});

test('seed-citation reports the process, task, deciding gateway and event that cite no seed, not the joining gateway', async () => {
  const reports = await lint('bad-seed-citation.bpmn', 'seed-citation');
  assert.deepEqual(reports.map(r => r.id).sort(),
    [ 'EndEvent_Done', 'Gateway_Partitioned', 'Task_StopReplicat', 'dr-fixture-procedure' ]);
  assert.match(reports.find(r => r.id === 'Task_StopReplicat').message, /cites no seed source/);
  assert.match(reports.find(r => r.id === 'dr-fixture-procedure').message, /productProcesses/);
});

test('seed-citation accepts a product process that is derived throughout', async () => {
  assert.deepEqual(await lint('good-product.bpmn', 'seed-citation', PRODUCT), []);
});

test('seed-citation treats a process not listed as product process as a procedure that must cite a seed', async () => {
  const reports = await lint('good-product.bpmn', 'seed-citation');
  assert.deepEqual(reports.map(r => r.id), [ 'dr-fixture-product' ]);
});

test('seed-citation reports a product process and element whose documentation does not start with "derived: <why>"', async () => {
  const reports = await lint('bad-product.bpmn', 'seed-citation', PRODUCT);
  assert.deepEqual(reports.map(r => r.id).sort(), [ 'UserTask_Decide', 'dr-fixture-product' ]);
  for (const report of reports) {
    assert.match(report.message, /derived: <why/);
  }
});
