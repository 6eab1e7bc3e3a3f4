import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, type HostIdentity } from '../../hostsim/host-identity.ts';
import { startHostSim, type HostSim, type HostSimOptions } from '../../hostsim/host-sim.ts';
import { EXCHANGE_TIMEOUT_MS, ecb, httpGet, httpsGet, makeClientIdentity, pair, rootOf, text, type ClientIdentity } from './gamestream-test-client.ts';

let hostIdentity: HostIdentity;
let client: ClientIdentity;

before(() => {
  hostIdentity = generateIdentity();
  client = makeClientIdentity();
});

async function withSim(options: HostSimOptions, body: (sim: HostSim) => Promise<void>): Promise<void> {
  const sim = await startHostSim({ httpPort: 0, identity: hostIdentity, ...options });
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

async function pairStatusOverHttps(sim: HostSim, who: ClientIdentity): Promise<string> {
  const root = rootOf(await httpsGet(sim.httpsPort, '/serverinfo?uniqueid=a1b2c3&uuid=1', who));
  return root['@status_code'] === '200' ? text(root, 'PairStatus') : `status ${String(root['@status_code'])}`;
}

test('pairing with the right PIN stores the client, and HTTPS serverinfo then says PairStatus 1', () =>
  withSim({}, async (sim) => {
    assert.equal(await pairStatusOverHttps(sim, client), 'status 401');
    const outcome = await pair(sim, client, '4821', '4821');
    assert.deepEqual(outcome, { phase4Paired: '1', signatureVerified: true, pinMatched: true, plaincertPem: sim.certPem });
    assert.deepEqual(
      sim.pairedClients().map((c) => ({ name: c.name, certPem: c.certPem })),
      [{ name: 'Test TV', certPem: client.certPem }],
    );
    assert.equal(await pairStatusOverHttps(sim, client), '1');
    // Over HTTPS without a uniqueid, Sunshine reports 0 even for a paired certificate.
    assert.equal(text(rootOf(await httpsGet(sim.httpsPort, '/serverinfo', client)), 'PairStatus'), '0');
    // HTTP never reports pairing.
    assert.equal(text(rootOf(await httpGet(sim.httpPort, '/serverinfo?uniqueid=a1b2c3')), 'PairStatus'), '0');
  }));

test('a wrong PIN is caught by the client after phase 3 and by the host in phase 4, and nothing is saved', () =>
  withSim({}, async (sim) => {
    const outcome = await pair(sim, client, '1111', '2222');
    assert.equal(outcome.signatureVerified, true);
    assert.equal(outcome.pinMatched, false);
    // A client that goes on anyway (wrong PIN means its hash is wrong) gets paired=0 with status 200.
    // The first attempt left its session in Sunshine's table at phase 3: like Sunshine, the next
    // PIN typed goes to that stale session, which fails and is deleted (control-plane.md 4.5),
    // so the person has to type the PIN a second time.
    const forced = await pairIgnoringPinCheck(sim, '1111', '2222');
    assert.deepEqual(forced.pinAccepted, [false, true]);
    assert.equal(forced.phase4, '<?xml version="1.0" encoding="utf-8"?>\n<root status_code="200"><paired>0</paired></root>');
    assert.deepEqual(sim.pairedClients(), []);
    assert.equal(await pairStatusOverHttps(sim, client), 'status 401');
  }));

test('with the man-in-the-middle misbehaviour the pairing secret signature does not verify', () =>
  withSim({ misbehaviour: { mitm: true } }, async (sim) => {
    const outcome = await pair(sim, client, '1234', '1234');
    assert.equal(outcome.signatureVerified, false);
    assert.notEqual(outcome.plaincertPem, sim.certPem);
    assert.deepEqual(sim.pairedClients(), []);
  }));

test('with busy pairing, phase 1 answers paired=1 without a plaincert at once', () =>
  withSim({ misbehaviour: { busyPairing: true } }, async (sim) => {
    const reply = await httpGet(sim.httpPort, `/pair?uniqueid=u1&phrase=getservercert&salt=${'00'.repeat(16)}&clientcert=41`);
    assert.equal(reply.body.toString('utf8'), '<?xml version="1.0" encoding="utf-8"?>\n<root status_code="200"><paired>1</paired></root>');
  }));

test('out-of-order and malformed pairing requests get Sunshine\'s 400 and 404 answers', () =>
  withSim({ pin: '1234' }, async (sim) => {
    const salt = '00'.repeat(16);
    const cert = Buffer.from(client.certPem).toString('hex');
    const cases: { name: string; query: string; expected: string }[] = [
      { name: 'no uniqueid', query: 'phrase=getservercert', expected: '<root status_code="400" status_message="Missing uniqueid parameter"/>' },
      { name: 'unknown session', query: 'uniqueid=u1&clientchallenge=00', expected: '<root status_code="400" status_message="Invalid uniqueid"/>' },
      { name: 'short salt', query: `uniqueid=u1&phrase=getservercert&salt=00&clientcert=${cert}`, expected: '<root status_code="400" status_message="Salt too short"><paired>0</paired></root>' },
      { name: 'session was deleted', query: 'uniqueid=u1&clientchallenge=00', expected: '<root status_code="400" status_message="Invalid uniqueid"/>' },
      { name: 'phase 1 with the fixed PIN', query: `uniqueid=u1&phrase=getservercert&salt=${salt}&clientcert=${cert}`, expected: 'plaincert' },
      { name: 'phase 3 before phase 2', query: 'uniqueid=u1&serverchallengeresp=00', expected: '<root status_code="400" status_message="Out of order call to serverchallengeresp"><paired>0</paired></root>' },
      { name: 'phase 1 again', query: `uniqueid=u1&phrase=getservercert&salt=${salt}&clientcert=${cert}`, expected: 'plaincert' },
      { name: 'phase 1 on a live session', query: `uniqueid=u1&phrase=getservercert&salt=${salt}&clientcert=${cert}`, expected: '<root status_code="400" status_message="Out of order call to getservercert"><paired>0</paired></root>' },
      { name: 'phase 1 once more', query: `uniqueid=u1&phrase=getservercert&salt=${salt}&clientcert=${cert}`, expected: 'plaincert' },
      { name: 'phase 4 before phase 2', query: `uniqueid=u1&clientpairingsecret=${'00'.repeat(272)}`, expected: '<root status_code="400" status_message="Out of order call to clientpairingsecret"><paired>0</paired></root>' },
      { name: 'no phase named', query: 'uniqueid=u1', expected: '<root status_code="400" status_message="Invalid uniqueid"/>' },
      { name: 'phase 1 for 404', query: `uniqueid=u2&phrase=getservercert&salt=${salt}&clientcert=${cert}`, expected: 'plaincert' },
      { name: 'no phase named on a session', query: 'uniqueid=u2&foo=1', expected: '<root status_code="404" status_message="Invalid pairing request"/>' },
      { name: 'pairchallenge over HTTP', query: 'uniqueid=zz&phrase=pairchallenge', expected: '<root status_code="200"><paired>1</paired></root>' },
      { name: 'no clientcert', query: `uniqueid=u3&phrase=getservercert&salt=${salt}`, expected: '' },
    ];
    for (const c of cases) {
      const body = (await httpGet(sim.httpPort, `/pair?${c.query}`)).body.toString('utf8');
      assert.ok(body.startsWith('<?xml version="1.0" encoding="utf-8"?>\n'), c.name);
      const rest = body.slice('<?xml version="1.0" encoding="utf-8"?>\n'.length);
      if (c.expected === 'plaincert') assert.match(rest, /^<root status_code="200"><paired>1<\/paired><plaincert>[0-9A-F]+<\/plaincert><\/root>$/, c.name);
      else assert.equal(rest, c.expected, c.name);
    }
  }));

test('the PIN is taken only while a pairing waits for it, and only as 4 digits', () =>
  withSim({}, async (sim) => {
    assert.equal(sim.enterPin('1234'), false);
    const pending = sim.waitForEvent((e) => e.kind === 'pin-pending', EXCHANGE_TIMEOUT_MS);
    const held = httpGet(sim.httpPort, `/pair?uniqueid=u1&phrase=getservercert&salt=${'00'.repeat(16)}&clientcert=41`);
    await pending;
    for (const bad of ['123', '12345', '12a4', '']) assert.equal(sim.enterPin(bad), false, bad);
    assert.equal(sim.enterPin('0000'), true);
    assert.equal(rootOf(await held).paired, '1');
    assert.equal(sim.enterPin('0000'), false);
  }));

test('the web UI takes the PIN, lists the paired client and unpairs it', () =>
  withSim({}, async (sim) => {
    const api = (path: string, body?: unknown): Promise<unknown> =>
      fetch(`http://127.0.0.1:${sim.webUiPort}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
    const page = await fetch(`http://127.0.0.1:${sim.webUiPort}/`).then((r) => r.text());
    assert.match(page, /<form id="pin-form">/);
    assert.deepEqual(await api('/api/pin', { pin: '1234', name: 'x' }), { status: false });

    assert.equal((await pair(sim, client, '5678', '5678')).phase4Paired, '1');
    const list = (await api('/api/clients/list')) as { named_certs: { name: string; uuid: string; enabled: boolean }[]; status: boolean };
    assert.equal(list.status, true);
    assert.deepEqual(list.named_certs.map((c) => [c.name, c.enabled]), [['Test TV', true]]);
    assert.equal(await pairStatusOverHttps(sim, client), '1');

    assert.deepEqual(await api('/api/clients/unpair', { uuid: 'NOT-A-CLIENT' }), { status: false });
    assert.deepEqual(await api('/api/clients/unpair', { uuid: list.named_certs[0]?.uuid }), { status: true });
    assert.equal(await pairStatusOverHttps(sim, client), 'status 401');
    assert.deepEqual(await api('/api/clients/unpair-all', {}), { status: true });
  }));

test('a PIN typed into the web UI page answers the held phase 1', () =>
  withSim({}, async (sim) => {
    const pending = sim.waitForEvent((e) => e.kind === 'pin-pending', EXCHANGE_TIMEOUT_MS);
    const held = httpGet(sim.httpPort, `/pair?uniqueid=u9&phrase=getservercert&salt=${'11'.repeat(16)}&clientcert=41`);
    await pending;
    const r = await fetch(`http://127.0.0.1:${sim.webUiPort}/api/pin`, { method: 'POST', body: JSON.stringify({ pin: '9876', name: 'Living room' }) });
    assert.deepEqual(await r.json(), { status: true });
    assert.equal(rootOf(await held).paired, '1');
  }));

test('pairings, the host id and the host certificate survive a restart with the same state dir', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostsim-state-'));
  try {
    let firstId = '';
    let firstCert = '';
    await withSim({ stateDir: dir }, async (sim) => {
      firstId = sim.uniqueId;
      firstCert = sim.certPem;
      assert.equal((await pair(sim, client, '2468', '2468')).phase4Paired, '1');
    });
    const saved: unknown = JSON.parse(readFileSync(join(dir, 'sunshine_state.json'), 'utf8'));
    assert.equal((saved as { root: { uniqueid: string } }).root.uniqueid, firstId);
    await withSim({ stateDir: dir }, async (sim) => {
      assert.equal(sim.uniqueId, firstId);
      assert.equal(sim.certPem, firstCert);
      assert.equal(await pairStatusOverHttps(sim, client), '1');
      sim.unpairAll();
    });
    await withSim({ stateDir: dir }, async (sim) => {
      assert.equal(await pairStatusOverHttps(sim, client), 'status 401');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the host certificate is Sunshine\'s shape: CN, 20 years, 159-bit serial, RSA-2048', () => {
  const x = new X509Certificate(hostIdentity.certPem);
  assert.equal(x.subject, 'CN=Sunshine Gamestream Host');
  assert.equal(x.issuer, 'CN=Sunshine Gamestream Host');
  assert.equal((new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()) / 86_400_000, 7300);
  assert.equal(x.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.ok(x.serialNumber.length <= 40);
  assert.equal(x.verify(x.publicKey), true);
});

/** Runs phases 1-4 with a PIN mismatch, sending phase 4 regardless; returns phase 4's body. */
async function pairIgnoringPinCheck(sim: HostSim, pin: string, enteredPin: string): Promise<{ pinAccepted: boolean[]; phase4: string }> {
  const base = '/pair?uniqueid=forced&uuid=1';
  const salt = randomBytes(16);
  const key = createHash('sha256').update(salt).update(pin).digest().subarray(0, 16);
  const pending = sim.waitForEvent((e) => e.kind === 'pin-pending' && e.uniqueId === 'forced', EXCHANGE_TIMEOUT_MS);
  const phase1 = httpGet(sim.httpPort, `${base}&phrase=getservercert&salt=${salt.toString('hex')}&clientcert=${Buffer.from(client.certPem).toString('hex')}`);
  await pending;
  const pinAccepted = [sim.enterPin(enteredPin, 'x')];
  if (pinAccepted[0] === false) pinAccepted.push(sim.enterPin(enteredPin, 'x'));
  await phase1;
  const r2 = rootOf(await httpGet(sim.httpPort, `${base}&clientchallenge=${ecb(key, randomBytes(16), true).toString('hex')}`));
  const serverChallenge = ecb(key, Buffer.from(text(r2, 'challengeresponse'), 'hex'), false).subarray(32, 48);
  // The client's hash is right; what differs is the key both sides derived from the PIN.
  const clientHash = createHash('sha256').update(serverChallenge).digest();
  await httpGet(sim.httpPort, `${base}&serverchallengeresp=${ecb(key, clientHash, true).toString('hex')}`);
  const secret = randomBytes(16);
  const phase4 = await httpGet(sim.httpPort, `${base}&clientpairingsecret=${Buffer.concat([secret, sign('sha256', secret, client.keyPem)]).toString('hex')}`);
  return { pinAccepted, phase4: phase4.body.toString('utf8') };
}
