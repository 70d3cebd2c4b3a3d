// The operator console: plain browser JavaScript on the server's own GraphQL
// API (SSE subscriptions read with fetch, so a token header can be sent) and
// its /metrics. No library, nothing from another host.
'use strict';
const $ = (id) => document.getElementById(id);
const tokenInput = $('token');
tokenInput.value = sessionStorage.getItem('state-server-token') || '';
tokenInput.addEventListener('change', () => sessionStorage.setItem('state-server-token', tokenInput.value));
const auth = () => (tokenInput.value ? { authorization: `Bearer ${tokenInput.value}` } : {});
const showError = (text) => ($('error').textContent = text || '');

async function query(source, variables) {
  const res = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...auth() }, body: JSON.stringify({ query: source, variables }) });
  const body = await res.json();
  if (body.errors) throw new Error(`${body.errors[0].extensions?.code ?? 'ERROR'}: ${body.errors[0].message}`);
  return body.data;
}

/** A subscription over Server-Sent Events; calls onData for each payload until the signal aborts. */
async function subscribe(source, variables, onData, signal) {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth() },
    body: JSON.stringify({ query: source, variables }),
    signal,
  });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      if (!data) continue;
      const payload = JSON.parse(data);
      if (payload.errors) showError(`${payload.errors[0].extensions?.code ?? 'ERROR'}: ${payload.errors[0].message}`);
      else onData(payload.data);
    }
  }
}

const PRESENCE = 'subscription ConsolePresence($guildId: ID!) { presenceChanged(guildId: $guildId, includeSnapshot: true) { userId state } }';
const VOICE = 'query ConsoleVoice($guildId: ID!) { channelStates(guildId: $guildId) { channelId userIds } }';
const NODES = 'query ConsoleNodes { nodeLeases { nodeId expiresAt resync } }';

let watching = new AbortController();
const guilds = new Map(); // guildId -> { online: Set, element }

function watch(ids) {
  watching.abort();
  watching = new AbortController();
  guilds.clear();
  const list = $('guild-list');
  list.textContent = '';
  for (const guildId of ids) {
    const element = document.createElement('div');
    element.className = 'guild';
    element.id = `guild-${guildId}`;
    element.innerHTML = '<h3></h3><div><span class="online">0</span> online</div><div class="voice hint">no one in voice</div>';
    element.querySelector('h3').textContent = `guild ${guildId}`;
    list.append(element);
    const guild = { online: new Set(), element };
    guilds.set(guildId, guild);
    subscribe(PRESENCE, { guildId }, ({ presenceChanged: e }) => {
      if (e.state === 'ONLINE') guild.online.add(e.userId);
      else guild.online.delete(e.userId);
      element.querySelector('.online').textContent = String(guild.online.size);
    }, watching.signal).catch((error) => error.name === 'AbortError' || showError(String(error)));
  }
}

async function refreshVoice() {
  for (const [guildId, { element }] of guilds) {
    const { channelStates } = await query(VOICE, { guildId });
    const text = channelStates.map((c) => `${c.channelId}: ${c.userIds.join(', ')}`).join(' · ');
    const voice = element.querySelector('.voice');
    voice.textContent = text || 'no one in voice';
    voice.className = text ? 'voice' : 'voice hint';
  }
}

async function refreshNodes() {
  const { nodeLeases } = await query(NODES);
  const now = Date.now();
  const body = $('nodes').querySelector('tbody');
  body.textContent = '';
  for (const node of nodeLeases) {
    const row = body.insertRow();
    row.className = node.resync ? 'lapsed' : '';
    const seconds = Math.round((new Date(node.expiresAt).getTime() - now) / 1000);
    for (const text of [node.nodeId, node.expiresAt, `${seconds} s`, node.resync ? 'lapsed' : 'live']) row.insertCell().textContent = text;
  }
}

let last = null;
async function refreshRates() {
  const res = await fetch('/metrics', { headers: auth() });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const text = await res.text();
  const read = (name) => Number((new RegExp(`^${name} (\\S+)$`, 'm').exec(text) || [])[1] || 0);
  const now = { at: Date.now(), received: read('state_server_events_received_total'), delivered: read('state_server_events_delivered_total') };
  $('subscriptions').textContent = String(read('state_server_subscriptions'));
  if (last) {
    const seconds = (now.at - last.at) / 1000;
    $('received-rate').textContent = ((now.received - last.received) / seconds).toFixed(1);
    $('delivered-rate').textContent = ((now.delivered - last.delivered) / seconds).toFixed(1);
  }
  last = now;
}

async function tick() {
  try {
    await Promise.all([refreshVoice(), refreshNodes(), refreshRates()]);
    showError('');
  } catch (error) {
    showError(String(error.message || error));
  }
}

$('watch-form').addEventListener('submit', (event) => {
  event.preventDefault();
  watch($('guilds').value.split(',').map((s) => s.trim()).filter(Boolean));
  void tick();
});
setInterval(tick, 1000);
void tick();
