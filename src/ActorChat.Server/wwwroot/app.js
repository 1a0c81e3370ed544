// ActorChat web client: wire protocol v1 over a WebSocket, one JSON frame per text message.
// Everything other people wrote reaches the page through textContent, never as HTML.
'use strict';

(() => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const DEFAULT_ROOM = 'lobby';
  const RECONNECT_FIRST_MS = 500;
  const RECONNECT_MAX_MS = 5000;
  const PING_EVERY_MS = 25000;
  const MAX_LINES = 500;
  const HISTORY_PAGE = 50;            // messages per "Load older messages" request
  const HISTORY_TIMEOUT_MS = 15000;   // a request not answered by then may be sent again
  const NEAR_TOP_PX = 4;
  // Error frames name no request: these codes answer a say, and these a history request.
  const SAY_ERRORS = new Set(['unavailable', 'busy', 'not_in_room', 'invalid_room', 'empty_message', 'message_too_long', 'bad_request']);
  const HISTORY_ERRORS = new Set(['unavailable', 'busy', 'not_in_room', 'invalid_room', 'bad_request']);
  const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
  const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

  const $ = (id) => document.getElementById(id);
  const ui = {
    login: $('login'), loginForm: $('login-form'), nameInput: $('name-input'), loginError: $('login-error'),
    chat: $('chat'), me: $('me'), status: $('status'), statusText: $('status-text'), logout: $('logout'),
    joinForm: $('join-form'), roomInput: $('room-input'), conversations: $('conversations'), serverRooms: $('server-rooms'),
    title: $('conversation-title'), leave: $('leave-button'), messages: $('messages'),
    composer: $('composer'), messageInput: $('message-input'), sendButton: document.querySelector('#composer button'),
    members: $('members'), memberCount: $('member-count'), chart: $('chart'),
    older: $('older'), olderButton: $('older-button'), olderNote: $('older-note'),
  };

  const state = {
    name: null,          // the name we chose; kept across reconnects
    identified: false,   // the server welcomed us on the current socket
    wanted: false,       // the user wants to be online: reconnect when the socket drops
    socket: null,
    attempt: 0,
    reconnectTimer: 0,
    pingTimer: 0,
    conversations: new Map(), // key → conversation (rooms by lower-case name, direct chats by '@' + name)
    current: null,
    showOnJoin: null,         // key of a room the user just asked to join: switch to it when joined
    roomsRefresh: 0,
    pendingSays: [],          // lines said and not seen back yet, oldest first: { key, text }
  };

  // ---- small DOM helpers: text only ----

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const localTime = (timestamp) => {
    const date = new Date(timestamp);
    return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  };

  const roomKey = (room) => room.toLowerCase();
  const dmKey = (user) => '@' + user.toLowerCase();

  // ---- connection ----

  function setStatus(kind, text) {
    ui.status.dataset.state = kind;
    ui.statusText.textContent = text || kind;
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/ws`);
    state.socket = socket;
    state.identified = false;
    setStatus(state.attempt === 0 ? 'connecting' : 'reconnecting', state.attempt === 0 ? 'connecting…' : 'reconnecting…');

    socket.addEventListener('open', () => send({ type: 'hello', name: state.name }));
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      handleFrame(frame);
    });
    socket.addEventListener('close', () => {
      if (state.socket !== socket) return;
      state.socket = null;
      state.identified = false;
      clearInterval(state.pingTimer);
      forgetPendingRequests(); // their answers will not come on a new socket
      if (state.wanted) scheduleReconnect();
      else setStatus('disconnected');
    });
  }

  function scheduleReconnect() {
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** state.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    state.attempt++;
    setStatus('reconnecting', `reconnecting in ${Math.max(1, Math.round(delay / 1000))} s…`);
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = setTimeout(connect, delay);
  }

  function send(frame) {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) return false;
    state.socket.send(JSON.stringify(frame));
    return true;
  }

  function signIn(name) {
    state.name = name;
    state.wanted = true;
    state.attempt = 0;
    connect();
  }

  function signOut() {
    state.wanted = false;
    clearTimeout(state.reconnectTimer);
    if (!send({ type: 'quit' }) && state.socket) state.socket.close();
    state.conversations.clear();
    state.current = null;
    ui.chat.hidden = true;
    ui.login.hidden = false;
    ui.me.hidden = true;
    ui.logout.hidden = true;
    setStatus('disconnected');
    ui.nameInput.focus();
  }

  // ---- frames from the server ----

  function handleFrame(frame) {
    switch (frame.type) {
      case 'welcome': onWelcome(frame); break;
      case 'joined': onJoined(frame); break;
      case 'presence': onPresence(frame); break;
      case 'message': onMessage(frame, false); break;
      case 'left': onLeft(frame); break;
      case 'dm': onDirect(frame); break;
      case 'rooms': renderServerRooms(frame.rooms || []); break;
      case 'members': onMembers(frame); break;
      case 'stats': onStats(frame); break;
      case 'history': onHistory(frame); break;
      case 'error': onError(frame); break;
      case 'ping': send({ type: 'pong' }); break; // the server checks that a quiet page is still there
      case 'bye':
        if (frame.reason === 'server_shutdown') systemLineEverywhere('The server is restarting; reconnecting…');
        break;
      default: break; // pong and frames of later protocol versions
    }
  }

  function onWelcome(frame) {
    const firstTime = !state.identified && ui.chat.hidden;
    state.name = frame.name;
    state.identified = true;
    state.attempt = 0;
    setStatus('connected');
    ui.login.hidden = true;
    ui.chat.hidden = false;
    ui.me.hidden = false;
    ui.logout.hidden = false;
    ui.me.textContent = frame.name;
    clearInterval(state.pingTimer);
    state.pingTimer = setInterval(() => send({ type: 'ping' }), PING_EVERY_MS);

    // After a reconnect, come back to every room we were in; the joined frames bring the missed history.
    const rooms = [...state.conversations.values()].filter((c) => c.kind === 'room' && c.inRoom);
    if (rooms.length === 0 && firstTime) {
      state.showOnJoin = roomKey(DEFAULT_ROOM);
      send({ type: 'join', room: DEFAULT_ROOM });
    }
    for (const room of rooms) send({ type: 'join', room: room.name });
    send({ type: 'rooms' });
    render();
  }

  function onError(frame) {
    if (!state.identified && (frame.code === 'name_taken' || frame.code === 'invalid_name')) {
      if (ui.chat.hidden) {
        // The first sign-in failed: back to the name form.
        state.wanted = false;
        if (state.socket) state.socket.close();
        setStatus('disconnected');
        ui.loginError.textContent = frame.message;
        ui.nameInput.focus();
      } else if (state.socket) {
        // Our old connection still holds the name on the server; try again shortly.
        state.socket.close();
      }
      return;
    }
    if (state.pendingSays.length > 0 && SAY_ERRORS.has(frame.code)) {
      onSayRefused(frame, state.pendingSays.shift());
      return;
    }
    const waiting = [...state.conversations.values()].find((c) => c.historyPending);
    if (waiting && HISTORY_ERRORS.has(frame.code)) {
      finishHistoryRequest(waiting);
      const why = frame.code === 'unavailable' || frame.code === 'busy'
        ? 'Could not load older messages just now; try again.'
        : frame.message;
      waiting.historyNote = why;
      addLine(waiting, { kind: 'error', text: why }, true);
      if (state.current === waiting.key) renderOlder(waiting);
      return;
    }
    const target = currentConversation();
    if (target) addLine(target, { kind: 'error', text: frame.message });
  }

  /** A line said was refused; when the server could not save it, say it was not sent and give it back to retype. */
  function onSayRefused(frame, said) {
    const room = state.conversations.get(said.key) || currentConversation();
    if (!room) return;
    if (frame.code !== 'unavailable' && frame.code !== 'busy') {
      addLine(room, { kind: 'error', text: frame.message });
      return;
    }
    const why = frame.code === 'unavailable' ? 'the server could not save it just now' : 'the room is too busy just now';
    addLine(room, { kind: 'error', text: `Message not sent: ${why}. Try again. “${shorten(said.text, 80)}”` });
    if (state.current === room.key && ui.messageInput.value === '') ui.messageInput.value = said.text;
  }

  const shorten = (text, max) => (text.length <= max ? text : text.slice(0, max - 1) + '…');

  function ensureConversation(kind, name) {
    const key = kind === 'room' ? roomKey(name) : dmKey(name);
    let conversation = state.conversations.get(key);
    if (!conversation) {
      conversation = {
        key, kind, name, inRoom: false, lines: [], ids: new Set(), members: [], counts: new Map(), unread: 0,
        maxLines: MAX_LINES, // grows by what "Load older messages" brings, so new lines do not push it out at once
        oldestSeq: null,     // the smallest message seq shown: older pages are asked for before it
        historyPending: false, historyTimer: 0, historyDone: false, historyNote: '',
      };
      state.conversations.set(key, conversation);
    }
    return conversation;
  }

  function onJoined(frame) {
    const room = ensureConversation('room', frame.room);
    room.name = frame.room;
    if (!room.inRoom) addLine(room, { kind: 'system', text: `You joined #${frame.room}` }, true);
    room.inRoom = true;
    room.members = [...frame.members];
    const history = frame.history || [];
    // A room whose latest seq is below what was shown lost its messages (a server without a database restarted).
    if (room.oldestSeq !== null && (history.length === 0 || history[history.length - 1].seq < room.oldestSeq)) {
      room.oldestSeq = null;
      room.historyDone = false;
    }
    for (const message of history) onMessage(message, true);
    send({ type: 'stats', room: frame.room }); // seeds the chart; later messages add to it
    const show = state.showOnJoin === room.key || !state.current;
    if (show) {
      state.showOnJoin = null;
      state.current = room.key;
      room.unread = 0;
    }
    render();
    if (show) ui.messageInput.focus(); // the room the user asked for: ready to type
    send({ type: 'rooms' });
  }

  function onLeft(frame) {
    const key = roomKey(frame.room);
    const room = state.conversations.get(key);
    if (!room) return;
    room.inRoom = false;
    state.conversations.delete(key);
    if (state.current === key) state.current = firstConversationKey();
    render();
    send({ type: 'rooms' });
  }

  function onPresence(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    if (frame.event === 'join') {
      if (!room.members.includes(frame.user)) room.members.push(frame.user);
      addLine(room, { kind: 'system', text: `${frame.user} joined` });
    } else {
      room.members = room.members.filter((member) => member !== frame.user);
      addLine(room, { kind: 'system', text: `${frame.user} left` });
    }
    if (state.current === room.key) renderMembers(room);
    refreshRoomListSoon();
  }

  /** Member counts in the room list change with presence; ask again, at most once a second. */
  function refreshRoomListSoon() {
    if (state.roomsRefresh) return;
    state.roomsRefresh = setTimeout(() => {
      state.roomsRefresh = 0;
      send({ type: 'rooms' });
    }, 1000);
  }

  function onMessage(frame, fromHistory) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    if (!fromHistory && isMe(frame.sender)) {
      const said = state.pendingSays.findIndex((p) => p.key === room.key);
      if (said >= 0) state.pendingSays.splice(said, 1);
    }
    if (room.ids.has(frame.id)) return;
    room.ids.add(frame.id);
    noteSeq(room, frame.seq);
    addLine(room, messageLine(frame), fromHistory);
    if (!fromHistory) {
      room.counts.set(frame.sender, (room.counts.get(frame.sender) || 0) + 1);
      if (state.current === room.key) renderChart(room);
    }
  }

  const messageLine = (frame) =>
    ({ kind: 'message', id: frame.id, seq: frame.seq, sender: frame.sender, text: frame.text, timestamp: frame.timestamp });

  const isMe = (user) => user.toLowerCase() === (state.name || '').toLowerCase();

  function noteSeq(room, seq) {
    if (typeof seq === 'number' && seq > 0 && (room.oldestSeq === null || seq < room.oldestSeq)) room.oldestSeq = seq;
  }

  // ---- older messages ----

  /** Asks for the page before the oldest message shown, unless one is on its way or there is nothing older. */
  function loadOlder(room) {
    if (!room || room.kind !== 'room' || !room.inRoom || room.historyPending || room.historyDone || !state.identified) return;
    const request = { type: 'history', room: room.name, limit: HISTORY_PAGE };
    if (room.oldestSeq !== null) request.before = room.oldestSeq;
    if (!send(request)) return;
    room.historyPending = true;
    room.historyNote = '';
    room.historyTimer = setTimeout(() => {
      finishHistoryRequest(room);
      if (state.current === room.key) renderOlder(room);
    }, HISTORY_TIMEOUT_MS);
    if (state.current === room.key) renderOlder(room);
  }

  function finishHistoryRequest(room) {
    room.historyPending = false;
    clearTimeout(room.historyTimer);
    room.historyTimer = 0;
  }

  function forgetPendingRequests() {
    state.pendingSays = [];
    for (const conversation of state.conversations.values()) {
      if (conversation.historyPending) finishHistoryRequest(conversation);
    }
  }

  /** A page of older messages: put them above the ones shown, keeping what is on screen where it is. */
  function onHistory(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    finishHistoryRequest(room);
    const page = frame.messages || [];
    if (page.length === 0) {
      room.historyDone = true;
      room.historyNote = 'No older messages';
    } else {
      room.historyNote = '';
      for (const message of page) noteSeq(room, message.seq);
      const fresh = page.filter((message) => !room.ids.has(message.id));
      for (const message of fresh) room.ids.add(message.id);
      prependLines(room, fresh.map(messageLine));
    }
    if (state.current === room.key) renderOlder(room);
  }

  function prependLines(room, lines) {
    if (lines.length === 0) return;
    // Older messages go right above the first message, below lines such as "You joined".
    let at = room.lines.findIndex((line) => line.kind === 'message');
    if (at < 0) at = room.lines.length;
    room.lines.splice(at, 0, ...lines);
    room.maxLines += lines.length;
    if (state.current !== room.key) return;
    const list = ui.messages;
    const fromBottom = list.scrollHeight - list.scrollTop;
    const nodes = document.createDocumentFragment();
    nodes.append(...lines.map(lineNode));
    list.insertBefore(nodes, list.children[at] || null);
    list.scrollTop = list.scrollHeight - fromBottom;
  }

  function renderOlder(conversation) {
    const isRoom = Boolean(conversation) && conversation.kind === 'room';
    ui.older.hidden = !isRoom;
    if (!isRoom) return;
    ui.olderButton.hidden = conversation.historyDone;
    ui.olderButton.disabled = conversation.historyPending;
    ui.olderButton.textContent = conversation.historyPending ? 'Loading older messages…' : 'Load older messages';
    ui.olderNote.textContent = conversation.historyNote;
  }

  function onDirect(frame) {
    const other = frame.from.toLowerCase() === (state.name || '').toLowerCase() ? frame.to : frame.from;
    const chat = ensureConversation('dm', other);
    if (chat.ids.has(frame.id)) return;
    chat.ids.add(frame.id);
    addLine(chat, { kind: 'message', sender: frame.from, text: frame.text, timestamp: frame.timestamp });
    renderConversations();
  }

  function onMembers(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    room.members = [...frame.members];
    if (state.current === room.key) renderMembers(room);
  }

  function onStats(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    room.counts = new Map(Object.entries(frame.messagesPerUser || {}));
    if (state.current === room.key) renderChart(room);
  }

  // ---- what the user does ----

  function joinRoom(name) {
    if (!ROOM_PATTERN.test(name)) {
      const target = currentConversation();
      if (target) addLine(target, { kind: 'error', text: 'A room name is 1 to 64 letters, digits, _, - or .' });
      return;
    }
    const existing = state.conversations.get(roomKey(name));
    if (existing && existing.inRoom) {
      switchTo(existing.key);
      return;
    }
    state.showOnJoin = roomKey(name);
    send({ type: 'join', room: name });
  }

  function sendText(text) {
    const target = currentConversation();
    if (text.startsWith('/')) {
      runCommand(text);
      return;
    }
    if (!target) return;
    if (target.kind === 'room') {
      if (send({ type: 'say', room: target.name, text })) state.pendingSays.push({ key: target.key, text });
    }
    else send({ type: 'dm', to: target.name, text });
  }

  function runCommand(text) {
    const [command, ...rest] = text.trim().split(/\s+/);
    const target = currentConversation();
    switch (command.toLowerCase()) {
      case '/join': if (rest[0]) joinRoom(rest[0]); break;
      case '/leave': if (target && target.kind === 'room') send({ type: 'leave', room: target.name }); break;
      case '/dm':
      case '/msg':
        if (rest.length >= 2) send({ type: 'dm', to: rest[0], text: text.trim().split(/\s+/).slice(2).join(' ') });
        else if (rest[0]) openDirect(rest[0]);
        break;
      case '/who': if (target && target.kind === 'room') send({ type: 'who', room: target.name }); break;
      default:
        if (target) addLine(target, { kind: 'error', text: 'Commands: /join ROOM, /leave, /dm NAME [TEXT], /who' });
    }
  }

  function openDirect(user) {
    if (!NAME_PATTERN.test(user) || user.toLowerCase() === (state.name || '').toLowerCase()) return;
    const chat = ensureConversation('dm', user);
    switchTo(chat.key);
  }

  function switchTo(key) {
    if (!state.conversations.has(key)) return;
    state.current = key;
    state.conversations.get(key).unread = 0;
    render();
    ui.messageInput.focus();
  }

  function currentConversation() {
    return state.current ? state.conversations.get(state.current) : undefined;
  }

  function firstConversationKey() {
    const first = state.conversations.keys().next();
    return first.done ? null : first.value;
  }

  // ---- lines ----

  function addLine(conversation, line, quiet) {
    conversation.lines.push(line);
    if (conversation.lines.length > conversation.maxLines) dropOldestLines(conversation);
    if (state.current === conversation.key) {
      appendLineNode(line);
      trimRenderedLines(conversation);
    } else if (!quiet && line.kind === 'message') {
      conversation.unread++;
      renderConversations();
    }
  }

  /** Keeps a conversation to its line limit; messages dropped from the top can be loaded again as older ones. */
  function dropOldestLines(conversation) {
    const dropped = conversation.lines.splice(0, conversation.lines.length - conversation.maxLines);
    if (!dropped.some((line) => line.kind === 'message')) return;
    for (const line of dropped) if (line.id) conversation.ids.delete(line.id);
    conversation.oldestSeq = null;
    for (const line of conversation.lines) if (line.kind === 'message') noteSeq(conversation, line.seq);
    conversation.historyDone = false;
    conversation.historyNote = '';
    if (state.current === conversation.key) renderOlder(conversation);
  }

  function systemLineEverywhere(text) {
    for (const conversation of state.conversations.values()) addLine(conversation, { kind: 'system', text }, true);
  }

  function lineNode(line) {
    const item = el('li', `line line-${line.kind}`);
    if (line.kind === 'message') {
      const time = el('time', 'line-time', localTime(line.timestamp));
      time.dateTime = line.timestamp;
      time.title = new Date(line.timestamp).toLocaleString();
      const sender = el('span', 'line-sender', line.sender);
      if (line.seq) item.dataset.seq = String(line.seq);
      if (isMe(line.sender)) item.classList.add('line-own');
      item.append(time, sender, el('span', 'line-text', line.text));
    } else {
      item.append(el('span', 'line-text', line.text));
    }
    return item;
  }

  function appendLineNode(line) {
    const list = ui.messages;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(lineNode(line));
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function trimRenderedLines(conversation) {
    while (ui.messages.childElementCount > conversation.maxLines) ui.messages.firstElementChild.remove();
  }

  // ---- rendering ----

  function render() {
    renderConversations();
    const conversation = currentConversation();
    ui.messages.replaceChildren(...(conversation ? conversation.lines.map(lineNode) : []));
    ui.messages.scrollTop = ui.messages.scrollHeight;
    const canTalk = Boolean(conversation) && state.identified;
    ui.messageInput.disabled = !conversation;
    ui.sendButton.disabled = !conversation;
    if (!conversation) {
      ui.title.textContent = 'No room yet';
      ui.messageInput.placeholder = 'Join a room to talk';
      ui.leave.hidden = true;
    } else if (conversation.kind === 'room') {
      ui.title.textContent = `#${conversation.name}`;
      ui.messageInput.placeholder = `Message #${conversation.name}`;
      ui.leave.hidden = false;
    } else {
      ui.title.textContent = `@${conversation.name}`;
      ui.messageInput.placeholder = `Direct message to ${conversation.name}`;
      ui.leave.hidden = true;
    }
    ui.composer.classList.toggle('offline', !canTalk);
    renderOlder(conversation);
    renderMembers(conversation);
    renderChart(conversation);
  }

  function renderConversations() {
    const items = [];
    for (const conversation of state.conversations.values()) {
      const button = el('button', 'conversation-button');
      button.type = 'button';
      button.dataset.key = conversation.key;
      button.append(el('span', 'conversation-name', (conversation.kind === 'room' ? '#' : '@') + conversation.name));
      if (conversation.unread > 0) button.append(el('span', 'badge', String(conversation.unread)));
      if (conversation.key === state.current) button.setAttribute('aria-current', 'true');
      button.addEventListener('click', () => switchTo(conversation.key));
      const item = el('li');
      item.append(button);
      items.push(item);
    }
    ui.conversations.replaceChildren(...items);
  }

  function renderServerRooms(rooms) {
    const items = rooms.map((room) => {
      const button = el('button', 'server-room');
      button.type = 'button';
      button.append(el('span', 'conversation-name', `#${room.name}`), el('span', 'count', String(room.members)));
      button.title = `Join #${room.name} (${room.members} online)`;
      button.addEventListener('click', () => joinRoom(room.name));
      const item = el('li');
      item.append(button);
      return item;
    });
    ui.serverRooms.replaceChildren(...items);
  }

  function renderMembers(conversation) {
    const members = conversation && conversation.kind === 'room' ? [...conversation.members] : [];
    members.sort((a, b) => a.localeCompare(b));
    ui.memberCount.textContent = conversation && conversation.kind === 'room' ? String(members.length) : '';
    ui.members.replaceChildren(...members.map((member) => {
      const item = el('li', 'member');
      item.dataset.user = member;
      const isMe = member.toLowerCase() === (state.name || '').toLowerCase();
      if (isMe) {
        item.append(el('span', 'member-name', `${member} (you)`));
      } else {
        const button = el('button', 'member-name', member);
        button.type = 'button';
        button.title = `Direct message to ${member}`;
        button.addEventListener('click', () => openDirect(member));
        item.append(button);
      }
      return item;
    }));
  }

  /** Horizontal bars, one per user, longest first; plain SVG so it needs no library. */
  function renderChart(conversation) {
    const chart = ui.chart;
    const entries = conversation && conversation.kind === 'room'
      ? [...conversation.counts.entries()].filter(([, count]) => count > 0)
      : [];
    entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const width = 280, labelWidth = 90, countWidth = 36, row = 26, barHeight = 16;
    if (entries.length === 0) {
      chart.setAttribute('viewBox', `0 0 ${width} 32`);
      chart.replaceChildren(svg('text', { x: 0, y: 20, class: 'chart-empty' }, 'No messages yet'));
      return;
    }
    const max = Math.max(...entries.map(([, count]) => count));
    const span = width - labelWidth - countWidth;
    chart.setAttribute('viewBox', `0 0 ${width} ${entries.length * row}`);
    chart.setAttribute('aria-label', entries.map(([user, count]) => `${user}: ${count}`).join(', '));
    chart.replaceChildren(...entries.map(([user, count], index) => {
      const y = index * row;
      const group = svg('g', { class: 'chart-row', 'data-user': user, 'data-count': count });
      const label = svg('text', { x: labelWidth - 8, y: y + barHeight - 3, class: 'chart-label', 'text-anchor': 'end' },
        user.length > 12 ? user.slice(0, 11) + '…' : user);
      const bar = svg('rect', {
        x: labelWidth, y: y + 2, height: barHeight - 2, rx: 3,
        width: Math.max(2, Math.round((count / max) * span)), class: 'chart-bar',
      });
      const value = svg('text', { x: labelWidth + Math.max(2, Math.round((count / max) * span)) + 6, y: y + barHeight - 3, class: 'chart-value' },
        String(count));
      group.append(svg('title', {}, `${user}: ${count} message${count === 1 ? '' : 's'}`), label, bar, value);
      return group;
    }));
  }

  // ---- wiring ----

  ui.loginForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = ui.nameInput.value.trim();
    if (!NAME_PATTERN.test(name)) {
      ui.loginError.textContent = 'A name is 1 to 32 letters, digits, _, - or .';
      return;
    }
    ui.loginError.textContent = '';
    signIn(name);
  });

  ui.joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const room = ui.roomInput.value.trim().replace(/^#/, '');
    if (!room) return;
    joinRoom(room);
    ui.roomInput.value = '';
  });

  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = ui.messageInput.value;
    if (!text.trim() || !state.identified) return;
    sendText(text);
    ui.messageInput.value = '';
  });

  ui.leave.addEventListener('click', () => {
    const target = currentConversation();
    if (target && target.kind === 'room') send({ type: 'leave', room: target.name });
  });

  ui.logout.addEventListener('click', signOut);

  ui.olderButton.addEventListener('click', () => loadOlder(currentConversation()));

  // Scrolling the messages to the top asks for the page before them (only when they overflow: a scroll happened).
  ui.messages.addEventListener('scroll', () => {
    if (ui.messages.scrollTop <= NEAR_TOP_PX && ui.messages.scrollHeight > ui.messages.clientHeight) {
      loadOlder(currentConversation());
    }
  }, { passive: true });

  // The certificate's fingerprint, to compare with the one in the server's log (a self-signed certificate has no other proof).
  fetch('/api/status').then((r) => r.json()).then((s) => { const f = document.getElementById('fingerprint'); if (s.tlsFingerprint) { f.textContent = `Server certificate SHA-256: ${s.tlsFingerprint}`; f.hidden = false; } }).catch(() => {});
  renderChart(undefined);
})();
