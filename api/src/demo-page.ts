// A one-file demo client served at `/`: join the `demo` event, then chat, react and watch the
// viewer count over the gateway's WebSocket. No build step and no external assets, so it speaks
// protocol v1 by hand (the message type strings below are the wire contract in messages.ts).
// User text only ever reaches the DOM through textContent; a hash-pinned CSP backs that up.

import { createHash } from 'node:crypto';
import {
  CHAT_MAX_CHARS,
  NAME_MAX_CHARS,
  PROTOCOL_VERSION,
  REACTION_EMOJI,
  SUBPROTOCOLS,
} from '@fanfare/protocol';
import { DEMO_EVENT_ID } from './demo-event.js';

/** Chat lines kept on screen; older ones are removed so a long show cannot bloat the page. */
const DEMO_CHAT_LINES = 200;

/** JSON for embedding in a <script>: `<` escaped so no value can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const STYLE = `
:root { color-scheme: dark; font: 15px/1.4 system-ui, sans-serif; }
body { margin: 0; background: #14121c; color: #eee; display: flex; justify-content: center; }
main { width: min(640px, 100vw); padding: 16px; box-sizing: border-box; }
header { display: flex; align-items: baseline; justify-content: space-between; }
h1 { font-size: 1.3rem; margin: 0 0 8px; }
#viewers { background: #2a2640; border-radius: 999px; padding: 2px 10px; font-size: .9rem; }
#status { color: #aaa; font-size: .9rem; margin: 4px 0 12px; }
#error { background: #5c1f2b; border-radius: 6px; padding: 6px 10px; margin-bottom: 8px; }
form { display: flex; gap: 8px; margin: 8px 0; }
input { flex: 1; padding: 8px; border-radius: 6px; border: 1px solid #443f5c; background: #1e1b2b; color: inherit; }
button { padding: 8px 12px; border-radius: 6px; border: 0; background: #6b4fd8; color: #fff; cursor: pointer; }
button:disabled { opacity: .4; cursor: default; }
#stage { position: relative; }
#chat { list-style: none; margin: 0; padding: 8px; height: 50vh; overflow-y: auto; background: #1b1826; border-radius: 8px; }
#chat li { padding: 2px 0; overflow-wrap: anywhere; }
#chat b { margin-right: 6px; color: #b8a6ff; }
#chat b.staff { color: #ffcf5c; }
#reactions { display: flex; flex-wrap: wrap; gap: 6px; }
#reactions button { background: #2a2640; font-size: 1.3rem; padding: 4px 10px; }
.float { position: absolute; bottom: 8px; pointer-events: none; font-size: 1.2rem; animation: rise 2.4s ease-out forwards; }
@keyframes rise { from { transform: translateY(0); opacity: 1; } to { transform: translateY(-40vh); opacity: 0; } }
`;

const SCRIPT = `
'use strict';
const EVENT_ID = ${scriptJson(DEMO_EVENT_ID)};
const EMOJI = ${scriptJson(REACTION_EMOJI)};
const SUBPROTOCOL = ${scriptJson(SUBPROTOCOLS[PROTOCOL_VERSION])};
const MAX_LINES = ${DEMO_CHAT_LINES};
const $ = (id) => document.getElementById(id);
let socket = null;
let errorTimer = 0;

function showError(text) {
  $('error').textContent = text;
  $('error').hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { $('error').hidden = true; }, 6000);
}

function setLive(live) {
  for (const el of document.querySelectorAll('.live')) el.disabled = !live;
}

function addChat(messages) {
  const list = $('chat');
  for (const m of messages) {
    const li = document.createElement('li');
    const who = document.createElement('b');
    who.textContent = m.author.name;
    if (m.author.role !== 'fan') who.className = 'staff';
    const text = document.createElement('span');
    text.textContent = m.text;
    li.append(who, text);
    list.append(li);
  }
  while (list.children.length > MAX_LINES) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

function floatReactions(counts) {
  for (const [emoji, n] of Object.entries(counts || {})) {
    if (!n) continue;
    const bubble = document.createElement('span');
    bubble.className = 'float';
    bubble.textContent = n > 1 ? emoji + ' \\u00d7' + n : emoji;
    bubble.style.left = 5 + Math.random() * 85 + '%';
    bubble.addEventListener('animationend', () => bubble.remove());
    $('stage').append(bubble);
  }
}

function setViewers(n) {
  $('viewers').textContent = n + (n === 1 ? ' viewer' : ' viewers');
}

function onFrame(msg) {
  switch (msg.type) {
    case 'welcome':
      $('chat').replaceChildren();
      addChat(msg.snapshot.chat);
      setViewers(msg.snapshot.viewers);
      floatReactions(msg.snapshot.reactions);
      $('status').textContent = 'Live as ' + msg.user.name;
      setLive(true);
      break;
    case 'chat': addChat(msg.messages); break;
    case 'presence': setViewers(msg.viewers); break;
    case 'reactions': floatReactions(msg.counts); break;
    case 'error': showError(msg.code + ': ' + msg.message); break;
  }
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function connect(grant) {
  if (socket) socket.close(1000);
  const sep = grant.gatewayUrl.includes('?') ? '&' : '?';
  const ws = new WebSocket(grant.gatewayUrl + sep + 'token=' + encodeURIComponent(grant.token), SUBPROTOCOL);
  socket = ws;
  $('status').textContent = 'Connecting as ' + grant.user.name + '\\u2026';
  ws.onmessage = (e) => {
    let msg;
    try { msg = JSON.parse(e.data); } catch { return; }
    onFrame(msg);
  };
  ws.onclose = (e) => {
    if (socket !== ws) return;
    socket = null;
    setLive(false);
    $('status').textContent = 'Disconnected (' + e.code + (e.reason ? ' ' + e.reason : '') + '). Join again to reconnect.';
  };
}

$('join').addEventListener('submit', async (e) => {
  e.preventDefault();
  const name = $('name').value.trim();
  try {
    const res = await fetch('/v1/events/' + EVENT_ID + '/join', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(name ? { name } : {}),
    });
    const body = await res.json();
    if (!res.ok) return showError(body.errors ? 'name ' + body.errors[0].detail : body.detail);
    connect(body);
  } catch (err) {
    showError('Could not reach the API: ' + err.message);
  }
});

$('say').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text) return;
  send({ type: 'chat.send', text });
  $('text').value = '';
});

for (const emoji of EMOJI) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'live';
  button.disabled = true;
  button.textContent = emoji;
  button.addEventListener('click', () => send({ type: 'react', emoji }));
  $('reactions').append(button);
}
`;

function sha256Source(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/**
 * The page's Content-Security-Policy: only this exact script and style run, fetches go to this
 * origin, and WebSockets go anywhere (the gateway's public URL is configuration).
 */
export const DEMO_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256Source(SCRIPT)}`,
  `style-src ${sha256Source(STYLE)}`,
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fanfare demo</title>
<style>${STYLE}</style>
</head>
<body>
<main>
  <header><h1>Fanfare demo</h1><span id="viewers">0 viewers</span></header>
  <form id="join">
    <input id="name" maxlength="${NAME_MAX_CHARS}" placeholder="Your name (optional)" autocomplete="nickname">
    <button>Join</button>
  </form>
  <div id="status">Not joined yet.</div>
  <div id="error" role="alert" hidden></div>
  <div id="stage"><ol id="chat" aria-live="polite"></ol></div>
  <form id="say">
    <input id="text" class="live" maxlength="${CHAT_MAX_CHARS}" placeholder="Say something" disabled>
    <button class="live" disabled>Send</button>
  </form>
  <div id="reactions"></div>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** The demo page, a complete HTML document. Serve it with DEMO_PAGE_CSP. */
export function demoPage(): string {
  return HTML;
}
