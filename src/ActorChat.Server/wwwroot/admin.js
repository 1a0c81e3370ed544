// ActorChat operator dashboard (/admin). No library, no build step. The server pushes a snapshot over a WebSocket
// of its own (GET /api/admin/live) when it opens and every 2 s after (totals since start; rates are the differences
// between two snapshots); when the socket closes the page connects again, waiting longer after each failure. It
// kicks or bans through POST /api/admin/kick and /api/admin/ban. The server answers all of them to operators only.
// In cluster mode the snapshot also lists the members of the cluster.
(() => {
  'use strict';

  const PushMs = 2000; // how often the server sends a snapshot
  const SilentMs = 5 * PushMs; // an open socket with nothing for this long is closed and opened again
  const RetryMs = [1000, 2000, 4000, 8000, 15000, 30000]; // waits before reconnecting, after each failure in a row
  const Samples = 60; // two minutes of sparkline
  const $ = id => document.getElementById(id);
  const history = { connections: [], messages: [], deliveries: [], fanout: [] };
  let previous = null;
  let armedBan = null; // the user whose Ban button waits for its second click (kept across refreshes)

  function svg(name, attributes, text) {
    const element = document.createElementNS('http://www.w3.org/2000/svg', name);
    for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, String(value));
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function push(series, value) {
    series.push(value);
    if (series.length > Samples) series.shift();
  }

  function sparkline(element, series) {
    const width = 120, height = 30;
    if (series.length < 2) {
      element.replaceChildren();
      return;
    }
    const max = Math.max(1e-9, ...series);
    const step = width / (Samples - 1);
    const offset = width - (series.length - 1) * step;
    const points = series.map((value, index) =>
      `${(offset + index * step).toFixed(1)},${(height - 1 - (value / max) * (height - 2)).toFixed(1)}`).join(' ');
    element.replaceChildren(svg('polyline', { points }));
  }

  function showCounter(id, value, series, digits) {
    const figure = $(id);
    figure.querySelector('.value').textContent = value === null ? '–' : value.toFixed(digits);
    figure.dataset.value = value === null ? '' : String(value);
    sparkline(figure.querySelector('.spark'), series);
  }

  function showCounters(snapshot) {
    const c = snapshot.counters;
    const connections = c.connections.tcp + c.connections.tls + c.connections.websocket;
    let messagesPerSecond = null, deliveriesPerSecond = null, fanOutMs = null;
    if (previous) {
      const seconds = Math.max(0.001, (snapshot.at - previous.at) / 1000);
      messagesPerSecond = Math.max(0, c.messagesStored - previous.counters.messagesStored) / seconds;
      deliveriesPerSecond = Math.max(0, c.deliveries - previous.counters.deliveries) / seconds;
      const count = c.fanOutCount - previous.counters.fanOutCount;
      fanOutMs = count > 0 ? (c.fanOutSeconds - previous.counters.fanOutSeconds) / count * 1000 : 0;
    }
    push(history.connections, connections);
    if (previous) {
      push(history.messages, messagesPerSecond);
      push(history.deliveries, deliveriesPerSecond);
      push(history.fanout, fanOutMs);
    }
    showCounter('counter-connections', connections, history.connections, 0);
    showCounter('counter-messages', messagesPerSecond, history.messages, 1);
    showCounter('counter-deliveries', deliveriesPerSecond, history.deliveries, 1);
    showCounter('counter-fanout', fanOutMs, history.fanout, 2);
    $('messages-total').textContent = String(c.messagesStored);
    $('messages-total').dataset.count = String(c.messagesStored);
  }

  function since(ms, now) {
    const seconds = Math.max(0, Math.round((now - ms) / 1000));
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function button(label, action, user, className) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.dataset.action = action;
    b.dataset.user = user;
    if (className) b.className = className;
    return b;
  }

  function showUsers(snapshot) {
    $('user-count').textContent = String(snapshot.users.length);
    $('users').replaceChildren(...snapshot.users.map(user => {
      const row = document.createElement('tr');
      row.dataset.user = user.name;
      const actions = cell('', 'actions');
      actions.append(button('Kick', 'kick', user.name),
        button(armedBan === user.name ? 'Ban: sure?' : 'Ban', 'ban', user.name, 'danger'));
      const connected = cell(since(user.since, snapshot.at));
      connected.title = new Date(user.since).toLocaleString();
      row.append(cell(user.name), cell(user.address || '?'), cell(user.transport), connected, actions);
      return row;
    }));
  }

  /** The chat page's bar chart of messages per user, one per room. */
  function barChart(perUser) {
    const chart = svg('svg', { class: 'chart', role: 'img' });
    const entries = Object.entries(perUser).filter(([, count]) => count > 0);
    entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const shown = entries.slice(0, 10);
    const width = 280, labelWidth = 90, countWidth = 36, row = 26, barHeight = 16;
    if (shown.length === 0) {
      chart.setAttribute('viewBox', `0 0 ${width} 32`);
      chart.append(svg('text', { x: 0, y: 20, class: 'chart-empty' }, 'No messages yet'));
      return chart;
    }
    const max = Math.max(...shown.map(([, count]) => count));
    const span = width - labelWidth - countWidth;
    chart.setAttribute('viewBox', `0 0 ${width} ${shown.length * row}`);
    chart.setAttribute('aria-label', shown.map(([user, count]) => `${user}: ${count}`).join(', '));
    shown.forEach(([user, count], index) => {
      const y = index * row;
      const length = Math.max(2, Math.round((count / max) * span));
      const group = svg('g', { class: 'chart-row', 'data-user': user, 'data-count': count });
      group.append(
        svg('title', {}, `${user}: ${count} message${count === 1 ? '' : 's'}`),
        svg('text', { x: labelWidth - 8, y: y + barHeight - 3, class: 'chart-label', 'text-anchor': 'end' },
          user.length > 12 ? user.slice(0, 11) + '…' : user),
        svg('rect', { x: labelWidth, y: y + 2, height: barHeight - 2, rx: 3, width: length, class: 'chart-bar' }),
        svg('text', { x: labelWidth + length + 6, y: y + barHeight - 3, class: 'chart-value' }, String(count)));
      chart.append(group);
    });
    return chart;
  }

  function showRooms(snapshot) {
    const before = new Map((previous ? previous.rooms : []).map(room => [room.name, room.messages]));
    const seconds = previous ? Math.max(0.001, (snapshot.at - previous.at) / 1000) : 0;
    $('rooms').replaceChildren(...snapshot.rooms.map(room => {
      const section = document.createElement('section');
      section.className = 'room';
      section.dataset.room = room.name;
      section.dataset.messages = String(room.messages);
      const rate = previous && before.has(room.name) ? Math.max(0, room.messages - before.get(room.name)) / seconds : null;
      const title = document.createElement('h3');
      const name = document.createElement('span');
      name.textContent = '#' + room.name;
      const facts = document.createElement('span');
      facts.className = 'muted';
      facts.textContent = `${room.members} member${room.members === 1 ? '' : 's'} · ${room.messages} messages` +
        (rate === null ? '' : ` · ${rate.toFixed(1)}/s`);
      title.append(name, facts);
      section.append(title, barChart(room.messagesPerUser));
      return section;
    }));
  }

  function showWarnings(snapshot) {
    $('warnings').replaceChildren(...snapshot.warnings.map(warning => {
      const item = document.createElement('li');
      const time = document.createElement('time');
      time.dateTime = new Date(warning.at).toISOString();
      time.textContent = new Date(warning.at).toLocaleTimeString();
      item.append(time, document.createTextNode(warning.text));
      return item;
    }));
  }

  /** The cluster's members from the snapshot (it has them in cluster mode only); the card stays hidden on a single node. */
  function showNodes(nodes) {
    $('cluster').hidden = !Array.isArray(nodes);
    if (!Array.isArray(nodes)) return;
    $('node-count').textContent = String(nodes.length);
    const cell = (text) => { const td = document.createElement('td'); td.textContent = text; return td; };
    $('nodes').replaceChildren(...nodes.map(node => {
      const row = document.createElement('tr');
      row.dataset.address = node.address;
      row.dataset.state = node.state;
      row.append(
        cell(node.address + (node.self ? ' (this node)' : '')),
        cell(node.state),
        cell(node.reachable ? 'yes' : 'no'),
        cell(node.rooms === null || node.rooms === undefined ? '–' : String(node.rooms)),
        cell(node.connections === null || node.connections === undefined ? '–' : String(node.connections)));
      if (!node.reachable) row.className = 'unreachable';
      return row;
    }));
  }

  function show(snapshot) {
    $('server-name').textContent = snapshot.server;
    showCounters(snapshot);
    showUsers(snapshot);
    showRooms(snapshot);
    showWarnings(snapshot);
    showNodes(snapshot.nodes);
    previous = snapshot;
  }

  function setState(state, text) {
    const element = $('refresh-state');
    element.dataset.state = state;
    element.textContent = text;
  }

  let failures = 0; // connections in a row that closed before a snapshot came

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/api/admin/live`);
    let silence = null;
    const listen = () => {
      clearTimeout(silence);
      silence = setTimeout(() => socket.close(), SilentMs);
    };
    socket.addEventListener('open', listen);
    socket.addEventListener('message', event => {
      listen();
      let snapshot;
      try { snapshot = JSON.parse(event.data); } catch { return; }
      show(snapshot);
      failures = 0;
      setState('live', `updated ${new Date(snapshot.at).toLocaleTimeString()}`);
    });
    socket.addEventListener('close', event => {
      clearTimeout(silence);
      closed(event.code);
    });
  }

  /** After a close: stop if the cookie is no operator's any more, otherwise show the latest figures and connect again. */
  async function closed(code) {
    if (code === 4001) { // the server's own code: signed out, revoked or expired
      setState('failed', 'not signed in as an operator any more');
      return;
    }
    // A refused upgrade looks like any other failure to a page: GET /api/admin tells (and answers the same snapshot).
    try {
      const response = await fetch('/api/admin', { credentials: 'same-origin', cache: 'no-store' });
      if (response.status === 403) {
        setState('failed', 'not signed in as an operator any more');
        return; // no point asking again
      }
      if (response.ok) show(await response.json());
    } catch { /* the server is away: wait and try again */ }
    const base = RetryMs[Math.min(failures, RetryMs.length - 1)];
    failures++;
    const wait = Math.round(base * (0.8 + Math.random() * 0.4)); // apart, so that pages do not all come back at once
    setState('failed', `connection lost; reconnecting in ${Math.round(wait / 1000)} s`);
    setTimeout(connect, wait);
  }

  async function act(action, user) {
    const result = $('action-result');
    const response = await fetch(`/api/admin/${action}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user, reason: action === 'kick' ? 'kicked from the dashboard' : 'banned from the dashboard' }),
    });
    let error = null;
    try { error = (await response.json()).error; } catch { error = `HTTP ${response.status}`; }
    result.dataset.outcome = response.ok ? 'done' : 'refused';
    result.textContent = response.ok ? `${action === 'kick' ? 'Kicked' : 'Banned'} ${user}.` : `Could not ${action} ${user}: ${error}`;
  }

  // A ban asks for a second click on the same button; a kick only disconnects, so one click does.
  $('users').addEventListener('click', event => {
    const target = event.target.closest('button[data-action]');
    if (!target) return;
    if (target.dataset.action === 'ban' && armedBan !== target.dataset.user) {
      armedBan = target.dataset.user;
      target.textContent = 'Ban: sure?';
      return;
    }
    armedBan = null;
    target.disabled = true;
    act(target.dataset.action, target.dataset.user);
  });

  connect();
})();
