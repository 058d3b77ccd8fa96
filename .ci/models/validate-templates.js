#!/usr/bin/env node
'use strict';

// Validates Camunda 7 element templates (connectors/element-templates/*.json) with
// @bpmn-io/element-templates-validator: each file against the Camunda 7 element templates JSON
// schema, and no two templates with the same id and version. Prints one line per problem
// (file:line: message) and exits 1 when there is any.
// usage: node validate-templates.js FILE.json...

const { readFileSync } = require('node:fs');
const { validate } = require('@bpmn-io/element-templates-validator');

function problemsOf(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
    JSON.parse(text);
  } catch (error) {
    return { problems: [ `${file}: ${error.message}` ], templates: [] };
  }
  const { valid, errors, object } = validate(text);
  const problems = valid ? [] : errors.map(error => {
    const line = error.dataPointer && error.dataPointer.value ? error.dataPointer.value.line + 1 : 1;
    const path = error.dataPath || error.instancePath || '';
    return `${file}:${line}: ${error.message}${path ? ` (at ${path})` : ''}`;
  });
  const templates = Array.isArray(object) ? object : [ object ];
  return { problems, templates };
}

function main(files) {
  if (files.length === 0) {
    console.error('validate-templates: no element template files given');
    return 2;
  }
  const problems = [];
  const seen = new Map();
  for (const file of files) {
    const result = problemsOf(file);
    problems.push(...result.problems);
    for (const template of result.templates) {
      if (!template || typeof template !== 'object') {
        continue;
      }
      const key = `${template.id}@${template.version === undefined ? '-' : template.version}`;
      if (seen.has(key)) {
        problems.push(`${file}: template ${key} is also defined in ${seen.get(key)}`);
      } else {
        seen.set(key, file);
      }
    }
  }
  for (const problem of problems) {
    console.error(problem);
  }
  console.log(`element templates: ${files.length} files, ${seen.size} templates, ${problems.length} problems`);
  return problems.length ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}

module.exports = { main, problemsOf };
