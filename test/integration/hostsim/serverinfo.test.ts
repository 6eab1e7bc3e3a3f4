import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateIdentity } from '../../hostsim/host-identity.ts';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';
import { connect } from 'node:net';
import { exchange, httpGet, httpsGet, makeClientIdentity, rootOf, type ClientIdentity } from './gamestream-test-client.ts';

let sim: HostSim;
let stranger: ClientIdentity;

before(async () => {
  sim = await startHostSim({ httpPort: 0, identity: generateIdentity(), hostName: 'sim-host' });
  stranger = makeClientIdentity();
});
after(() => sim.close());

/** Current Sunshine's serverinfo over HTTP, from the v2026.817 capture, with our ports and id. */
function expectedHttpBody(s: HostSim, currentGame: number): string {
  const state = currentGame > 0 ? 'SUNSHINE_SERVER_BUSY' : 'SUNSHINE_SERVER_FREE';
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<root status_code="200"><hostname>sim-host</hostname><appversion>7.1.431.-1</appversion><GfeVersion>3.23.0.74</GfeVersion>` +
    `<uniqueid>${s.uniqueId}</uniqueid><HttpsPort>${s.httpsPort}</HttpsPort><ExternalPort>${s.httpPort}</ExternalPort>` +
    `<MaxLumaPixelsHEVC>1869449984</MaxLumaPixelsHEVC><mac>00:00:00:00:00:00</mac><LocalIP>127.0.0.1</LocalIP>` +
    `<ServerCodecModeSupport>257</ServerCodecModeSupport><PairStatus>0</PairStatus><currentgame>${currentGame}</currentgame>` +
    `<state>${state}</state></root>`
  );
}

test('HTTP serverinfo has the exact bytes of a real Sunshine reply, framed like it', async () => {
  const reply = await httpGet(sim.httpPort, '/serverinfo?uniqueid=0123456789ABCDEF&uuid=7443e19c');
  const body = expectedHttpBody(sim, 0);
  assert.equal(reply.raw.toString('utf8'), `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
});

test('the host id is an upper-case UUID', () => {
  assert.match(sim.uniqueId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
});

test('a host running an app started by another client reports busy with its id', async () => {
  const appId = sim.apps()[1]?.id ?? 0;
  sim.setMisbehaviour({ runningApp: appId });
  try {
    const reply = await httpGet(sim.httpPort, '/serverinfo?uniqueid=x');
    assert.equal(reply.body.toString('utf8'), expectedHttpBody(sim, appId));
  } finally {
    sim.setMisbehaviour({ runningApp: 0 });
  }
});

test('HTTPS with a certificate that is not paired gets the XML 401 with HTTP 200', async () => {
  const reply = await httpsGet(sim.httpsPort, '/serverinfo?uniqueid=x', stranger);
  assert.equal(reply.statusLine, 'HTTP/1.1 200 OK');
  assert.equal(
    reply.body.toString('utf8'),
    '<?xml version="1.0" encoding="utf-8"?>\n<root status_code="401" query="" status_message="The client is not authorized. Certificate verification failed."/>',
  );
  const applist = rootOf(await httpsGet(sim.httpsPort, '/applist?uniqueid=x', stranger));
  assert.equal(applist['@status_code'], '401');
});

test('HTTPS without a client certificate gets no answer at all', async () => {
  await assert.rejects(async () => {
    const reply = await httpsGet(sim.httpsPort, '/serverinfo?uniqueid=x', null);
    if (reply.raw.length === 0) throw new Error('closed without an answer');
  });
});

test('an unknown path gets XML 404 with HTTP 200, then Sunshine\'s stray status line', async () => {
  const reply = await httpGet(sim.httpPort, '/unpair?uniqueid=x&uuid=y');
  const xml = '<?xml version="1.0" encoding="utf-8"?>\n<root status_code="404"/>';
  assert.equal(reply.statusLine, 'HTTP/1.1 200 OK');
  assert.equal(reply.body.toString('utf8'), xml);
  assert.equal(reply.trailing.toString('utf8'), `HTTP/1.1 404 NOT FOUND\r\n${xml}`);
  // The HTTPS-only endpoints do not exist on the HTTP port.
  assert.equal(rootOf(await httpGet(sim.httpPort, '/applist?uniqueid=x'))['@status_code'], '404');
});

test('a request with a huge query gets 413 and the host keeps answering', async () => {
  const reply = await httpGet(sim.httpPort, `/serverinfo?uniqueid=${'A'.repeat(100_000)}`);
  assert.equal(reply.statusLine, 'HTTP/1.1 413 Payload Too Large');
  assert.equal(rootOf(await httpGet(sim.httpPort, '/serverinfo'))['@status_code'], '200');
});

test('requests that are not GET, or not HTTP, are closed without an answer', async () => {
  const notGet = await exchange(() => connect({ host: '127.0.0.1', port: sim.httpPort }), 'POST /serverinfo HTTP/1.1\r\n\r\n', 5000);
  assert.equal(notGet.raw.length, 0);
  const garbage = await exchange(() => connect({ host: '127.0.0.1', port: sim.httpPort }), 'HELLO\r\n\r\n', 5000);
  assert.equal(garbage.raw.length, 0);
  assert.equal(rootOf(await httpGet(sim.httpPort, '/serverinfo'))['@status_code'], '200');
});

test('query names are matched without regard to case, as Sunshine\'s server library does', async () => {
  const stale = await httpGet(sim.httpPort, '/pair?UniqueID=zz&clientchallenge=00');
  assert.equal(rootOf(stale)['@status_message'], 'Invalid uniqueid');
});
