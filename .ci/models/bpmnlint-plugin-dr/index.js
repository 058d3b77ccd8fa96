'use strict';

/**
 * bpmnlint-plugin-dr: the model rules of dr-runbook (STYLE.md, PROCEDURES.md), used by
 * .ci/models/.bpmnlintrc as "dr/<rule>". Each rule is one file in rules/ with its tests in test/.
 */
module.exports = {
  configs: {
    recommended: {
      rules: {
        'seed-citation': 'error',
        'no-literals': 'error',
        'ids': 'error',
        'form-binding': 'error'
      }
    }
  },
  rules: {
    'seed-citation': './rules/seed-citation',
    'no-literals': './rules/no-literals',
    'ids': './rules/ids',
    'form-binding': './rules/form-binding'
  }
};
