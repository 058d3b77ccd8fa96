'use strict';

const { isIP } = require('node:net');
const { is } = require('bpmnlint-utils');
const { flowElements, inputParameters } = require('./helper');

/** a logical host name of the topology: site1.cs-mgmt, site2.gim-ogg, dc2.oceana */
const LOGICAL_HOST = /^(site|dc)\d+\.[a-z0-9][a-z0-9-]*$/;
const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const HOST_NAME = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$/i;
const HOST_AND_PORT = /^(.+):(\d{1,5})$/;
const NUMBER = /(?<![\w.:-])\d{2,5}(?![\w.])/g;
const HOST_INPUT = /host$/i;
const PORT_INPUT = /port$/i;
const PORT_WORD = /(^|[^a-z])port\b/i;
const SECRET_INPUT = /pass(word|wd)?|pwd|secret|credential|token|api-?key/i;
const SECRET_TEXT = /Oceana16|Avaya123|(pass(word|wd)?|pwd)\s*[=:]\s*[^\s${]/i;

/**
 * No host name, IP address, port, URL or password is a literal input value of a service task:
 * hosts, databases, endpoints and DNS records are logical names that the topology resolves
 * (STYLE.md, PROCEDURES.md), and secrets come from the secret configuration. Values are read from
 * camunda:inputParameter text, maps, lists and scripts; an expression (${...}) is left to the run,
 * but the literals written inside it count.
 *
 * The few justified literals are listed in config allow, each with the process, element, input,
 * the literal and its reason: [{ process, element, input, literal, reason }].
 *
 * @param {{ allow?: Array<{ process: string, element: string, input: string, literal: string, reason: string }> }} config
 */
module.exports = function(config = {}) {
  const allow = config.allow || [];
  for (const entry of allow) {
    for (const key of [ 'process', 'element', 'input', 'literal', 'reason' ]) {
      if (typeof entry[key] !== 'string' || !entry[key].trim()) {
        throw new Error(`dr/no-literals: allow entry ${JSON.stringify(entry)} has no ${key}`);
      }
    }
  }

  function allowed(processId, element, input, literal) {
    return allow.some(entry => entry.process === processId && entry.element === element.id
        && entry.input === input && entry.literal === literal);
  }

  function check(node, reporter) {
    if (!is(node, 'bpmn:Process')) {
      return;
    }
    for (const element of flowElements(node)) {
      if (!is(element, 'bpmn:ServiceTask')) {
        continue;
      }
      for (const parameter of inputParameters(element)) {
        for (const text of texts(parameter)) {
          for (const { kind, literal } of literals(parameter.name, text)) {
            if (!allowed(node.id, element, parameter.name, literal)) {
              reporter.report(element.id, `Input ${parameter.name} has a literal ${kind} "${literal}": `
                  + 'use a logical name from the topology or a secret reference '
                  + '(or list it in the allow list of dr/no-literals with its reason)');
            }
          }
        }
      }
    }
  }

  return { check };
};

/** All literal text of an input parameter: its value, map entries, list items, script. */
function texts(parameter) {
  const found = [];
  collect(parameter.value, parameter.definition, found);
  return found;
}

function collect(value, definition, found) {
  if (typeof value === 'string' && value.trim()) {
    found.push(value.trim());
  }
  if (!definition) {
    return;
  }
  if (is(definition, 'camunda:Map')) {
    for (const entry of definition.entries || []) {
      collect(entry.value, entry.definition, found);
    }
  } else if (is(definition, 'camunda:List')) {
    for (const item of definition.items || []) {
      collect(item.value, is(item, 'camunda:Value') ? null : item, found);
    }
  } else if (is(definition, 'camunda:Script')) {
    collect(definition.value, null, found);
  }
}

/** The literals of one value that are addresses, ports or secrets. */
function literals(input, text) {
  const found = [];
  const add = (kind, literal) => {
    if (!found.some(f => f.literal === literal)) {
      found.push({ kind, literal });
    }
  };
  const expression = isExpression(text);
  for (const url of text.match(URL) || []) {
    add('URL', url);
  }
  const plain = withoutExpressions(text).replace(URL, ' ');
  for (const token of tokens(text.replace(URL, ' '))) {
    const hostPort = HOST_AND_PORT.exec(token);
    if (isIP(token)) {
      add('IP address', token);
    } else if (hostPort && (isIP(hostPort[1]) || HOST_NAME.test(hostPort[1]))) {
      add('host and port', token);
    }
  }
  for (const token of tokens(plain)) {
    if (!isIP(token) && HOST_NAME.test(token) && !LOGICAL_HOST.test(token) && !/^\d+(\.\d+)*$/.test(token)) {
      add('host name', token);
    }
  }
  if (HOST_INPUT.test(input) && !expression && !LOGICAL_HOST.test(text)) {
    add('host name', text);
  }
  if (PORT_INPUT.test(input) || PORT_WORD.test(text)) {
    for (const number of text.match(NUMBER) || []) {
      add('port', number);
    }
  }
  if (SECRET_INPUT.test(input) && !expression) {
    add('password', text);
  }
  const secret = SECRET_TEXT.exec(text);
  if (secret) {
    add('password', secret[0]);
  }
  return found;
}

/** the whole value is one expression: ${...} or #{...} */
function isExpression(text) {
  return /^[$#]\{[\s\S]*\}$/.test(text) && withoutExpressions(text).trim() === '';
}

/** text with every ${...} / #{...} (nested braces and quoted strings included) blanked out */
function withoutExpressions(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if ((text[i] === '$' || text[i] === '#') && text[i + 1] === '{') {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}' && --depth === 0) break;
      }
      out += ' ';
      i = j;
    } else {
      out += text[i];
    }
  }
  return out;
}

function tokens(text) {
  return text.split(/[\s,;"'()[\]{}=<>|]+/)
    .map(token => token.replace(/[.:]+$/, ''))
    .filter(Boolean);
}
