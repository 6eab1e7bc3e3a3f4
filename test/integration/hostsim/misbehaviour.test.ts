import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { XMLValidator } from 'fast-xml-parser';
import { generateIdentity } from '../../hostsim/host-identity.ts';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';
import { httpGet, rootOf } from './gamestream-test-client.ts';

let sim: HostSim;

before(async () => {
  sim = await startHostSim({ httpPort: 0, identity: generateIdentity() });
});
after(() => sim.close());

test('malformed-xml answers XML that no parser accepts, and switching it off restores good XML', async () => {
  sim.setMisbehaviour({ malformedXml: true });
  const bad = await httpGet(sim.httpPort, '/serverinfo?uniqueid=x');
  assert.equal(bad.statusLine, 'HTTP/1.1 200 OK');
  assert.notEqual(XMLValidator.validate(bad.body.toString('utf8')), true);
  sim.setMisbehaviour({});
  const good = await httpGet(sim.httpPort, '/serverinfo?uniqueid=x');
  assert.equal(XMLValidator.validate(good.body.toString('utf8')), true);
});

test('oversized streams a 64 MiB answer to a client that keeps reading, and stops when it hangs up', async () => {
  const sizeBytes = 64 * 1024 * 1024;
  sim.setMisbehaviour({ oversizedBytes: sizeBytes });
  try {
    // A client with a sane limit reads the head and the first 1 MiB, then hangs up.
    const head = await new Promise<{ contentLength: string; receivedBytes: number }>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: sim.httpPort });
      let received = Buffer.alloc(0);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('timeout'));
      }, 10_000);
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 1024 * 1024) return;
        clearTimeout(timer);
        socket.destroy();
        const m = /Content-Length: (\d+)/.exec(received.subarray(0, 200).toString('latin1'));
        resolve({ contentLength: m?.[1] ?? '', receivedBytes: received.length });
      });
      socket.on('error', reject);
      socket.write('GET /serverinfo HTTP/1.1\r\n\r\n');
    });
    assert.equal(head.contentLength, String(sizeBytes));
    assert.ok(head.receivedBytes >= 1024 * 1024);
  } finally {
    sim.setMisbehaviour({});
  }
  // The host is still healthy for the next client.
  assert.equal(rootOf(await httpGet(sim.httpPort, '/serverinfo'))['@status_code'], '200');
});

test('slow delays every answer: a client with a short timeout gives up, a patient one gets it', async () => {
  sim.setMisbehaviour({ slowMs: 60_000 });
  try {
    await assert.rejects(httpGet(sim.httpPort, '/serverinfo', 300), /timeout/);
  } finally {
    sim.setMisbehaviour({});
  }
  sim.setMisbehaviour({ slowMs: 1 });
  assert.equal(rootOf(await httpGet(sim.httpPort, '/serverinfo'))['@status_code'], '200');
  sim.setMisbehaviour({});
});

test('bad hex in pairing is read Sunshine\'s lenient way and never crashes the host', async () => {
  const sim2 = await startHostSim({ httpPort: 0, identity: generateIdentity(), pin: '1234' });
  try {
    const cases = [
      `/pair?uniqueid=h1&phrase=getservercert&salt=${'zz'.repeat(16)}&clientcert=%%%`,
      '/pair?uniqueid=h1&clientchallenge=not-hex-at-all',
      '/pair?uniqueid=h1&serverchallengeresp=%ZZ%00',
      `/pair?uniqueid=h1&clientpairingsecret=${'q'.repeat(600)}`,
    ];
    const codes: string[] = [];
    for (const target of cases) codes.push(String(rootOf(await httpGet(sim2.httpPort, target))['@status_code']));
    // Phases 1-3 go through with garbage bytes; phase 4 finds the certificate unreadable.
    assert.deepEqual(codes, ['200', '200', '200', '400']);
    const last = rootOf(await httpGet(sim2.httpPort, '/serverinfo'));
    assert.equal(last['@status_code'], '200');
  } finally {
    await sim2.close();
  }
});
