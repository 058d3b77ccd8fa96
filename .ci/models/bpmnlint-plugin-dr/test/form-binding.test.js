'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { lint } = require('./lint');

test('form-binding accepts forms bound to the deployment', async () => {
  assert.deepEqual(await lint('good-procedure.bpmn', 'form-binding'), []);
  assert.deepEqual(await lint('good-product.bpmn', 'form-binding'), []);
});

test('form-binding reports a form bound to the latest version and a form key', async () => {
  const reports = await lint('bad-form-binding.bpmn', 'form-binding');
  assert.deepEqual(reports, [
    { id: 'StartEvent_Requested', message: 'camunda:formKey: reference a Camunda Form with camunda:formRef and camunda:formRefBinding="deployment"' },
    { id: 'UserTask_ConfirmMaintained', message: 'Form form-confirm-maintained is bound "latest": use camunda:formRefBinding="deployment"' }
  ]);
});
