// ActorChat web client: wire protocol v1 over a WebSocket, one JSON frame per text message.
// Everything other people wrote reaches the page through textContent, never as HTML.
'use strict';

(() => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const FALLBACK_ROOM = 'general';    // a server too old to name its default room in welcome
  const RECONNECT_FIRST_MS = 500;
  const RECONNECT_MAX_MS = 5000;
  const PING_EVERY_MS = 25000;
  const MAX_LINES = 500;
  const HISTORY_PAGE = 50;            // messages per "Load older messages" request
  const HISTORY_TIMEOUT_MS = 15000;   // a request not answered by then may be sent again
  const JUMP_AFTER = 10;              // a search result's page of history goes this many seqs past it
  const NEAR_TOP_PX = 4;
  const PINNED_PX = 24;               // this close to the bottom counts as reading the newest message
  const NAME_RETRIES = 12;            // a restored name still held by the closing page: tries before giving up
  const NAME_HELD_RETRY_MS = 1000;    // a server that answered but still holds our name is asked again this soon
  const SAVED_KEY = 'actorchat.session';
  const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
  const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
  // Errors that answer a hello or register: the sign-in failed (or, for a taken name, may be retried).
  const ROLE_WORDS = { owner: 'an owner', moderator: 'a moderator', member: 'a plain member' };
  // What a refused control was trying to do, for the red line that gives the server's reason.
  const ACTION_WORDS = {
    topic: 'set the topic', mode: 'change the room settings', invite: 'invite', role: 'change the role',
    kick: 'remove the member', room_ban: 'ban from the room', room_unban: 'lift the room ban', delete: 'delete the message',
    kill: 'disconnect the user', ban: 'ban from the server',
  };
  const EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀']; // the reaction picker
  const TYPING_SEND_MS = 3000;        // at most one typing frame per room this often
  const TYPING_SHOW_MS = 5000;        // "alice is typing…" stays this long after their last typing frame
  const READ_DELAY_MS = 300;          // read markers wait this long, so a burst of messages sends one
  const BASE_TITLE = document.title;
  // Links, `code`, *bold*, _italic_ and @mentions in a message's text; everything else is plain text.
  const RICH_PATTERN = /(https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]])|`([^`\n]+)`|(?<![\w*])\*([^*\s](?:[^*\n]*[^*\s])?)\*(?![\w*])|(?<![\w])_([^_\s](?:[^_\n]*[^_\s])?)_(?![\w])|(?<![A-Za-z0-9_.-])@([A-Za-z0-9_.-]*[A-Za-z0-9_-])/g;
  const SIGN_IN_ERRORS = ['name_taken', 'invalid_name', 'auth_failed', 'auth_required', 'weak_password', 'banned',
    'not_permitted', 'already_identified'];

  const $ = (id) => document.getElementById(id);
  const ui = {
    login: $('login'), loginForm: $('login-form'), nameInput: $('name-input'), loginError: $('login-error'),
    chat: $('chat'), me: $('me'), status: $('status'), statusText: $('status-text'), logout: $('logout'), adminLink: $('admin-link'),
    joinForm: $('join-form'), roomInput: $('room-input'), conversations: $('conversations'),
    serverRooms: $('server-rooms'), serverRoomsSection: $('server-rooms-section'),
    title: $('conversation-title'), leave: $('leave-button'), messages: $('messages'),
    composer: $('composer'), messageInput: $('message-input'), fileInput: $('file-input'), attachButton: $('attach-button'),
    uploadProgress: $('upload-progress'), replyBar: $('reply-bar'), replyText: $('reply-text'),
    replyCancel: $('reply-cancel'), typing: $('typing'), sendButton: document.querySelector('#composer button[type=submit]'),
    members: $('members'), memberCount: $('member-count'), chart: $('chart'),
    older: $('older'), olderButton: $('older-button'), olderNote: $('older-note'),
    passwordInput: $('password-input'), registerButton: $('register-button'),
    topic: $('room-topic'), roomMenu: $('room-menu'), topicForm: $('topic-form'), topicInput: $('topic-input'),
    modeForm: $('mode-form'), privateInput: $('private-input'), roomPasswordInput: $('room-password-input'),
    inviteForm: $('invite-form'), inviteInput: $('invite-input'), notice: $('notice'),
    unbanForm: $('unban-form'), unbanInput: $('unban-input'),
    joinPasswordPrompt: $('join-password-prompt'), joinPasswordInput: $('join-password-input'),
    joinPasswordLabel: $('join-password-label'),
    searchForm: $('search-form'), searchInput: $('search-input'), searchPanel: $('search-panel'), searchTitle: $('search-title'),
    searchClose: $('search-close'), searchNote: $('search-note'), searchResults: $('search-results'), searchMore: $('search-more'),
  };

  const state = {
    name: null,          // the name we chose; kept across reconnects and reloads
    identified: false,   // the server welcomed us on the current socket
    welcomed: false,     // the server welcomed us at least once since sign-in: name errors mean "still held", not "refused"
    wanted: false,       // the user wants to be online: reconnect when the socket drops
    socket: null,
    attempt: 0,
    nameRetries: 0,
    nameHeld: false,     // the current socket is closing because the server still holds our name: ask it again soon
    reconnectTimer: 0,
    pingTimer: 0,
    // In cluster mode: "host:port" of the other nodes' web chats (from /api/status), to fall back on when the node
    // that served the page cannot be reached; node is the index into [location.host, ...nodes] to connect to.
    nodes: [],
    node: 0,
    defaultRoom: FALLBACK_ROOM,
    conversations: new Map(), // key → conversation (rooms by lower-case name, direct chats by '@' + name)
    current: null,
    showOnJoin: null,         // key of a room the user just asked to join: switch to it when joined
    restore: null,            // rooms to rejoin after a reload: { rooms: [names], current: key }
    serverRooms: [],          // the last rooms frame
    roomsRefresh: 0,
    nextRef: 0,
    pending: new Map(),       // ref → what the frame asked for, until its answer or error comes back
    pinned: true,             // the view follows the newest message
    credentials: null,        // { password, register } for the next hello or register only; forgotten once answered
    account: false,           // signed in to an account (not a guest): the room settings and moderation show
    operator: false,          // the welcome said this account is one of the server's operators: kill and server ban show
    cookieName: null,         // the account the session cookie stands for, when the page holds one
    joinPasswordFor: null,    // a private room whose join asked for its password
    replyTo: null,            // { key, id, sender, text }: the message the next line answers
    editing: null,            // { key, id }: the own message the input is rewriting
    completion: null,         // { start, prefix, matches, index }: @-completion cycling with Tab
    hiddenUnread: 0,          // messages that came while the tab was hidden: shown in the title
    askedNotify: false,       // permission for notifications is asked at most once
    search: null,             // { query, terms, next, pending, count }: the search shown in the results panel
    jump: null,               // { key, id, seq }: a search result to show once its room is joined
    found: null,              // { key, id }: the message a search result jumped to, highlighted in its conversation
  };

  // ---- small DOM helpers: text only ----

  // ---- files: upload with progress, attachments as links, images as previews ----

  /** Where a file downloads; the upload token lets a guest's <img> in (an account's cookie would too). */
  function fileUrl(file) {
    const path = `/api/files/${encodeURIComponent(file.id)}/${encodeURIComponent(file.name)}`;
    return state.uploadToken ? `${path}?token=${encodeURIComponent(state.uploadToken)}` : path;
  }

  const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

  /** Asked for once, the first time a file is shown or shared; a guest has no cookie for the download URLs. */
  function requestUploadToken() {
    if (state.uploadToken || state.uploadTokenAsked) return state.uploadTokenReady;
    state.uploadTokenAsked = true;
    state.uploadTokenReady = new Promise((resolve) => { state.uploadTokenResolve = resolve; });
    send({ type: 'uploadToken' });
    return state.uploadTokenReady;
  }

  function onUploadToken(frame) {
    state.uploadToken = frame.token;
    if (state.uploadTokenResolve) state.uploadTokenResolve();
    const current = currentConversation();
    if (current) renderLinesKeepingView(current); // the links and previews shown so far get the token
  }

  function attachmentsNode(files) {
    requestUploadToken();
    const list = el('span', 'line-files');
    for (const file of files) {
      const item = el('span', 'line-file');
      if (IMAGE_TYPES.includes(file.type)) {
        const image = el('img', 'line-image');
        image.src = fileUrl(file);
        image.alt = file.name;
        image.loading = 'lazy';
        item.append(image);
      }
      const link = el('a', 'line-file-link', `${file.name} (${formatSize(file.size)})`);
      link.href = fileUrl(file);
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      item.append(link);
      list.append(item);
    }
    return list;
  }

  function formatSize(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  }

  /** One file over XMLHttpRequest (for its upload progress); resolves with the stored file or rejects with why. */
  function uploadFile(file, onProgress) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open('POST', `/api/files?name=${encodeURIComponent(file.name || 'pasted')}`);
      if (state.uploadToken) request.setRequestHeader('Authorization', `Bearer ${state.uploadToken}`);
      request.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); };
      request.onload = () => {
        let answer = null;
        try { answer = JSON.parse(request.responseText); } catch { /* not JSON */ }
        if (request.status === 201 && answer) resolve(answer);
        else reject(new Error((answer && answer.message) || `upload refused (${request.status})`));
      };
      request.onerror = () => reject(new Error('upload failed'));
      request.send(file);
    });
  }

  /** Uploads the files one after another, then says them in the current conversation with the typed text. */
  async function shareFiles(files) {
    const target = currentConversation();
    if (!target || !state.identified || !files.length) return;
    await Promise.race([requestUploadToken(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    const stored = [];
    for (const file of files) {
      try {
        stored.push(await uploadFile(file, (part) => { ui.uploadProgress.textContent = `${file.name}: ${Math.round(part * 100)}%`; }));
      } catch (error) {
        addLine(target, { kind: 'error', text: `${file.name}: ${error.message}` });
      }
    }
    ui.uploadProgress.textContent = '';
    if (!stored.length) return;
    const text = ui.messageInput.value.trim() || stored.map((file) => file.name).join(', ');
    ui.messageInput.value = '';
    const attachments = stored.map((file) => file.id);
    if (target.kind === 'room') send({ type: 'say', room: target.name, text, attachments }, { kind: 'say', key: target.key, text });
    else send({ type: 'dm', to: target.name, text, attachments }, { kind: 'dm', key: target.key, text });
  }

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

  // ---- dates: the time alone for today, the date too for earlier days ----

  const parseTime = (timestamp) => {
    const date = new Date(timestamp);
    return Number.isNaN(date.getTime()) ? null : date;
  };

  const dayOf = (date) => `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;

  function isToday(date) {
    return dayOf(date) === dayOf(new Date());
  }

  function shownTime(timestamp) {
    const date = parseTime(timestamp);
    if (!date) return '';
    const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    if (isToday(date)) return time;
    const sameYear = date.getFullYear() === new Date().getFullYear();
    const day = date.toLocaleDateString([], { day: 'numeric', month: 'short', year: sameYear ? undefined : 'numeric' });
    return `${day} ${time}`;
  }

  function dayLabel(date) {
    if (isToday(date)) return 'Today';
    const yesterday = new Date();
    yesterday.setDate(yesterday.getDate() - 1);
    if (dayOf(date) === dayOf(yesterday)) return 'Yesterday';
    const sameYear = date.getFullYear() === new Date().getFullYear();
    return date.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: sameYear ? undefined : 'numeric' });
  }

  const roomKey = (room) => room.toLowerCase();
  const dmKey = (user) => '@' + user.toLowerCase();

  // ---- what survives a reload: the name and the rooms (per tab) ----

  function save() {
    if (!state.name || !state.wanted) return;
    // Rooms still being joined count too: a reload before their joined frames arrive must not forget them.
    const rooms = [...state.conversations.values()].filter((c) => c.kind === 'room' && c.inRoom).map((c) => c.name);
    for (const asked of state.pending.values()) {
      if (asked.kind === 'join' && !rooms.some((room) => roomKey(room) === asked.key)) rooms.push(asked.name);
    }
    const current = state.current && state.current.startsWith('@') ? null : (state.current || state.showOnJoin);
    try {
      sessionStorage.setItem(SAVED_KEY, JSON.stringify({ name: state.name, rooms, current }));
    } catch { /* storage off: a reload signs out */ }
  }

  function loadSaved() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(SAVED_KEY) || 'null');
      if (!saved || typeof saved.name !== 'string' || !NAME_PATTERN.test(saved.name)) return null;
      const rooms = Array.isArray(saved.rooms) ? saved.rooms.filter((r) => typeof r === 'string' && ROOM_PATTERN.test(r)) : [];
      return { name: saved.name, rooms, current: typeof saved.current === 'string' ? saved.current : null };
    } catch {
      return null;
    }
  }

  function forgetSaved() {
    try { sessionStorage.removeItem(SAVED_KEY); } catch { /* nothing kept */ }
  }

  // ---- connection ----

  function setStatus(kind, text) {
    ui.status.dataset.state = kind;
    ui.statusText.textContent = text || kind;
    // Who is online is only known while connected: the presence dots go grey meanwhile.
    ui.members.dataset.presence = kind === 'connected' ? 'live' : 'unknown';
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const targets = [location.host, ...state.nodes];
    const target = targets[state.node % targets.length];
    const socket = new WebSocket(`${scheme}://${target}/ws`);
    let opened = false;
    socket.addEventListener('open', () => { opened = true; });
    state.socket = socket;
    state.identified = false;
    setStatus(state.attempt === 0 ? 'connecting' : 'reconnecting', state.attempt === 0 ? 'connecting…' : 'reconnecting…');

    socket.addEventListener('open', sendSignIn);
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let frame;
      try { frame = parseFrame(event.data); } catch { return; }
      handleFrame(frame);
    });
    socket.addEventListener('close', () => {
      if (state.socket !== socket) return;
      state.socket = null;
      state.identified = false;
      clearInterval(state.pingTimer);
      forgetPendingRequests(); // their answers will not come on a new socket
      const nameHeld = state.nameHeld;
      state.nameHeld = false;
      // A lost connection tries the node that served the page first; one that cannot be reached, the next node; one
      // that answered but still holds our name (a cluster that has not yet let the killed node's session go), the
      // same node again, soon: going back to a node that is down would only delay the rejoin.
      state.node = !opened ? state.node + 1 : nameHeld ? state.node : 0;
      if (state.wanted) scheduleReconnect(nameHeld);
      else setStatus('disconnected');
    });
  }

  function scheduleReconnect(nameHeld) {
    // Backing off is for a server that is away; one that holds our name frees it as soon as it lets the old session go.
    const base = nameHeld ? NAME_HELD_RETRY_MS : Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** state.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    if (!nameHeld) state.attempt++;
    setStatus('reconnecting', `reconnecting in ${Math.max(1, Math.round(delay / 1000))} s…`);
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = setTimeout(connect, delay);
  }

  // A search cursor (searchResults.next, search.before) is a 64-bit number, more than a JS number holds exactly:
  // the page keeps it as its digits, read from the frame's text and written back into it unchanged.
  const CURSOR_DIGITS = /^\d{1,19}$/;

  function parseFrame(text) {
    const frame = JSON.parse(text, function keepCursor(key, value, context) {
      if (key !== 'next' || typeof value !== 'number' || this.type !== 'searchResults') return value;
      return context && typeof context.source === 'string' ? context.source : value;
    });
    if (frame && frame.type === 'searchResults' && typeof frame.next === 'number') {
      // A browser without JSON.parse's source text: the frame's own "next" (user text cannot hold an unescaped quote).
      const found = [...text.matchAll(/"next":(\d{1,19})[,}]/g)];
      frame.next = found.length ? found[found.length - 1][1] : String(frame.next);
    }
    return frame;
  }

  /**
   * Sends a frame tagged with a fresh ref. <context> says what the frame asked for: its answer or error
   * carries the same ref, which is how the page knows which request an error belongs to.
   */
  function send(frame, context) {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) return false;
    const ref = String(++state.nextRef);
    let text = JSON.stringify({ ...frame, ref });
    if (typeof frame.before === 'string' && CURSOR_DIGITS.test(frame.before)) {
      text = text.replace(`"before":"${frame.before}"`, `"before":${frame.before}`);
    }
    state.socket.send(text);
    if (context) state.pending.set(ref, context);
    return true;
  }

  /** What the frame with this ref asked for, taken off the list: each ref has one answer. */
  function takePending(frame) {
    if (typeof frame.ref !== 'string') return undefined;
    const context = state.pending.get(frame.ref);
    state.pending.delete(frame.ref);
    return context;
  }

  /**
   * A password goes out once, in the first hello (or register) after the user typed it. Later connections say
   * hello without it: the session cookie, which this page's script cannot read, signs them in to the account.
   */
  function sendSignIn() {
    const credentials = state.credentials;
    if (credentials && credentials.register) {
      send({ type: 'register', name: state.name, password: credentials.password }, { kind: 'hello' });
    } else if (credentials) {
      send({ type: 'hello', name: state.name, password: credentials.password }, { kind: 'hello' });
    } else {
      send({ type: 'hello', name: state.name }, { kind: 'hello' });
    }
  }

  /**
   * Remembers the cluster's other web chats while connected, as the page's own server lists them, to reconnect to
   * when it goes away. Only over plain HTTP: the nodes are listed with their HTTP port, which an HTTPS page may not use.
   */
  function learnNodes() {
    if (location.protocol !== 'http:') return;
    fetch('/api/status', { cache: 'no-store' }).then((r) => r.json()).then((s) => {
      if (!Array.isArray(s.nodes)) return;
      const hosts = s.nodes.filter((n) => typeof n.host === 'string' && Number.isInteger(n.web) && n.web > 0)
        .map((n) => (n.host.includes(':') ? `[${n.host}]:${n.web}` : `${n.host}:${n.web}`))
        .filter((h) => h !== location.host);
      if (hosts.length > 0) state.nodes = hosts;
    }).catch(() => { /* keep the list we had: the page's own server may be the one that went away */ });
  }

  /** Trades the one-time token of a welcome for the HttpOnly session cookie, and forgets it. */
  async function keepSession(token) {
    try {
      const response = await fetch('/api/session', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }),
      });
      if (response.ok) state.cookieName = state.name;
    } catch { /* no cookie: a reload shows the sign-in form again */ }
  }

  /** Revokes the session on the server and clears the cookie. */
  async function dropSession() {
    try {
      await fetch('/api/session/delete', { method: 'POST' });
    } catch { /* the server is away; the cookie expires by itself */ }
  }

  function signIn(name, restore, credentials) {
    state.credentials = credentials || null;
    state.name = name;
    state.wanted = true;
    state.welcomed = false;
    state.attempt = 0;
    state.nameRetries = 0;
    state.restore = restore || null;
    if (restore) showChat(); // a reload: back to the chat view at once, not to the name form
    connect();
  }

  async function signOut() {
    if (state.account || state.cookieName) await dropSession();
    state.account = false;
    state.operator = false;
    state.cookieName = null;
    state.credentials = null;
    setNotice('');
    state.wanted = false;
    forgetSaved();
    clearTimeout(state.reconnectTimer);
    if (!send({ type: 'quit' }) && state.socket) state.socket.close();
    state.conversations.clear();
    state.current = null;
    state.restore = null;
    state.serverRooms = [];
    ui.chat.hidden = true;
    ui.login.hidden = false;
    ui.me.hidden = true;
    ui.logout.hidden = true;
    ui.adminLink.hidden = true;
    ui.searchForm.hidden = true;
    closeSearch();
    setStatus('disconnected');
    ui.nameInput.focus();
  }

  function showChat() {
    ui.login.hidden = true;
    ui.chat.hidden = false;
    ui.me.hidden = false;
    ui.logout.hidden = false;
    ui.adminLink.hidden = !state.operator; // the dashboard is for operators; others would only be refused there
    ui.me.textContent = state.name;
    ui.searchForm.hidden = false;
  }

  // ---- frames from the server ----

  function handleFrame(frame) {
    const asked = takePending(frame);
    switch (frame.type) {
      case 'welcome': onWelcome(frame, false); break;
      case 'registered': onWelcome(frame, true); break;
      case 'topic': onTopic(frame); break;
      case 'mode': onMode(frame); break;
      case 'invited': roomLine(frame.room, `${frame.user} may now join #${frame.room} (invited by ${frame.by})`); break;
      case 'role': onRole(frame); break;
      case 'kicked': onKicked(frame); break;
      case 'room_banned': roomLine(frame.room, `${frame.user} is banned from #${frame.room}${reasonText(frame.reason)}`); break;
      case 'room_unbanned': roomLine(frame.room, `${frame.user} may join #${frame.room} again`); break;
      case 'done': onDone(frame, asked); break;
      case 'deleted': onDeleted(frame); break;
      case 'reaction': onReaction(frame); break;
      case 'edited': onEdited(frame); break;
      case 'typing': onTyping(frame); break;
      case 'dropped': onDropped(frame); break;
      case 'joined': onJoined(frame, asked); break;
      case 'presence': onPresence(frame); break;
      case 'message': onMessage(frame, false); break;
      case 'left': onLeft(frame); break;
      case 'dm': onDirect(frame); break;
      case 'dms': onDms(frame); break;
      case 'uploadToken': onUploadToken(frame); break;
      case 'rooms': state.serverRooms = frame.rooms || []; renderServerRooms(); break;
      case 'members': onMembers(frame, asked); break;
      case 'stats': onStats(frame); break;
      case 'history': onHistory(frame, asked); break;
      case 'searchResults': onSearchResults(frame, asked); break;
      case 'error': onError(frame, asked); break;
      case 'ping': send({ type: 'pong' }); break; // the server checks that a quiet page is still there
      case 'bye':
        if (frame.reason === 'server_shutdown') systemLineEverywhere('The server is restarting; reconnecting…');
        if (frame.reason === 'killed' || frame.reason === 'banned') onSentAway(frame);
        break;
      default: break; // pong and frames of later protocol versions
    }
  }

  function onWelcome(frame, registered) {
    const byCookie = !state.credentials && state.cookieName !== null && roomKey(state.cookieName) === roomKey(frame.name);
    state.account = registered || typeof frame.sessionToken === 'string' || byCookie || (state.account && !state.credentials);
    state.operator = frame.operator === true;
    state.credentials = null; // the password is not kept: a reconnect signs in by the cookie
    if (typeof frame.sessionToken === 'string') keepSession(frame.sessionToken);
    state.name = frame.name;
    state.identified = true;
    state.welcomed = true;
    state.attempt = 0;
    state.nameRetries = 0;
    if (typeof frame.room === 'string' && ROOM_PATTERN.test(frame.room)) state.defaultRoom = frame.room;
    setStatus('connected');
    showChat();
    clearInterval(state.pingTimer);
    // The nodes are asked for again with every ping: a node that had not yet heard of the others when the page
    // was welcomed (just after it or they started) lists them later, and the page can fail over only to nodes it knows.
    state.pingTimer = setInterval(() => { send({ type: 'ping' }); learnNodes(); }, PING_EVERY_MS);
    learnNodes();

    // After a reconnect, come back to every room we were in; the joined frames bring the missed history.
    // After a reload, to the rooms saved for this tab; the first time, to the server's default room.
    const rooms = [...state.conversations.values()].filter((c) => c.kind === 'room' && c.inRoom).map((c) => c.name);
    if (rooms.length === 0 && state.restore && state.restore.rooms.length > 0) {
      rooms.push(...state.restore.rooms);
      state.showOnJoin = state.restore.current || roomKey(rooms[0]);
    } else if (rooms.length === 0 && state.conversations.size === 0) {
      rooms.push(state.defaultRoom);
      state.showOnJoin = roomKey(state.defaultRoom);
    }
    state.restore = null;
    for (const room of rooms) {
      const known = state.conversations.get(roomKey(room));
      const join = { type: 'join', room };
      if (known && known.password) join.password = known.password; // a private room's password, kept in memory only
      send(join, { kind: 'join', key: roomKey(room), name: room });
    }
    send({ type: 'rooms' });
    if (state.account) send({ type: 'dms' }); // kept direct messages: the conversations and their unread counts
    save();
    render();
  }

  // ---- kept direct messages (between accounts) ----

  /** The account's conversations: listed with their unread counts; opening one loads its history. */
  function onDms(frame) {
    for (const summary of frame.conversations || []) {
      if (typeof summary.with !== 'string' || !NAME_PATTERN.test(summary.with)) continue;
      const chat = ensureConversation('dm', summary.with);
      chat.kept = true;
      chat.lastSeq = Math.max(chat.lastSeq || 0, summary.lastSeq || 0);
      if (state.current === chat.key) openKeptDirect(chat);
      else chat.unread = summary.unread || 0;
    }
    renderConversations();
  }

  /** The first time a kept conversation is shown, its latest page is asked for; being shown marks it read. */
  function openKeptDirect(chat) {
    if (!chat || chat.kind !== 'dm' || !chat.kept || !state.identified) return;
    if (!chat.historyAsked) {
      chat.historyAsked = true;
      send({ type: 'history', room: '@' + chat.name, limit: HISTORY_PAGE }, { kind: 'history', key: chat.key });
    }
    if ((chat.lastSeq || 0) > chat.readSent) {
      chat.readSent = chat.lastSeq;
      send({ type: 'read', room: '@' + chat.name, seq: chat.lastSeq });
    }
  }

  function onError(frame, asked) {
    if (!state.identified && SIGN_IN_ERRORS.includes(frame.code)) {
      const nameHeld = frame.code === 'name_taken' || frame.code === 'invalid_name';
      if (nameHeld && !state.credentials
          && (state.welcomed || (state.restore && frame.code === 'name_taken' && state.nameRetries++ < NAME_RETRIES))) {
        // Our old connection (or the page before a reload) still holds the name on the server; try again shortly.
        state.nameHeld = true;
        if (state.socket) state.socket.close();
      } else {
        // The sign-in failed: back to the name form.
        state.wanted = false;
        forgetSaved();
        if (state.socket) state.socket.close();
        setStatus('disconnected');
        ui.chat.hidden = true;
        ui.login.hidden = false;
        ui.me.hidden = true;
        ui.logout.hidden = true;
        ui.adminLink.hidden = true;
        ui.searchForm.hidden = true;
        closeSearch();
        state.credentials = null;
        state.account = false;
        ui.nameInput.value = state.name || '';
        ui.loginError.textContent = signInProblem(frame);
        ui.loginError.dataset.code = frame.code;
        ui.nameInput.focus();
      }
      return;
    }
    if (frame.code === 'room_failed' && frame.room) {
      // The room failed on the server and we are out of it: it goes back to the rooms to join.
      onLeft({ room: frame.room });
      const now = currentConversation();
      if (now) addLine(now, { kind: 'error', text: frame.message });
      return;
    }
    switch (asked && asked.kind) {
      case 'say': onSayRefused(frame, asked); return;
      case 'dm': onDirectRefused(frame, asked); return;
      case 'history': onHistoryRefused(frame, asked); return;
      case 'search': onSearchRefused(frame, asked); return;
      case 'jump': return; // the message could not be loaded: its conversation is shown as it is
      case 'join':
        if (state.showOnJoin === asked.key) state.showOnJoin = null;
        save(); // a room that could not be joined is not one to rejoin after a reload
        if (onJoinRefused(frame, asked)) return;
        break;
      default: break;
    }
    const target = (asked && asked.key && state.conversations.get(asked.key)) || currentConversation();
    const action = asked && ACTION_WORDS[asked.kind];
    if (target) addLine(target, { kind: 'error', text: action ? `Could not ${action}${asked.user ? ` (${asked.user})` : ''}: ${frame.message}` : frame.message });
  }

  /** An operator's kill or server ban went through. */
  function onDone(frame, asked) {
    const target = currentConversation();
    if (!target || !asked || !asked.user) return;
    if (frame.request === 'kill') addLine(target, { kind: 'system', text: `${asked.user} was disconnected from the server` });
    if (frame.request === 'ban') addLine(target, { kind: 'system', text: `${asked.user} is banned from the server` });
  }

  /** An operator disconnected us, or banned us: no reconnecting; the form says why. */
  function onSentAway(frame) {
    state.wanted = false;
    clearTimeout(state.reconnectTimer);
    forgetSaved();
    const why = frame.reason === 'killed'
      ? `An operator disconnected you${frame.message ? `: ${frame.message}` : '.'}`
      : `You are banned from this server. ${frame.message || ''}`.trim();
    state.conversations.clear();
    state.current = null;
    ui.chat.hidden = true;
    ui.login.hidden = false;
    ui.me.hidden = true;
    ui.logout.hidden = true;
    ui.adminLink.hidden = true;
    setStatus('disconnected');
    ui.loginError.textContent = why;
    ui.loginError.dataset.code = frame.reason;
    ui.nameInput.value = state.name || '';
  }

  /** Someone's role in a room changed: the line says so, the member list shows it. */
  function onRole(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    setRole(room, frame.user, frame.role);
    addLine(room, { kind: 'system', text: `${frame.by} made ${frame.user} ${ROLE_WORDS[frame.role] || frame.role}` });
    if (state.current === room.key) renderMembers(room);
  }

  function setRole(room, user, role) {
    if (role === 'owner' || role === 'moderator') room.roles.set(roomKey(user), role);
    else room.roles.delete(roomKey(user));
  }

  /** The roles a joined or members frame names (members whose role counts now). */
  function takeRoles(room, roles) {
    room.roles = new Map(Object.entries(roles || {}).map(([user, role]) => [roomKey(user), role]));
  }

  const roleOf = (room, user) => room.roles.get(roomKey(user)) || 'member';

  /** Why a sign-in failed, in plain words for the form. */
  function signInProblem(frame) {
    switch (frame.code) {
      case 'auth_failed': return 'Wrong name or password: check both and try again.';
      case 'auth_required': return 'This server is for accounts only: enter your password and sign in, or register.';
      case 'weak_password': return `Choose a stronger password: ${frame.message}`;
      case 'name_taken': return 'That name is taken: someone is using it or it belongs to an account. Pick another, or enter its password.';
      case 'not_permitted': return `This server has no accounts: leave the password empty and sign in. (${frame.message})`;
      default: return frame.message;
    }
  }

  /** A join refused for a private or banned room: say so plainly, and ask for the password when one may help. */
  function onJoinRefused(frame, asked) {
    const room = `#${asked.name}`;
    let text;
    switch (frame.code) {
      case 'invite_only': text = `${room} is private: you need an invitation or its password.`; break;
      case 'bad_password': text = `That is not the password of ${room}.`; break;
      case 'banned': text = `You are banned from ${room}. ${frame.message}`; break;
      default: return false;
    }
    setNotice(text);
    if (frame.code !== 'banned') askJoinPassword(asked.name);
    const target = currentConversation();
    if (target) addLine(target, { kind: 'error', text });
    return true;
  }

  function askJoinPassword(room) {
    state.joinPasswordFor = room;
    ui.roomInput.value = room;
    ui.joinPasswordLabel.textContent = `Password of #${room}`;
    ui.joinPasswordPrompt.hidden = false;
    ui.joinPasswordInput.value = '';
    ui.joinPasswordInput.focus();
  }

  function closeJoinPassword() {
    state.joinPasswordFor = null;
    ui.joinPasswordPrompt.hidden = true;
    ui.joinPasswordInput.value = '';
  }

  function setNotice(text) {
    ui.notice.textContent = text;
    ui.notice.hidden = !text;
  }

  const reasonText = (reason) => (reason ? `: ${reason}` : '');

  /** A line in a room the page shows, if it does. */
  function roomLine(name, text, kind) {
    const room = state.conversations.get(roomKey(name));
    if (room) addLine(room, { kind: kind || 'system', text });
  }

  function onTopic(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    room.topic = frame.topic || '';
    addLine(room, { kind: 'system', text: room.topic ? `${frame.by} set the topic: ${room.topic}` : `${frame.by} cleared the topic` });
    if (state.current === room.key) renderRoomHead(room);
  }

  function onMode(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    room.private = frame.private === true;
    const how = room.private ? `private${frame.password ? ', with a password' : ''}` : 'public';
    addLine(room, { kind: 'system', text: `${frame.by} made #${frame.room} ${how}` });
    if (state.current === room.key) renderRoomHead(room);
  }

  /** Someone was put out of a room; when it is us, the room goes and the reason stays in view. */
  function onKicked(frame) {
    if (!isMe(frame.user)) {
      roomLine(frame.room, `${frame.user} was removed by ${frame.by}${reasonText(frame.reason)}`);
      return;
    }
    const text = `You were removed from #${frame.room} by ${frame.by}${reasonText(frame.reason)}`;
    onLeft({ room: frame.room });
    setNotice(text);
    const now = currentConversation();
    if (now) addLine(now, { kind: 'error', text });
  }

  /** A message became a tombstone: shown as "message deleted" from now on. */
  function onDeleted(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    const line = room.lines.find((candidate) => candidate.kind === 'message' && candidate.id === frame.id);
    if (!line) return;
    line.deleted = true;
    line.text = '';
    line.reactions = new Map();
    line.attachments = [];
    refreshLine(room, line);
  }

  function findLine(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    const line = room && room.lines.find((candidate) => candidate.kind === 'message' && candidate.id === frame.id);
    return line ? { room, line } : null;
  }

  /** Draws a message again where it is, when the room is in view. */
  function refreshLine(room, line) {
    if (state.current !== room.key) return;
    const node = [...ui.messages.children].find((item) => item.dataset.id === line.id);
    if (node) node.replaceWith(lineNode(line));
  }

  function onReaction(frame) {
    const found = findLine(frame);
    if (!found) return;
    const users = found.line.reactions.get(frame.emoji) || [];
    const others = users.filter((user) => roomKey(user) !== roomKey(frame.user));
    if (frame.on) others.push(frame.user);
    if (others.length) found.line.reactions.set(frame.emoji, others);
    else found.line.reactions.delete(frame.emoji);
    refreshLine(found.room, found.line);
  }

  function onEdited(frame) {
    const found = findLine(frame);
    if (!found) return;
    found.line.text = frame.text;
    found.line.editedAt = frame.editedAt || true;
    refreshLine(found.room, found.line);
  }

  /** "alice is typing…" for 5 s after alice's last typing frame. */
  function onTyping(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room || isMe(frame.user)) return;
    clearTimeout(room.typing.get(frame.user));
    room.typing.set(frame.user, setTimeout(() => {
      room.typing.delete(frame.user);
      renderTyping();
    }, TYPING_SHOW_MS));
    renderTyping();
  }

  function renderTyping() {
    const room = currentConversation();
    const users = room && room.typing ? [...room.typing.keys()] : [];
    ui.typing.textContent = users.length === 0 ? ''
      : users.length === 1 ? `${users[0]} is typing…`
        : `${users.slice(0, -1).join(', ')} and ${users[users.length - 1]} are typing…`;
  }

  /** An operator removed a room: it leaves the list, and a line says who did and why. */
  function onDropped(frame) {
    const text = `#${frame.room} was dropped by ${frame.by}${reasonText(frame.reason)}`;
    onLeft({ room: frame.room });
    setNotice(text);
    const now = currentConversation();
    if (now) addLine(now, { kind: 'system', text });
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

  function onDirectRefused(frame, sent) {
    const chat = state.conversations.get(sent.key) || currentConversation();
    if (chat) addLine(chat, { kind: 'error', text: frame.message });
  }

  function onHistoryRefused(frame, asked) {
    const room = state.conversations.get(asked.key);
    if (!room) return;
    finishHistoryRequest(room);
    const why = frame.code === 'unavailable' || frame.code === 'busy'
      ? 'Could not load older messages just now; try again.'
      : frame.message;
    room.historyNote = why;
    addLine(room, { kind: 'error', text: why }, true);
    if (state.current === room.key) renderOlder(room);
  }

  const shorten = (text, max) => (text.length <= max ? text : text.slice(0, max - 1) + '…');

  function ensureConversation(kind, name) {
    const key = kind === 'room' ? roomKey(name) : dmKey(name);
    let conversation = state.conversations.get(key);
    if (!conversation) {
      conversation = {
        key, kind, name, inRoom: false, lines: [], ids: new Set(), members: [], roles: new Map(), counts: new Map(), unread: 0,
        typing: new Map(), // user → the timer that stops showing them as typing
        newestSeq: 0, readSent: 0, readTimer: 0,
        maxLines: MAX_LINES, // grows by what "Load older messages" brings, so new lines do not push it out at once
        oldestSeq: null,     // the smallest message seq shown: older pages are asked for before it
        total: null,         // the room's message count from its stats: with nothing shown, whether older ones exist
        historyPending: false, historyTimer: 0, historyDone: false, historyNote: '',
      };
      state.conversations.set(key, conversation);
    }
    return conversation;
  }

  function onJoined(frame, request) {
    if (state.joinPasswordFor && roomKey(state.joinPasswordFor) === roomKey(frame.room)) closeJoinPassword();
    if (request && request.kind === 'join') setNotice('');
    const room = ensureConversation('room', frame.room);
    room.name = frame.room;
    if (!room.inRoom) addLine(room, { kind: 'system', text: `You joined #${frame.room}` }, true);
    room.inRoom = true;
    room.topic = typeof frame.topic === 'string' ? frame.topic : '';
    if (request && request.password) room.password = request.password;
    room.members = [...frame.members];
    takeRoles(room, frame.roles);
    const history = frame.history || [];
    // A room whose latest seq is below what was shown lost its messages (a server without a database restarted).
    if (room.oldestSeq !== null && (history.length === 0 || history[history.length - 1].seq < room.oldestSeq)) {
      room.oldestSeq = null;
      room.historyDone = false;
      room.historyNote = '';
    }
    room.total = null;
    for (const message of history) onMessage(message, true);
    markNewMessages(room, frame.lastRead, history);
    send({ type: 'stats', room: frame.room }); // seeds the chart and says whether older messages exist
    const asked = state.showOnJoin === room.key;
    const show = asked || !state.current;
    if (asked) state.showOnJoin = null;
    if (show) {
      state.current = room.key;
      room.unread = 0;
    }
    save();
    if (show || state.current === room.key) render();
    else renderConversations();
    if (show) ui.messageInput.focus(); // the room the user asked for: ready to type
    send({ type: 'rooms' });
    markReadSoon(room);
    if (state.jump && state.jump.key === room.key) {
      const jump = state.jump;
      state.jump = null;
      showResult(room, jump);
    }
  }

  /** A "new messages" line before the first message after the user's read marker (joined.lastRead). */
  function markNewMessages(room, lastRead, history) {
    if (typeof lastRead !== 'number') return;
    room.readSent = Math.max(room.readSent, lastRead);
    const first = history.find((message) => message.seq > lastRead && !isMe(message.sender));
    room.lines = room.lines.filter((line) => line.kind !== 'new');
    if (!first) return;
    const at = room.lines.findIndex((line) => line.kind === 'message' && line.id === first.id);
    if (at >= 0) room.lines.splice(at, 0, { kind: 'new', text: 'New messages' });
  }

  /** Registered users tell the server how far they have read: the newest seq seen while the room is in view. */
  function markReadSoon(room) {
    if (!state.account || !room || room.kind !== 'room' || !room.inRoom || room.readTimer) return;
    room.readTimer = setTimeout(() => {
      room.readTimer = 0;
      if (document.visibilityState === 'hidden' || state.current !== room.key || !room.inRoom) return;
      if (room.newestSeq <= room.readSent) return;
      room.readSent = room.newestSeq;
      send({ type: 'read', room: room.name, seq: room.newestSeq });
    }, READ_DELAY_MS);
  }

  function onLeft(frame) {
    const key = roomKey(frame.room);
    const room = state.conversations.get(key);
    if (!room) return;
    room.inRoom = false;
    state.conversations.delete(key);
    if (state.current === key) state.current = firstConversationKey();
    save();
    render();
    send({ type: 'rooms' });
  }

  function onPresence(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    if (frame.event === 'join') {
      if (!room.members.includes(frame.user)) room.members.push(frame.user);
      setRole(room, frame.user, frame.role);
      addLine(room, { kind: 'system', text: `${frame.user} joined` });
    } else {
      room.members = room.members.filter((member) => member !== frame.user);
      room.roles.delete(roomKey(frame.user));
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
    if (room.ids.has(frame.id)) return;
    room.ids.add(frame.id);
    noteSeq(room, frame.seq);
    if (typeof frame.seq === 'number' && frame.seq > room.newestSeq) room.newestSeq = frame.seq;
    addLine(room, messageLine(frame), fromHistory);
    if (!fromHistory) {
      const mine = isMe(frame.sender);
      if (!mine) noteWhileHidden(`#${room.name}`, frame, (frame.mentions || []).some(isMe));
      if (state.current === room.key) markReadSoon(room);
      room.counts.set(frame.sender, (room.counts.get(frame.sender) || 0) + 1);
      if (room.total !== null) room.total++;
      if (state.current === room.key) renderChart(room);
    }
  }

  const messageLine = (frame) => ({
    kind: 'message', id: frame.id, seq: frame.seq, room: frame.room, sender: frame.sender, text: frame.text || '',
    timestamp: frame.timestamp, deleted: frame.deleted === true, action: frame.action === true,
    replyTo: frame.replyTo || null, replyPreview: frame.replyPreview || null, mentions: frame.mentions || [],
    editedAt: frame.editedAt || null, reactions: new Map(Object.entries(frame.reactions || {})),
    attachments: Array.isArray(frame.attachments) ? frame.attachments : [],
  });

  // ---- a hidden tab: the unread count in the title, a notification for a mention or a direct message ----

  function noteWhileHidden(where, frame, notify) {
    if (document.visibilityState !== 'hidden') return;
    state.hiddenUnread++;
    document.title = `(${state.hiddenUnread}) ${BASE_TITLE}`;
    if (notify) notifyUser(`${frame.sender} in ${where}`, frame.text || '');
  }

  /** Permission is asked once, and only when there is something to tell. */
  function notifyUser(title, body) {
    if (typeof Notification !== 'function') return;
    const show = () => { try { new Notification(title, { body: shorten(body, 140) }); } catch { /* not allowed here */ } };
    if (Notification.permission === 'granted') show();
    else if (Notification.permission === 'default' && !state.askedNotify) {
      state.askedNotify = true;
      Promise.resolve(Notification.requestPermission()).then((answer) => { if (answer === 'granted') show(); }).catch(() => {});
    }
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') return;
    state.hiddenUnread = 0;
    document.title = BASE_TITLE;
    markReadSoon(currentConversation());
  });

  const isMe = (user) => user.toLowerCase() === (state.name || '').toLowerCase();

  function noteSeq(room, seq) {
    if (typeof seq === 'number' && seq > 0 && (room.oldestSeq === null || seq < room.oldestSeq)) room.oldestSeq = seq;
  }

  /** Older messages exist when the oldest shown is not the room's first, or, with none shown, when the room has any. */
  function hasOlder(room) {
    if (room.historyDone) return false;
    if (room.oldestSeq !== null) return room.oldestSeq > 1;
    return room.total !== null && room.total > 0;
  }

  // ---- older messages ----

  /** Asks for the page before the oldest message shown, unless one is on its way or there is nothing older. */
  function loadOlder(room) {
    if (!room || room.kind !== 'room' || !room.inRoom || room.historyPending || !hasOlder(room) || !state.identified) return;
    const request = { type: 'history', room: room.name, limit: HISTORY_PAGE };
    if (room.oldestSeq !== null) request.before = room.oldestSeq;
    if (!send(request, { kind: 'history', key: room.key })) return;
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
    state.pending.clear();
    if (state.search) state.search.pending = false;
    renderSearchMore();
    for (const conversation of state.conversations.values()) {
      if (conversation.historyPending) finishHistoryRequest(conversation);
    }
  }

  /**
   * A page of older messages: put them above the ones shown, keeping what is on screen where it is. A page asked
   * for by a search result may end well before the oldest message shown: a line marks the messages skipped.
   */
  function onHistory(frame, asked) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    const jump = asked && asked.kind === 'jump' ? asked : null;
    if (!jump) finishHistoryRequest(room);
    const page = frame.messages || [];
    if (page.length === 0 && !jump) room.historyDone = true;
    const oldestShown = room.oldestSeq;
    for (const message of page) noteSeq(room, message.seq);
    const fresh = page.filter((message) => !room.ids.has(message.id));
    for (const message of fresh) room.ids.add(message.id);
    const lines = fresh.map(messageLine);
    const last = lines.length ? lines[lines.length - 1].seq : null;
    if (jump && typeof last === 'number' && oldestShown !== null && last < oldestShown - 1) {
      lines.push({ kind: 'system', text: 'Later messages not loaded' });
    }
    prependLines(room, lines);
    room.historyNote = hasOlder(room) ? '' : 'No older messages';
    if (state.current === room.key) renderOlder(room);
    if (jump) highlightFound(room, jump);
  }

  function prependLines(room, lines) {
    if (lines.length === 0) return;
    // Older messages go right above the first message, below lines such as "You joined".
    let at = room.lines.findIndex((line) => line.kind === 'message');
    if (at < 0) at = room.lines.length;
    room.lines.splice(at, 0, ...lines);
    room.maxLines += lines.length;
    if (state.current === room.key) renderLinesKeepingView(room);
  }

  function renderOlder(conversation) {
    const isRoom = Boolean(conversation) && conversation.kind === 'room';
    const older = isRoom && hasOlder(conversation);
    const before = ui.older.hidden;
    ui.older.hidden = !isRoom || (!older && !conversation.historyNote);
    if (ui.older.hidden !== before) keepPinned();
    if (!isRoom) return;
    ui.olderButton.hidden = !older;
    ui.olderButton.disabled = conversation.historyPending;
    ui.olderButton.textContent = conversation.historyPending ? 'Loading older messages…' : 'Load older messages';
    ui.olderNote.textContent = conversation.historyNote;
  }

  function onDirect(frame) {
    const other = isMe(frame.from) ? frame.to : frame.from;
    const chat = ensureConversation('dm', other);
    if (chat.ids.has(frame.id)) return;
    chat.ids.add(frame.id);
    if (typeof frame.seq === 'number') {
      chat.kept = true;
      chat.lastSeq = Math.max(chat.lastSeq || 0, frame.seq);
      if (isMe(frame.from)) chat.readSent = Math.max(chat.readSent, frame.seq); // sending marks it read
      else if (state.current === chat.key && document.visibilityState !== 'hidden') openKeptDirect(chat);
    }
    addLine(chat, { kind: 'message', sender: frame.from, text: frame.text, timestamp: frame.timestamp, mentions: [], reactions: new Map(),
      attachments: Array.isArray(frame.attachments) ? frame.attachments : [] });
    if (!isMe(frame.from)) noteWhileHidden('a direct message', { sender: frame.from, text: frame.text }, true);
    renderConversations();
  }

  /** The answer to a who: the member list, and for /who a line saying who is there. */
  function onMembers(frame, asked) {
    const room = state.conversations.get(roomKey(frame.room));
    const members = frame.members || [];
    if (room) {
      room.members = [...members];
      takeRoles(room, frame.roles);
      if (state.current === room.key) renderMembers(room);
    }
    if (asked && asked.kind === 'who') {
      const target = room || currentConversation();
      if (target) addLine(target, { kind: 'system', text: `In #${frame.room} (${members.length}): ${members.join(', ')}` });
    }
  }

  function onStats(frame) {
    const room = state.conversations.get(roomKey(frame.room));
    if (!room) return;
    room.counts = new Map(Object.entries(frame.messagesPerUser || {}));
    room.total = typeof frame.total === 'number' ? frame.total : null;
    if (state.current === room.key) {
      renderChart(room);
      renderOlder(room);
    }
  }

  // ---- what the user does ----

  function joinRoom(name, password) {
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
    const join = { type: 'join', room: name };
    if (password) join.password = password;
    send(join, { kind: 'join', key: roomKey(name), name, password: password || null });
  }

  function leaveRoom(room) {
    if (room && room.kind === 'room') send({ type: 'leave', room: room.name }, { kind: 'leave', key: room.key });
  }

  function sendText(text) {
    const target = currentConversation();
    if (text.startsWith('/')) {
      runCommand(text);
      return;
    }
    if (!target) return;
    if (target.kind === 'room') {
      const say = { type: 'say', room: target.name, text };
      if (state.replyTo && state.replyTo.key === target.key) say.replyTo = state.replyTo.id;
      send(say, { kind: 'say', key: target.key, text });
    } else sendDirect(target.name, text);
    setReply(null);
  }

  function setReply(line) {
    state.replyTo = line ? { key: roomKey(line.room), id: line.id, sender: line.sender, text: line.text } : null;
    ui.replyBar.hidden = !line;
    ui.replyText.textContent = line ? `Replying to ${line.sender}: ${shorten(line.text, 80)}` : '';
    if (line) ui.messageInput.focus();
  }

  /** Up in an empty input: rewrite the last own message of the room. */
  function editLast() {
    const room = currentConversation();
    if (!room || room.kind !== 'room') return false;
    const line = [...room.lines].reverse().find((candidate) => candidate.kind === 'message' && candidate.id && !candidate.deleted && isMe(candidate.sender));
    if (!line) return false;
    state.editing = { key: room.key, id: line.id };
    ui.composer.classList.add('editing');
    ui.messageInput.value = line.text;
    return true;
  }

  function stopEditing() {
    state.editing = null;
    ui.composer.classList.remove('editing');
  }

  function completeMention() {
    const input = ui.messageInput;
    const caret = input.selectionStart;
    let completion = state.completion;
    if (!completion || completion.end !== caret) {
      const before = input.value.slice(0, caret);
      const match = /(?:^|[^A-Za-z0-9_.-])@([A-Za-z0-9_.-]*)$/.exec(before);
      const room = currentConversation();
      if (!match || !room || room.kind !== 'room') return false;
      const prefix = match[1].toLowerCase();
      const matches = room.members.filter((member) => member.toLowerCase().startsWith(prefix) && !isMe(member)).sort();
      if (matches.length === 0) return false;
      completion = { start: caret - match[1].length, matches, index: -1 };
    }
    completion.index = (completion.index + 1) % completion.matches.length;
    const name = completion.matches[completion.index] + ' ';
    input.value = input.value.slice(0, completion.start) + name + input.value.slice(caret);
    completion.end = completion.start + name.length;
    input.setSelectionRange(completion.end, completion.end);
    state.completion = completion;
    return true;
  }

  /** Others see "… is typing": one frame per room at most every 3 s while the user types. */
  function noteTyping() {
    const room = currentConversation();
    if (!room || room.kind !== 'room' || !room.inRoom || ui.messageInput.value.startsWith('/')) return;
    const now = Date.now();
    if (room.typingSent && now - room.typingSent < TYPING_SEND_MS) return;
    room.typingSent = now;
    send({ type: 'typing', room: room.name });
  }

  function sendDirect(to, text) {
    send({ type: 'dm', to, text }, { kind: 'dm', key: dmKey(to), text });
  }

  function runCommand(text) {
    const [command, ...rest] = text.trim().split(/\s+/);
    const target = currentConversation();
    switch (command.toLowerCase()) {
      case '/join': if (rest[0]) joinRoom(rest[0].replace(/^#/, '')); break;
      case '/leave': leaveRoom(target); break;
      case '/me': {
        const action = text.trim().slice(command.length).trim();
        if (action && target && target.kind === 'room') {
          send({ type: 'say', room: target.name, text: action, action: true }, { kind: 'say', key: target.key, text });
        }
        break;
      }
      case '/dm':
      case '/msg':
        if (rest.length >= 2) sendDirect(rest[0], text.trim().split(/\s+/).slice(2).join(' '));
        else if (rest[0]) openDirect(rest[0]);
        break;
      case '/who':
        if (target && target.kind === 'room') send({ type: 'who', room: target.name }, { kind: 'who', key: target.key });
        else if (target) addLine(target, { kind: 'error', text: '/who lists the members of a room; switch to a room first.' });
        break;
      case '/topic':
      case '/invite':
      case '/kick':
      case '/ban':
      case '/unban':
      case '/role':
      case '/mode':
        runRoomCommand(command.toLowerCase(), rest, text, target);
        break;
      default:
        if (target) {
          addLine(target, { kind: 'error', text: 'Commands: /join ROOM, /leave, /dm NAME [TEXT], /who, /topic TEXT, '
            + '/invite NAME, /kick NAME [reason], /ban NAME [reason], /unban NAME, /role NAME owner|moderator|member, '
            + '/mode private|public [password]' });
        }
    }
  }

  /** The room commands: for the current room; the server answers who may with not_permitted. */
  function runRoomCommand(command, rest, text, room) {
    if (!room || room.kind !== 'room') {
      if (room) addLine(room, { kind: 'error', text: `${command} is for a room; switch to a room first.` });
      return;
    }
    const afterWords = (count) => text.trim().split(/\s+/).slice(count).join(' ');
    const context = { kind: command.slice(1), key: room.key };
    switch (command) {
      case '/topic': send({ type: 'topic', room: room.name, topic: afterWords(1) }, context); break;
      case '/invite':
        if (rest[0]) send({ type: 'invite', room: room.name, user: rest[0] }, context);
        else addLine(room, { kind: 'error', text: 'Say whom to invite: /invite NAME' });
        break;
      case '/kick':
      case '/ban': {
        if (!rest[0]) {
          addLine(room, { kind: 'error', text: `Say whom: ${command} NAME [reason]` });
          break;
        }
        const frame = { type: command === '/kick' ? 'kick' : 'room_ban', room: room.name, user: rest[0] };
        const reason = afterWords(2);
        if (reason) frame.reason = reason;
        send(frame, context);
        break;
      }
      case '/unban':
        if (rest[0]) send({ type: 'room_unban', room: room.name, user: rest[0] }, { ...context, kind: 'room_unban', user: rest[0] });
        else addLine(room, { kind: 'error', text: 'Say whom: /unban NAME' });
        break;
      case '/role':
        if (rest[0] && ['owner', 'moderator', 'member'].includes(rest[1])) {
          send({ type: 'role', room: room.name, user: rest[0], role: rest[1] }, { ...context, user: rest[0] });
        } else {
          addLine(room, { kind: 'error', text: 'Say /role NAME owner|moderator|member' });
        }
        break;
      case '/mode':
        if (rest[0] !== 'private' && rest[0] !== 'public') {
          addLine(room, { kind: 'error', text: 'Say /mode private [password] or /mode public' });
          break;
        }
        setMode(room, rest[0] === 'private', rest.slice(1).join(' '));
        break;
      default: break;
    }
  }

  function setMode(room, makePrivate, password) {
    const frame = { type: 'mode', room: room.name, private: makePrivate };
    if (makePrivate && password) frame.password = password;
    send(frame, { kind: 'mode', key: room.key });
  }

  function openDirect(user) {
    if (!NAME_PATTERN.test(user) || isMe(user)) return;
    const chat = ensureConversation('dm', user);
    switchTo(chat.key);
  }

  function switchTo(key) {
    if (!state.conversations.has(key)) return;
    state.current = key;
    state.conversations.get(key).unread = 0;
    if (state.replyTo && state.replyTo.key !== key) setReply(null);
    if (state.editing) { stopEditing(); ui.messageInput.value = ''; }
    save();
    render();
    markReadSoon(state.conversations.get(key));
    openKeptDirect(state.conversations.get(key));
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
    const dropped = conversation.lines.length > conversation.maxLines && dropOldestLines(conversation);
    if (state.current === conversation.key) {
      if (dropped) renderLinesKeepingView(conversation);
      else appendLineNode(conversation, line);
    } else if (!quiet && line.kind === 'message') {
      conversation.unread++;
      renderConversations();
    }
  }

  /** Keeps a conversation to its line limit; messages dropped from the top can be loaded again as older ones. */
  function dropOldestLines(conversation) {
    const dropped = conversation.lines.splice(0, conversation.lines.length - conversation.maxLines);
    if (!dropped.some((line) => line.kind === 'message')) return true;
    for (const line of dropped) if (line.id) conversation.ids.delete(line.id);
    conversation.oldestSeq = null;
    for (const line of conversation.lines) if (line.kind === 'message') noteSeq(conversation, line.seq);
    conversation.historyDone = false;
    conversation.historyNote = '';
    if (state.current === conversation.key) renderOlder(conversation);
    return true;
  }

  function systemLineEverywhere(text) {
    for (const conversation of state.conversations.values()) addLine(conversation, { kind: 'system', text }, true);
  }

  function lineNode(line) {
    const item = el('li', `line line-${line.kind}`);
    if (line.kind === 'message') {
      const time = el('time', 'line-time', shownTime(line.timestamp));
      time.dateTime = line.timestamp;
      const date = parseTime(line.timestamp);
      if (date) time.title = date.toLocaleString();
      const sender = el('span', 'line-sender', line.action && !line.deleted ? `* ${line.sender}` : line.sender);
      sender.style.setProperty('--name-hue', String(nameHue(line.sender)));
      if (line.seq) item.dataset.seq = String(line.seq);
      if (state.found && line.id && line.id === state.found.id) item.classList.add('line-found');
      if (isMe(line.sender)) item.classList.add('line-own');
      if (line.id) item.dataset.id = line.id;
      if (line.id && line.room) item.tabIndex = -1;
      if (line.deleted) {
        item.classList.add('line-deleted');
        item.append(time, sender, el('span', 'line-text', 'message deleted'));
      } else {
        if (line.action) item.classList.add('line-action');
        if ((line.mentions || []).some(isMe)) item.classList.add('line-mention');
        const body = el('span', 'line-body');
        if (line.replyPreview) {
          const preview = el('span', 'line-reply', `↪ ${line.replyPreview.sender}: ${line.replyPreview.text || 'message deleted'}`);
          body.append(preview);
        }
        const text = el('span', 'line-text');
        text.append(...richText(line.text));
        if (line.editedAt) text.append(el('span', 'line-edited', ' (edited)'));
        body.append(text);
        if (line.attachments && line.attachments.length) body.append(attachmentsNode(line.attachments));
        if (line.reactions && line.reactions.size) body.append(reactionsNode(line));
        item.append(time, sender, body);
        if (line.room && line.id) item.append(lineActions(line));
      }
    } else if (line.kind === 'new') {
      item.className = 'line line-new';
      item.append(el('span', 'line-text', line.text));
    } else {
      item.append(el('span', 'line-text', line.text));
    }
    return item;
  }

  /** A hue from the name, the same on every page and after every reload. */
  function nameHue(name) {
    let hash = 0;
    for (const ch of name.toLowerCase()) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
    return hash % 360;
  }

  /** The text as DOM nodes: links, code, bold, italic and mentions; never HTML. */
  function richText(text) {
    const nodes = [];
    let last = 0;
    for (const match of text.matchAll(RICH_PATTERN)) {
      if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
      last = match.index + match[0].length;
      const [whole, url, code, bold, italic, mention] = match;
      if (url !== undefined) {
        let parsed = null;
        try { parsed = new URL(url); } catch { /* not a link */ }
        if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) {
          const link = el('a', 'line-link', url);
          link.href = parsed.href;
          link.target = '_blank';
          link.rel = 'noopener noreferrer';
          nodes.push(link);
        } else nodes.push(document.createTextNode(whole));
      } else if (code !== undefined) nodes.push(el('code', null, code));
      else if (bold !== undefined) nodes.push(el('strong', null, bold));
      else if (italic !== undefined) nodes.push(el('em', null, italic));
      else {
        const span = el('span', 'line-at', whole);
        if (isMe(mention)) span.classList.add('line-at-me');
        nodes.push(span);
      }
    }
    if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
    return nodes;
  }

  function reactionsNode(line) {
    const list = el('span', 'line-reactions');
    for (const [emoji, users] of line.reactions) {
      const button = el('button', 'reaction', `${emoji} ${users.length}`);
      button.type = 'button';
      button.dataset.emoji = emoji;
      button.title = users.join(', ');
      if (users.some(isMe)) button.classList.add('reaction-own');
      button.setAttribute('aria-pressed', String(users.some(isMe)));
      button.addEventListener('click', () => react(line, emoji));
      list.append(button);
    }
    return list;
  }

  function react(line, emoji) {
    send({ type: 'react', room: line.room, id: line.id, emoji }, { kind: 'react', key: roomKey(line.room) });
  }

  /** Reply, react and delete: shown on hover or when the message or a button has the focus. */
  function lineActions(line) {
    const actions = el('span', 'line-actions');
    const reply = el('button', 'line-reply-button', 'Reply');
    reply.type = 'button';
    reply.title = 'Reply to this message (or press R on it)';
    reply.addEventListener('click', () => setReply(line));
    const reactButton = el('button', 'line-react-button', '☺+');
    reactButton.type = 'button';
    reactButton.title = 'React';
    reactButton.setAttribute('aria-label', 'React');
    reactButton.addEventListener('click', () => {
      const open = actions.querySelector('.emoji-picker');
      if (open) { open.remove(); return; }
      const picker = el('span', 'emoji-picker');
      for (const emoji of EMOJI) {
        const choice = el('button', 'emoji-choice', emoji);
        choice.type = 'button';
        choice.dataset.emoji = emoji;
        choice.addEventListener('click', () => { picker.remove(); react(line, emoji); });
        picker.append(choice);
      }
      actions.append(picker);
      picker.querySelector('button').focus();
    });
    actions.append(reply, reactButton);
    if (isMe(line.sender) || state.account) actions.append(deleteButton(line));
    return actions;
  }

  /** Anyone may delete their own messages; moderators and owners any (the server says no to others). */
  function deleteButton(line) {
    const button = el('button', 'line-delete', 'Delete');
    button.type = 'button';
    button.title = 'Delete this message for everyone';
    button.addEventListener('click', () =>
      send({ type: 'delete', room: line.room, id: line.id }, { kind: 'delete', key: roomKey(line.room) }));
    return button;
  }

  /** A heading line for a day, put before the first message of each day when not every message is from today. */
  function dayNode(date) {
    const item = el('li', 'line line-day');
    item.dataset.day = dayOf(date);
    item.append(el('span', 'line-text', dayLabel(date)));
    return item;
  }

  /** The day a separator is due before this message, or null: its day differs from the message before it. */
  function separatorBefore(line, previousDay) {
    if (line.kind !== 'message') return null;
    const date = parseTime(line.timestamp);
    if (!date) return null;
    const day = dayOf(date);
    if (previousDay === day) return null;
    if (previousDay === null && isToday(date)) return null; // only today's messages: no heading needed
    return date;
  }

  function lastMessageDay(lines, before) {
    for (let i = before - 1; i >= 0; i--) {
      if (lines[i].kind !== 'message') continue;
      const date = parseTime(lines[i].timestamp);
      if (date) return dayOf(date);
    }
    return null;
  }

  function nodesFor(conversation) {
    const nodes = [];
    let previousDay = null;
    for (const line of conversation.lines) {
      const separator = separatorBefore(line, previousDay);
      if (separator) nodes.push(dayNode(separator));
      if (line.kind === 'message') {
        const date = parseTime(line.timestamp);
        if (date) previousDay = dayOf(date);
      }
      nodes.push(lineNode(line));
    }
    return nodes;
  }

  function appendLineNode(conversation, line) {
    const lines = conversation.lines;
    const separator = separatorBefore(line, lastMessageDay(lines, lines.length - 1));
    if (separator) ui.messages.append(dayNode(separator));
    ui.messages.append(lineNode(line));
    keepPinned();
  }

  /** Renders every line again, keeping what the user reads where it is (or the newest in view when pinned). */
  function renderLinesKeepingView(conversation) {
    const list = ui.messages;
    const fromBottom = list.scrollHeight - list.scrollTop;
    list.replaceChildren(...nodesFor(conversation));
    if (state.pinned) scrollToNewest();
    else list.scrollTop = list.scrollHeight - fromBottom;
  }

  // ---- following the newest message ----

  function scrollToNewest() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
    state.pinned = true;
  }

  function keepPinned() {
    if (state.pinned) scrollToNewest();
  }

  // ---- message search: the results panel, and jumping to a result in its conversation ----

  // Letters and digits as the server's index folds them: accents and case do not count.
  const fold = (text) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

  /** The words of a query: `deplo*` is a prefix, any other word (phrases' words too) a whole word. */
  function searchTerms(query) {
    const terms = [];
    for (const match of query.matchAll(/([\p{L}\p{N}]+)(\*?)/gu)) terms.push({ word: fold(match[1]), prefix: match[2] === '*' });
    return terms;
  }

  /** A result's text as text nodes, the words the search matched in <mark> elements; never HTML. */
  function highlightedText(text, terms) {
    const nodes = [];
    let at = 0;
    for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
      const word = fold(match[0]);
      if (!terms.some((term) => (term.prefix ? word.startsWith(term.word) : word === term.word))) continue;
      if (match.index > at) nodes.push(document.createTextNode(text.slice(at, match.index)));
      nodes.push(el('mark', 'search-hit', match[0]));
      at = match.index + match[0].length;
    }
    if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
    return nodes;
  }

  /** A new search (more = false) or the next page of the one shown. */
  function search(query, more) {
    if (!more) {
      const trimmed = query.trim();
      if (!trimmed) return;
      state.search = { query: trimmed, terms: searchTerms(trimmed), next: null, pending: false, count: 0 };
      ui.searchResults.replaceChildren();
      ui.searchTitle.textContent = `Results for “${trimmed}”`;
    }
    const current = state.search;
    if (!current || current.pending || (more && current.next === null)) return;
    const request = { type: 'search', query: current.query };
    if (more) request.before = current.next;
    ui.searchPanel.hidden = false;
    ui.searchNote.removeAttribute('data-code');
    if (!send(request, { kind: 'search', search: current })) {
      ui.searchNote.textContent = 'Not connected: search again once the chat is back.';
      return;
    }
    current.pending = true;
    if (!more) ui.searchNote.textContent = 'Searching…';
    renderSearchMore();
  }

  function onSearchResults(frame, asked) {
    const current = state.search;
    if (!current || !asked || asked.search !== current) return; // the answer to a search since replaced or closed
    current.pending = false;
    const results = Array.isArray(frame.results) ? frame.results : [];
    ui.searchResults.append(...results.map((result) => resultNode(result, current.terms)));
    current.count += results.length;
    current.next = typeof frame.next === 'string' && CURSOR_DIGITS.test(frame.next) ? frame.next : null;
    ui.searchNote.textContent = current.count === 0 ? `No messages match “${current.query}”.` : '';
    renderSearchMore();
  }

  function onSearchRefused(frame, asked) {
    if (!state.search || asked.search !== state.search) return;
    state.search.pending = false;
    ui.searchNote.dataset.code = frame.code;
    ui.searchNote.textContent = frame.code === 'bad_query'
      ? `This search cannot be run: ${frame.message}`
      : `Search failed: ${frame.message}`;
    renderSearchMore();
  }

  function renderSearchMore() {
    const current = state.search;
    ui.searchMore.hidden = !current || current.next === null;
    ui.searchMore.disabled = Boolean(current && current.pending);
  }

  function closeSearch() {
    state.search = null;
    ui.searchPanel.hidden = true;
    ui.searchResults.replaceChildren();
    ui.searchNote.textContent = '';
  }

  function resultNode(result, terms) {
    const where = String(result.room || '');
    const button = el('button', 'search-result');
    button.type = 'button';
    button.dataset.room = where;
    if (typeof result.seq === 'number') button.dataset.seq = String(result.seq);
    const time = el('time', 'line-time', shownTime(result.timestamp));
    time.dateTime = result.timestamp || '';
    const sender = el('span', 'line-sender', String(result.sender || ''));
    sender.style.setProperty('--name-hue', String(nameHue(String(result.sender || ''))));
    const head = el('span', 'search-result-head');
    head.append(el('span', 'search-result-room', where.startsWith('@') ? where : `#${where}`), sender, time);
    const text = el('span', 'search-result-text');
    text.append(...highlightedText(String(result.text || ''), terms));
    button.append(head, text);
    button.addEventListener('click', () => jumpTo(result));
    const item = el('li');
    item.append(button);
    return item;
  }

  /** Opens the result's room (joining it if need be) or direct conversation and shows the message there. */
  function jumpTo(result) {
    const where = String(result.room || '');
    if (typeof result.id !== 'string' || typeof result.seq !== 'number') return;
    const jump = { id: result.id, seq: result.seq };
    closeSearch();
    if (where.startsWith('@')) {
      const user = where.slice(1);
      if (!NAME_PATTERN.test(user) || isMe(user)) return;
      const chat = ensureConversation('dm', user);
      chat.kept = true; // only kept conversations are searched
      switchTo(chat.key);
      showResult(chat, jump);
      return;
    }
    if (!ROOM_PATTERN.test(where)) return;
    const room = state.conversations.get(roomKey(where));
    if (room && room.inRoom) {
      switchTo(room.key);
      showResult(room, jump);
      return;
    }
    state.jump = { ...jump, key: roomKey(where) }; // shown when the room's joined frame comes
    joinRoom(where);
  }

  /** Highlights the message if it is loaded; otherwise asks for the page of history that ends just after it. */
  function showResult(conversation, jump) {
    state.found = { key: conversation.key, id: jump.id };
    if (conversation.lines.some((line) => line.id === jump.id)) {
      highlightFound(conversation, jump);
      return;
    }
    const room = conversation.kind === 'room' ? conversation.name : '@' + conversation.name;
    send({ type: 'history', room, before: jump.seq + JUMP_AFTER, limit: HISTORY_PAGE },
      { kind: 'jump', key: conversation.key, id: jump.id, seq: jump.seq });
  }

  function highlightFound(conversation, jump) {
    if (state.current !== conversation.key || !state.found || state.found.id !== jump.id) return;
    let target = null;
    for (const item of ui.messages.children) {
      const hit = item.dataset.id === jump.id;
      item.classList.toggle('line-found', hit);
      if (hit) target = item;
    }
    if (!target) return;
    target.scrollIntoView({ block: 'center' });
    const list = ui.messages;
    state.pinned = list.scrollHeight - list.scrollTop - list.clientHeight <= PINNED_PX;
  }

  // ---- rendering ----

  function render() {
    renderConversations();
    renderServerRooms();
    const conversation = currentConversation();
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
    renderRoomHead(conversation);
    renderOlder(conversation);
    renderMembers(conversation);
    renderChart(conversation);
    renderTyping();
    // Everything around the list has its final size now: open the conversation at its newest message.
    ui.messages.replaceChildren(...(conversation ? nodesFor(conversation) : []));
    scrollToNewest();
  }

  /** The topic under the title; the room settings for accounts (the server checks who may). */
  function renderRoomHead(conversation) {
    const isRoom = Boolean(conversation) && conversation.kind === 'room';
    const topic = isRoom ? conversation.topic || '' : '';
    ui.topic.textContent = topic;
    ui.topic.hidden = !topic;
    ui.roomMenu.hidden = !isRoom || !state.account;
    if (isRoom && document.activeElement !== ui.topicInput) ui.topicInput.value = topic;
    if (isRoom) ui.privateInput.checked = conversation.private === true;
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

  /** The rooms on the server that the user is not in: the rooms they are in are listed once, above. */
  function renderServerRooms() {
    const joined = (room) => {
      const conversation = state.conversations.get(roomKey(room.name));
      return conversation && conversation.inRoom;
    };
    const items = state.serverRooms.filter((room) => !joined(room)).map((room) => {
      const button = el('button', 'server-room');
      button.type = 'button';
      button.dataset.room = roomKey(room.name);
      button.append(el('span', 'conversation-name', `#${room.name}`), el('span', 'count', String(room.members)));
      button.title = `Join #${room.name} (${room.members} online)`;
      button.addEventListener('click', () => joinRoom(room.name));
      const item = el('li');
      item.append(button);
      return item;
    });
    ui.serverRooms.replaceChildren(...items);
    ui.serverRoomsSection.hidden = items.length === 0;
  }

  function renderMembers(conversation) {
    const members = conversation && conversation.kind === 'room' ? [...conversation.members] : [];
    members.sort((a, b) => a.localeCompare(b));
    ui.memberCount.textContent = conversation && conversation.kind === 'room' ? String(members.length) : '';
    ui.members.replaceChildren(...members.map((member) => {
      const item = el('li', 'member');
      item.dataset.user = member;
      const role = roleOf(conversation, member);
      item.dataset.role = role;
      if (isMe(member)) {
        item.append(el('span', 'member-name', `${member} (you)`));
      } else {
        const button = el('button', 'member-name', member);
        button.type = 'button';
        button.title = `Direct message to ${member}`;
        button.addEventListener('click', () => openDirect(member));
        item.append(button);
      }
      if (role !== 'member') item.append(el('span', 'member-role', role));
      if (isMe(member)) return item;
      const mine = roleOf(conversation, state.name);
      const actions = el('span', 'member-actions');
      if (mine === 'owner') actions.append(roleSelect(conversation, member, role));
      if (state.account && mine !== 'member') {
        actions.append(memberAction('Kick', 'kick', conversation, member), memberAction('Ban', 'room_ban', conversation, member));
      }
      if (state.operator) {
        actions.append(operatorAction('Kill', 'kill', member), operatorAction('Server ban', 'ban', member));
      }
      if (actions.childElementCount > 0) item.append(actions);
      return item;
    }));
  }

  function memberAction(label, type, room, member) {
    const button = el('button', `member-action member-${type === 'kick' ? 'kick' : 'ban'}`, label);
    button.type = 'button';
    button.title = type === 'kick' ? `Remove ${member} from #${room.name}` : `Ban ${member} from #${room.name}`;
    button.addEventListener('click', () => send({ type, room: room.name, user: member }, { kind: type, key: room.key, user: member }));
    return button;
  }

  /** An owner's choice of someone's role: sends a role frame; the member list follows the server's role frame. */
  function roleSelect(room, member, role) {
    const select = el('select', 'member-role-select');
    select.setAttribute('aria-label', `Role of ${member} in #${room.name}`);
    for (const value of ['member', 'moderator', 'owner']) {
      const option = el('option', '', value);
      option.value = value;
      option.selected = value === role;
      select.append(option);
    }
    select.addEventListener('change', () => {
      send({ type: 'role', room: room.name, user: member, role: select.value }, { kind: 'role', key: room.key, user: member });
      select.value = role; // until the server says otherwise
    });
    return select;
  }

  /** An operator's server-wide action on a member: kill (disconnect) or ban the account for good. */
  function operatorAction(label, type, member) {
    const button = el('button', `member-action member-${type === 'kill' ? 'kill' : 'gban'}`, label);
    button.type = 'button';
    button.title = type === 'kill' ? `Disconnect ${member} from the server` : `Ban ${member} from the whole server`;
    const key = state.current;
    button.addEventListener('click', () => send({ type, user: member }, { kind: type, key, user: member }));
    return button;
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

  function submitLogin(register) {
    const name = ui.nameInput.value.trim();
    const password = ui.passwordInput.value;
    if (!NAME_PATTERN.test(name)) {
      ui.loginError.textContent = 'A name is 1 to 32 letters, digits, _, - or .';
      return;
    }
    if (register && !password) {
      ui.loginError.textContent = 'Choose a password to register the name as your account.';
      ui.passwordInput.focus();
      return;
    }
    ui.loginError.textContent = '';
    delete ui.loginError.dataset.code;
    ui.passwordInput.value = '';
    signIn(name, null, password ? { password, register } : null);
  }

  ui.loginForm.addEventListener('submit', (event) => {
    event.preventDefault();
    submitLogin(false);
  });

  ui.registerButton.addEventListener('click', () => submitLogin(true));

  ui.joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const room = ui.roomInput.value.trim().replace(/^#/, '');
    if (!room) return;
    const asking = state.joinPasswordFor && roomKey(state.joinPasswordFor) === roomKey(room);
    joinRoom(room, asking ? ui.joinPasswordInput.value : null);
    if (!asking) closeJoinPassword();
    ui.joinPasswordInput.value = '';
    ui.roomInput.value = '';
  });

  ui.topicForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const room = currentConversation();
    if (room && room.kind === 'room') send({ type: 'topic', room: room.name, topic: ui.topicInput.value.trim() }, { kind: 'topic', key: room.key });
    ui.topicInput.blur();
  });

  ui.modeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const room = currentConversation();
    if (room && room.kind === 'room') setMode(room, ui.privateInput.checked, ui.roomPasswordInput.value);
    ui.roomPasswordInput.value = '';
  });

  ui.inviteForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const room = currentConversation();
    const user = ui.inviteInput.value.trim();
    if (room && room.kind === 'room' && user) send({ type: 'invite', room: room.name, user }, { kind: 'invite', key: room.key });
    ui.inviteInput.value = '';
  });

  ui.unbanForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const room = currentConversation();
    const user = ui.unbanInput.value.trim();
    if (room && room.kind === 'room' && user) send({ type: 'room_unban', room: room.name, user }, { kind: 'room_unban', key: room.key, user });
    ui.unbanInput.value = '';
  });

  ui.attachButton.addEventListener('click', () => ui.fileInput.click());
  ui.fileInput.addEventListener('change', () => {
    shareFiles([...ui.fileInput.files]);
    ui.fileInput.value = '';
  });
  ui.messageInput.addEventListener('paste', (event) => {
    const files = [...((event.clipboardData && event.clipboardData.files) || [])];
    if (!files.length) return;
    event.preventDefault();
    shareFiles(files);
  });
  document.addEventListener('dragover', (event) => {
    if (event.dataTransfer && [...event.dataTransfer.types].includes('Files')) event.preventDefault();
  });
  document.addEventListener('drop', (event) => {
    const files = [...((event.dataTransfer && event.dataTransfer.files) || [])];
    if (!files.length) return;
    event.preventDefault();
    shareFiles(files);
  });

  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = ui.messageInput.value;
    if (!text.trim() || !state.identified) return;
    state.completion = null;
    if (state.editing) {
      const room = state.conversations.get(state.editing.key);
      if (room) send({ type: 'edit', room: room.name, id: state.editing.id, text }, { kind: 'edit', key: room.key });
      stopEditing();
    } else sendText(text);
    ui.messageInput.value = '';
  });

  ui.messageInput.addEventListener('keydown', (event) => {
    if (event.key === 'Tab' && !event.shiftKey && completeMention()) {
      event.preventDefault();
      return;
    }
    if (event.key !== 'Tab') state.completion = null;
    if (event.key === 'ArrowUp' && ui.messageInput.value === '' && editLast()) event.preventDefault();
    else if (event.key === 'Escape') {
      if (state.editing) { stopEditing(); ui.messageInput.value = ''; }
      setReply(null);
    }
  });

  ui.messageInput.addEventListener('input', () => {
    if (ui.messageInput.value === '' && state.editing) stopEditing();
    if (ui.messageInput.value !== '') noteTyping();
  });

  ui.replyCancel.addEventListener('click', () => setReply(null));

  // The keyboard way to reply: R on a focused message.
  ui.messages.addEventListener('keydown', (event) => {
    if (event.key !== 'r' && event.key !== 'R') return;
    const item = event.target.closest && event.target.closest('.line-message');
    const room = currentConversation();
    const line = item && room && room.lines.find((candidate) => candidate.id === item.dataset.id);
    if (line && !line.deleted && line.room) {
      event.preventDefault();
      setReply(line);
    }
  });

  ui.leave.addEventListener('click', () => leaveRoom(currentConversation()));

  ui.logout.addEventListener('click', signOut);

  ui.olderButton.addEventListener('click', () => loadOlder(currentConversation()));

  ui.searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    search(ui.searchInput.value, false);
  });
  ui.searchMore.addEventListener('click', () => search('', true));
  ui.searchClose.addEventListener('click', closeSearch);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !ui.searchPanel.hidden) closeSearch();
  });

  // Scrolling decides whether the view follows new messages; scrolling to the top asks for the page before
  // them (only when they overflow: a scroll happened).
  ui.messages.addEventListener('scroll', () => {
    const list = ui.messages;
    state.pinned = list.scrollHeight - list.scrollTop - list.clientHeight <= PINNED_PX;
    if (list.scrollTop <= NEAR_TOP_PX && list.scrollHeight > list.clientHeight) loadOlder(currentConversation());
  }, { passive: true });

  // The list changes size when the layout around it does (a bar appears, the window turns): stay at the bottom.
  if (typeof ResizeObserver === 'function') new ResizeObserver(keepPinned).observe(ui.messages);

  // The certificate's fingerprint, to compare with the one in the server's log (a self-signed certificate has no other proof).
  fetch('/api/status').then((r) => r.json()).then((s) => { const f = document.getElementById('fingerprint'); if (s.tlsFingerprint) { f.textContent = `Server certificate SHA-256: ${s.tlsFingerprint}`; f.hidden = false; } }).catch(() => {});
  renderChart(undefined);
  setStatus('disconnected');

  /** The session cookie, if the page has one, names the account to sign in to without a password. */
  async function start() {
    const saved = loadSaved();
    let account = null;
    try {
      const response = await fetch('/api/session', { cache: 'no-store' });
      if (response.ok) account = (await response.json()).name;
    } catch { /* no session to resume */ }
    if (typeof account === 'string' && NAME_PATTERN.test(account)) {
      state.cookieName = account;
      state.account = true;
      const same = saved && roomKey(saved.name) === roomKey(account);
      signIn(account, same ? { rooms: saved.rooms, current: saved.current } : { rooms: [], current: null });
    } else if (saved) {
      signIn(saved.name, { rooms: saved.rooms, current: saved.current });
    }
  }

  start();
})();
