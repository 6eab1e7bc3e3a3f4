// The part of Sunshine's web UI a person needs around pairing (control-plane.md 2.5, 4.5,
// 4.8): a page to type the PIN the client shows, and the JSON API behind it. Sunshine serves
// this over HTTPS with a login; the simulator serves it over plain HTTP, on loopback by default.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface WebUiActions {
  enterPin(pin: string, name: string): boolean;
  clients(): { name: string; uuid: string; enabled: boolean }[];
  unpair(uuid: string): boolean;
  unpairAll(): void;
}

/** A PIN request is a few dozen bytes; anything past 64 KiB is refused unread. */
const MAX_BODY_BYTES = 64 * 1024;

export function createWebUiServer(actions: WebUiActions): Server {
  return createServer((req, res) => {
    void route(actions, req, res);
  });
}

async function route(actions: WebUiActions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && (path === '/' || path === '/pin')) return sendHtml(res, PIN_PAGE);
  if (req.method === 'GET' && path === '/api/clients/list') {
    return sendJson(res, 200, { named_certs: actions.clients(), status: true });
  }
  if (req.method !== 'POST' || (path !== '/api/pin' && path !== '/api/clients/unpair' && path !== '/api/clients/unpair-all')) {
    return sendJson(res, 404, { status_code: 404, status: false, error: 'Not Found' });
  }
  const body = await readBody(req);
  if (body === null) return sendJson(res, 413, { status_code: 413, status: false, error: 'Payload Too Large' });
  if (path === '/api/clients/unpair-all') {
    actions.unpairAll();
    return sendJson(res, 200, { status: true });
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    return badRequest(res, String(e));
  }
  if (path === '/api/pin') {
    const pin = stringField(json, 'pin');
    const name = stringField(json, 'name');
    if (pin === null || name === null) return badRequest(res, 'pin and name must be strings');
    return sendJson(res, 200, { status: actions.enterPin(pin, name) });
  }
  const uuid = stringField(json, 'uuid');
  if (uuid === null) return badRequest(res, 'uuid must be a string');
  return sendJson(res, 200, { status: actions.unpair(uuid) });
}

/** Sunshine reads missing fields as "" and fails on fields of another type. */
function stringField(json: unknown, name: string): string | null {
  if (typeof json !== 'object' || json === null) return null;
  const value = (json as Record<string, unknown>)[name];
  if (value === undefined) return '';
  return typeof value === 'string' ? value : null;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

function badRequest(res: ServerResponse, error: string): void {
  sendJson(res, 400, { status_code: 400, status: false, error });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

const PIN_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Host simulator - PIN</title>
<style>
body { font: 18px sans-serif; max-width: 32em; margin: 3em auto; }
input, button { font: inherit; padding: 0.3em; }
#result { margin-top: 1em; font-weight: bold; }
li { margin: 0.3em 0; }
</style></head>
<body>
<h1>Pair a device</h1>
<p>Type the PIN that the TV shows.</p>
<form id="pin-form">
  <label>PIN <input id="pin" name="pin" inputmode="numeric" pattern="[0-9]{4}" maxlength="4" required autofocus></label>
  <label>Device name <input id="name" name="name" value="TV"></label>
  <button type="submit">Send</button>
</form>
<div id="result" role="status"></div>
<h2>Paired devices</h2>
<ul id="clients"></ul>
<button id="unpair-all" type="button">Unpair all</button>
<script>
const result = document.getElementById('result');
async function refresh() {
  const r = await fetch('/api/clients/list');
  const list = (await r.json()).named_certs;
  const ul = document.getElementById('clients');
  ul.replaceChildren(...list.map((c) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.textContent = 'Unpair';
    b.onclick = async () => {
      await fetch('/api/clients/unpair', { method: 'POST', body: JSON.stringify({ uuid: c.uuid }) });
      refresh();
    };
    li.append((c.name || '(no name)') + ' ', b);
    return li;
  }));
}
document.getElementById('pin-form').onsubmit = async (e) => {
  e.preventDefault();
  const body = JSON.stringify({ pin: document.getElementById('pin').value, name: document.getElementById('name').value });
  const r = await fetch('/api/pin', { method: 'POST', body });
  const ok = (await r.json()).status;
  result.textContent = ok ? 'PIN sent. Pairing continues on the device.' : 'No device is waiting for a PIN, or the PIN is not 4 digits.';
  setTimeout(refresh, 1000);
};
document.getElementById('unpair-all').onclick = async () => {
  await fetch('/api/clients/unpair-all', { method: 'POST' });
  refresh();
};
refresh();
</script>
</body>
</html>
`;
