'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { lint } = require('./lint');

const ALLOW_PORT = {
  process: 'dr-fixture-allowed',
  element: 'Task_StopReplicat',
  input: 'commandLine',
  literal: '2020',
  reason: 'the Genesys default Configuration Server port when the run gives none'
};

test('no-literals accepts logical names, expressions and topology placeholders', async () => {
  assert.deepEqual(await lint('good-procedure.bpmn', 'no-literals'), []);
});

test('no-literals reports every literal host, IP address, port, URL and password of a service task', async () => {
  const reports = await lint('bad-no-literals.bpmn', 'no-literals');
  assert.ok(reports.every(r => r.id === 'Task_StopReplicat'));
  const found = reports.map(r => /^Input (\S+) has a literal (.+) "(.+)":/.exec(r.message).slice(1, 4).join(' | ')).sort();
  assert.deepEqual(found, [
    'address | IP address | 10.20.30.40',
    'databasePort | port | 1521',
    'host | host name | gim02',
    'jdbc | host and port | db01.corp:1521',
    'password | password | Oceana16',
    'proxies | IP address | fd00::10',
    'targetHost | host name | ogg.site2.example.com',
    'targets | URL | https://gim-admin.example.com/api'
  ]);
});

test('no-literals reports a literal port inside an expression of a command line', async () => {
  const reports = await lint('literals-allowed.bpmn', 'no-literals');
  assert.deepEqual(reports.map(r => r.message.slice(0, 43)), [ 'Input commandLine has a literal port "2020"' ]);
});

test('no-literals accepts a literal that the allow list names with its reason', async () => {
  assert.deepEqual(await lint('literals-allowed.bpmn', 'no-literals', { allow: [ ALLOW_PORT ] }), []);
});

test('no-literals keeps reporting a literal that the allow list names for another element', async () => {
  const reports = await lint('literals-allowed.bpmn', 'no-literals',
    { allow: [ { ...ALLOW_PORT, element: 'Task_Other' } ] });
  assert.equal(reports.length, 1);
});

test('no-literals refuses an allow list entry without a reason', async () => {
  const { reason, ...withoutReason } = ALLOW_PORT;
  assert.ok(reason);
  await assert.rejects(lint('literals-allowed.bpmn', 'no-literals', { allow: [ withoutReason ] }), /has no reason/);
});
