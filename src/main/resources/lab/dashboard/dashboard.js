// The drill lab dashboard: polls GET /lab/api/state every second and re-renders when its version
// changes; injects and removes faults (/lab/api/faults), takes sites down and back
// (/lab/api/sites/{site}/down|up) and resets the lab (/lab/api/reset).
// Every text from the server is inserted as a text node (never as HTML).
'use strict';

(function () {
  const POLL_INTERVAL_MS = 1000;
  const COMMANDS_SHOWN = 5;
  /** The logical name of the lab's DNS server (a fault target); the state view lists its records. */
  const DNS_SERVER = 'lab-dns';

  /** Set once per page load: a test reads it back to prove the page was never reloaded. */
  window.labDashboardLoadId = Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);

  /** Which parameters each fault type takes, and which targets suit it (see the lab's fault contract). */
  const FAULT_TYPES = {
    'unreachable': { params: [], targets: ['hosts', 'dns'], hint: 'port closed: connection refused' },
    'host-key-changed': { params: [], targets: ['hosts'], hint: 'the host serves a different host key' },
    'command-fails': { params: ['exitCode', 'stdout', 'stderr', 'command'], targets: ['hosts'],
      hint: 'matching commands return exitCode (required); state untouched' },
    'command-hangs': { params: ['command'], targets: ['hosts'], hint: 'matching commands never answer' },
    'slow': { params: ['delay', 'command'], targets: ['hosts'], hint: 'each command answers after delay (ISO-8601, e.g. PT5S)' },
    'replication-lag': { params: ['seconds'], targets: ['replication'], hint: 'the direction reports this lag' },
    'dns-refuse-updates': { params: [], targets: ['dns'], hint: 'updates answered REFUSED' },
    'dns-servfail': { params: [], targets: ['dns'], hint: 'every query answered SERVFAIL' },
    'http-error': { params: ['status', 'command'], targets: [], hint: 'HTTP endpoint site1.<name>; status 500-599; command: regex on "METHOD /path"' },
    'soap-fault': { params: ['stdout', 'command'], targets: [], hint: 'HTTP endpoint site1.<name>; stdout: faultstring; command: regex on SOAPAction' }
  };
  const NUMBER_PARAMS = ['exitCode', 'seconds', 'status'];
  const ALL_PARAMS = ['exitCode', 'delay', 'seconds', 'status', 'command', 'stdout', 'stderr'];

  let lastVersion = null;
  let lastState = null;
  let lastSuccess = null;
  let pollTimer = null;

  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ DOM helpers (text only)

  /**
   * Creates an element. attrs: class, title, data-* and other plain attributes (values set with
   * setAttribute, so never parsed as HTML); children: nodes, strings (text nodes), null (skipped).
   */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [key, value] of Object.entries(attrs)) {
        if (value === null || value === undefined || value === false) continue;
        if (key === 'class') node.className = value;
        else node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children) {
      if (child === null || child === undefined) continue;
      if (Array.isArray(child)) append(node, child);
      else node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  function text(value) {
    return value === null || value === undefined || value === '' ? '—' : String(value);
  }

  function clock(date) {
    const pad = (n) => String(n).padStart(2, '0');
    return pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds());
  }

  function timeOf(iso) {
    const date = new Date(iso);
    return isNaN(date.getTime()) ? text(iso) : clock(date);
  }

  /** A state as a coloured pill: RUNNING, STOPPED, normal, limited, PRIMARY, OPEN, ... */
  function pill(state) {
    const value = text(state);
    return el('span', { class: 'pill pill-' + value.toLowerCase().replace(/[^a-z0-9]+/g, '-') }, value);
  }

  /** The API's URL without any user:password@ of the page's address (fetch refuses those). */
  function api(path) {
    return window.location.origin + '/lab/api/' + path;
  }

  // ------------------------------------------------------------------ polling

  async function poll() {
    try {
      const response = await fetch(api('state'), {
        cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' }
      });
      if (!response.ok) {
        throw new Error('GET /lab/api/state answered ' + response.status
            + (response.status === 401 ? ' (log in again: reload the page)' : ''));
      }
      const state = await response.json();
      lastSuccess = new Date();
      connected();
      if (state.version !== lastVersion) {
        lastVersion = state.version;
        lastState = state;
        render(state);
      }
    } catch (error) {
      disconnected(error);
    } finally {
      pollTimer = window.setTimeout(poll, POLL_INTERVAL_MS);
    }
  }

  /** Polls now (after an action) instead of waiting for the next tick. */
  function pollNow() {
    window.clearTimeout(pollTimer);
    poll();
  }

  function connected() {
    $('connection-lost').hidden = true;
    $('main').classList.remove('stale');
    const live = $('live');
    live.dataset.state = 'live';
    live.textContent = 'live';
    $('updated').textContent = 'updated ' + clock(lastSuccess);
  }

  function disconnected(error) {
    $('connection-lost').hidden = false;
    $('main').classList.add('stale');
    const live = $('live');
    live.dataset.state = 'lost';
    live.textContent = 'connection lost';
    const since = lastSuccess ? 'Showing the state of ' + clock(lastSuccess) + '. ' : '';
    const reason = error && error.message ? error.message : String(error);
    $('connection-lost-detail').textContent = since + 'Retrying every second (' + reason + ').';
  }

  // ------------------------------------------------------------------ rendering

  function render(state) {
    const faults = Array.isArray(state.faults) ? state.faults : [];
    const faultsByTarget = new Map();
    for (const fault of faults) {
      if (!faultsByTarget.has(fault.target)) faultsByTarget.set(fault.target, []);
      faultsByTarget.get(fault.target).push(fault);
    }
    const hostsByAddress = new Map();
    const siteTitles = new Map();
    for (const site of state.sites || []) {
      siteTitles.set(site.id, site.title);
      // an HTTP endpoint's address is its URL's (127.0.0.1 in the lab): it names no A record
      for (const host of site.hosts || []) {
        if (host.address !== '127.0.0.1') hostsByAddress.set(host.address, host.name);
      }
    }

    $('version').textContent = 'v' + state.version;
    $('version').title = 'view version (changes whenever the lab changes); taken ' + text(state.takenAt);
    $('sites').replaceChildren(...(state.sites || []).map((site) => renderSite(site, faultsByTarget)));
    $('replication').replaceChildren(renderReplication(state.replication || [], siteTitles, faultsByTarget));
    $('dns').replaceChildren(renderDns(state.dns, hostsByAddress, faultsByTarget));
    $('faults').replaceChildren(renderFaults(faults));
    $('fault-count').textContent = String(faults.length);
    $('fault-count').classList.toggle('count-active', faults.length > 0);
    updateTargets();
  }

  function renderSite(site, faultsByTarget) {
    const down = site.down || null;
    const toggle = el('button', { type: 'button', class: 'site-toggle', 'data-site-action': down ? 'up' : 'down' },
      down ? 'Bring site back' : 'Take site down');
    toggle.addEventListener('click', () => siteAction(site, down ? 'up' : 'down', toggle));
    return el('section', { class: 'site' + (down ? ' site-down' : ''), 'data-site': site.id },
      el('h2', { class: 'site-title' }, site.title, ' ', el('span', { class: 'subtle' }, site.id), ' ', toggle),
      down ? el('p', { class: 'site-down-banner', 'data-site-down': site.id },
        'DOWN since ' + text(down.since) + ' (' + text(down.by) + '): hosts unreachable, services stopped, databases lost') : null,
      renderDatabases(site.databases || []),
      el('div', { class: 'hosts' }, (site.hosts || []).map((host) => renderHost(host, faultsByTarget.get(host.name) || []))));
  }

  function renderDatabases(databases) {
    if (databases.length === 0) return null;
    return el('table', { class: 'grid databases' },
      el('thead', null, el('tr', null, el('th', null, 'Database'), el('th', null, 'Role'), el('th', null, 'Access'),
        el('th', { title: 'V$DATABASE CURRENT_SCN now: the export SCN to give when you export this Info Mart database now (B2)' }, 'Current SCN'))),
      el('tbody', null, databases.map((db) => el('tr', { 'data-database': db.name },
        el('td', { class: 'mono' }, db.name),
        el('td', null, pill(db.role)),
        el('td', null, pill(db.access)),
        el('td', { class: 'mono current-scn' }, db.currentScn == null ? '' : String(db.currentScn))))));
  }

  function renderHost(host, faults) {
    const faulty = faults.length > 0;
    return el('article', { class: 'host' + (faulty ? ' host-fault' : ''), 'data-host': host.name },
      el('header', { class: 'host-head' },
        el('span', { class: 'host-name mono' }, host.name),
        el('span', { class: 'role' }, text(host.role)),
        el('span', { class: 'address mono' }, text(host.address)),
        faulty ? el('span', { class: 'fault-badges' }, faults.map((f) => el('span', { class: 'fault-badge', title: 'fault ' + f.id }, f.type))) : null),
      renderComponents(host.components || [], host.name),
      el('div', { class: 'host-foot' },
        renderCommands(host.lastCommands || []),
        renderActionCounts(host.actionCounts || {})));
  }

  function renderComponents(components, hostName) {
    if (components.length === 0) return el('p', { class: 'empty' }, 'no components');
    return el('table', { class: 'components' }, components.map((c) => {
      const attributes = Object.entries(c.attributes || {});
      const allowed = (c.actions || []).filter((a) => a.allowed);
      return el('tbody', { class: 'component', 'data-component': c.name },
        el('tr', null,
          el('td', { class: 'component-name' },
            el('span', { class: 'component-title' }, text(c.title)),
            c.title !== c.name ? el('span', { class: 'subtle mono' }, ' ' + c.name) : null),
          el('td', { class: 'state' }, pill(c.state))),
        attributes.length === 0 ? null : el('tr', { class: 'attributes' },
          el('td', { colspan: 2 }, attributes.map(([key, value]) => el('span', { class: 'attr' },
            el('span', { class: 'attr-key' }, key), ' ',
            el('span', { class: 'attr-value mono' }, key === 'lastStarted' && value ? timeOf(value) : text(value)))))),
        allowed.length === 0 ? null : el('tr', { class: 'console-actions' },
          el('td', { colspan: 2 }, allowed.map((a) => consoleButton(hostName, c, a)))));
    }));
  }

  /** A console action the model declares and the component's state allows now: one click does it. */
  function consoleButton(hostName, component, action) {
    const button = el('button', { type: 'button', class: 'console-action', 'data-console-action': action.name,
      title: action.console + ' (' + action.seed + ')' }, action.title);
    button.addEventListener('click', () => request('POST', 'consoles/' + encodeURIComponent(hostName) + '/'
      + encodeURIComponent(component.name) + '/' + encodeURIComponent(action.name), null,
      action.title + ' on ' + hostName + ' ' + component.name, button));
    return button;
  }

  function renderCommands(commands) {
    const newestFirst = commands.slice(-COMMANDS_SHOWN).reverse();
    const title = el('h3', null, 'Last commands ', el('span', { class: 'subtle' }, 'newest first'));
    if (newestFirst.length === 0) return el('div', { class: 'last-commands' }, title, el('span', { class: 'empty' }, 'none received'));
    return el('div', { class: 'last-commands' }, title,
      el('ol', { class: 'commands' }, newestFirst.map((c) => el('li', null,
        el('span', { class: 'time mono' }, timeOf(c.time)),
        el('span', { class: 'exit mono ' + (c.exitCode === 0 ? 'exit-ok' : 'exit-fail'), title: 'exit code' }, String(c.exitCode)),
        el('span', { class: 'command mono', title: c.command }, c.command)))));
  }

  function renderActionCounts(counts) {
    const entries = Object.entries(counts);
    return el('div', { class: 'action-counts' },
      el('h3', null, 'Actions'),
      entries.length === 0
        ? el('span', { class: 'empty' }, 'none')
        : entries.map(([action, count]) => el('span', { class: 'action', 'data-action': action },
            el('span', { class: 'mono' }, action), el('span', { class: 'action-count' }, '\u00d7' + count))));
  }

  function renderReplication(directions, siteTitles, faultsByTarget) {
    if (directions.length === 0) return el('p', { class: 'empty' }, 'no replication');
    return el('div', { class: 'directions' }, directions.map((r) => {
      const faults = faultsByTarget.get(r.direction) || [];
      return el('div', { class: 'direction' + (faults.length ? ' direction-fault' : ''), 'data-direction': r.direction },
        el('div', { class: 'flow' },
          el('span', { class: 'endpoint', title: r.from }, text(siteTitles.get(r.from) || r.from)),
          el('span', { class: 'arrow arrow-' + String(r.status).toLowerCase() }, '\u2192'),
          el('span', { class: 'endpoint', title: r.to }, text(siteTitles.get(r.to) || r.to))),
        el('div', { class: 'direction-state' },
          el('span', { class: 'mono subtle' }, r.direction), ' ', pill(r.status),
          el('span', { class: 'lag' + (r.lagSeconds > 0 ? ' lag-high' : '') }, 'lag ' + r.lagSeconds + ' s'),
          faults.map((f) => el('span', { class: 'fault-badge' }, f.type))));
    }));
  }

  function renderDns(dns, hostsByAddress, faultsByTarget) {
    const records = Object.entries((dns && dns.records) || {});
    const faults = faultsByTarget.get(DNS_SERVER) || [];
    $('dns-panel').classList.toggle('panel-fault', faults.length > 0);
    return el('div', null,
      faults.length ? el('p', { class: 'panel-faults' }, DNS_SERVER + ': ', faults.map((f) => el('span', { class: 'fault-badge' }, f.type))) : null,
      records.length === 0 ? el('p', { class: 'empty' }, 'no A records')
        : el('table', { class: 'grid' }, el('tbody', null, records.map(([name, addresses]) =>
            el('tr', { 'data-record': name },
              el('td', { class: 'mono' }, name),
              el('td', null, addresses.map((address) => el('div', { class: 'mono' }, address,
                hostsByAddress.has(address) ? el('span', { class: 'subtle' }, ' ' + hostsByAddress.get(address)) : null))))))));
  }

  function renderFaults(faults) {
    if (faults.length === 0) return el('p', { class: 'empty' }, 'none: every system answers normally');
    return el('ul', { class: 'fault-list' }, faults.map((f) => {
      const remove = el('button', { type: 'button', class: 'small', title: 'remove fault ' + f.id }, 'Remove');
      remove.addEventListener('click', () => removeFault(f.id, remove));
      return el('li', { 'data-fault': f.id },
        el('div', { class: 'fault-line' },
          el('span', { class: 'fault-badge' }, f.type),
          el('span', { class: 'mono fault-target' }, text(f.target)),
          remove),
        el('div', { class: 'mono params' }, [
          f.createdAt ? 'since ' + timeOf(f.createdAt) + (f.createdBy ? ' by ' + f.createdBy : '') : '',
          faultParameters(f)].filter((part) => part !== '').join(' \u00b7 ')));
    }));
  }

  function faultParameters(fault) {
    const parts = [];
    for (const key of ALL_PARAMS) {
      const value = fault[key];
      if (value === null || value === undefined || value === '') continue;
      const shown = String(value);
      parts.push(key + '=' + (shown.length > 40 ? shown.slice(0, 39) + '\u2026' : shown));
    }
    return parts.join(' ');
  }

  // ------------------------------------------------------------------ fault form and actions

  function selectedType() {
    return FAULT_TYPES[$('fault-type').value] || FAULT_TYPES['unreachable'];
  }

  /** Shows only the parameters of the chosen type, and the targets that suit it. */
  function updateForm() {
    const type = selectedType();
    for (const label of document.querySelectorAll('#fault-form [data-param]')) {
      label.hidden = !type.params.includes(label.dataset.param);
    }
    $('fault-hint').textContent = type.hint;
    updateTargets();
  }

  function updateTargets() {
    const type = selectedType();
    const names = [];
    if (lastState) {
      if (type.targets.includes('hosts')) {
        for (const site of lastState.sites || []) for (const host of site.hosts || []) names.push(host.name);
      }
      if (type.targets.includes('dns')) names.push(DNS_SERVER);
      if (type.targets.includes('replication')) {
        for (const r of lastState.replication || []) names.push(r.direction);
      }
    }
    $('fault-targets').replaceChildren(...names.map((name) => el('option', { value: name })));
    $('fault-target').placeholder = names.length ? names[0] : 'site1.<endpoint>';
  }

  async function addFault(event) {
    event.preventDefault();
    const form = $('fault-form');
    const type = $('fault-type').value;
    const body = { type: type, target: $('fault-target').value.trim() };
    for (const param of FAULT_TYPES[type].params) {
      const raw = form.elements[param].value.trim();
      if (raw === '') continue;
      body[param] = NUMBER_PARAMS.includes(param) ? Number(raw) : raw;
    }
    await request('POST', 'faults', body, 'Inject ' + type + ' on ' + (body.target || '(no target)'), $('fault-add'));
  }

  async function removeFault(id, button) {
    await request('DELETE', 'faults/' + encodeURIComponent(id), null, 'Remove fault ' + id, button);
  }

  async function siteAction(site, action, button) {
    const question = action === 'down'
      ? 'Take ' + site.title + ' down as a disaster would: its hosts unreachable, its services stopped, its databases lost?'
      : 'Bring ' + site.title + ' back (hosts and databases return, services stay stopped)?';
    if (!window.confirm(question)) return;
    await request('POST', 'sites/' + encodeURIComponent(site.id) + '/' + action, null,
      (action === 'down' ? 'Take down ' : 'Bring back ') + site.id, button);
  }

  async function resetLab() {
    if (!window.confirm('Reset the whole lab to its initial state (Site 1 live), removing every fault?')) return;
    await request('POST', 'reset', null, 'Reset lab', $('reset'));
  }

  /** Sends one action; shows the server's problem detail when it fails, polls at once when it worked. */
  async function request(method, path, body, what, button) {
    if (button) button.disabled = true;
    try {
      const options = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json, application/problem+json' } };
      // logged in to Cockpit or Tasklist: the web apps' CSRF token goes with every change
      const token = csrfToken();
      if (token) options.headers['X-XSRF-TOKEN'] = token;
      if (body !== null) {
        options.headers['Content-Type'] = 'application/json';
        options.body = JSON.stringify(body);
      }
      let response = await fetch(api(path), options);
      if (response.status === 401 && token) {
        // the session was renewed since the page loaded (a new login): its new token, once
        await loadSessionToken();
        if (csrfToken()) options.headers['X-XSRF-TOKEN'] = csrfToken();
        response = await fetch(api(path), options);
      }
      if (!response.ok) {
        showProblem(what + ' failed: ' + await problemText(response));
        return;
      }
      hideProblem();
      pollNow();
    } catch (error) {
      showProblem(what + ' failed: ' + (error && error.message ? error.message : String(error)));
    } finally {
      if (button) button.disabled = false;
    }
  }

  /**
   * The web apps' CSRF token of this login session (GET /lab/api/session), or null when the page was
   * opened with HTTP Basic; asked again after a login that renewed the session.
   */
  let sessionToken = null;
  async function loadSessionToken() {
    try {
      const response = await fetch(api('session'), { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      sessionToken = response.ok ? (await response.json()).csrfToken || null : null;
    } catch (ignored) {
      sessionToken = null;
    }
  }

  function csrfToken() {
    return sessionToken;
  }

  /** "400 Bad Request: <detail> (field: message; ...)" from an RFC 7807 problem, or the status. */
  async function problemText(response) {
    let summary = response.status + (response.statusText ? ' ' + response.statusText : '');
    try {
      const problem = await response.json();
      if (problem.detail) summary += ': ' + problem.detail;
      else if (problem.title) summary += ': ' + problem.title;
      if (Array.isArray(problem.errors) && problem.errors.length) {
        summary += ' (' + problem.errors.map((e) => (e.field ? e.field + ': ' : '') + (e.message || '')).join('; ') + ')';
      }
    } catch (ignored) {
      // not JSON: the status says it all
    }
    return summary;
  }

  function showProblem(message) {
    $('request-problem-text').textContent = message;
    $('request-problem').hidden = false;
  }

  function hideProblem() {
    $('request-problem').hidden = true;
  }

  // ------------------------------------------------------------------ start

  $('fault-type').addEventListener('change', updateForm);
  $('fault-form').addEventListener('submit', addFault);
  $('reset').addEventListener('click', resetLab);
  $('request-problem-close').addEventListener('click', hideProblem);
  updateForm();
  loadSessionToken();
  poll();
})();
