import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostRecord, serializeHostRecord, type HostRecord } from '../../../../src/app/hosts/host-record.ts';
import { parseHostAddress } from '../../../../src/app/hosts/host-address.ts';

function record(overrides: Partial<HostRecord> = {}): HostRecord {
  const address = parseHostAddress('[fe80::1]:48989');
  assert.ok(address.ok);
  return {
    id: 'A1B2-C3',
    uniqueId: 'A1B2-C3',
    name: 'Gaming PC',
    address: address.value,
    httpsPort: 48984,
    mac: 'aa:bb:cc:dd:ee:ff',
    localAddress: '192.168.1.20',
    pinnedCertDer: Uint8Array.from([0x30, 0x82, 0x00, 0xff]),
    ...overrides,
  };
}

test('a record read back after saving equals the saved one', () => {
  const saved = record();
  const back = parseHostRecord(serializeHostRecord(saved));
  assert.deepEqual(back, { ok: true, value: saved });
});

test('a never-contacted, unpaired record reads back too', () => {
  const saved = record({ id: 'pending-01', uniqueId: null, mac: null, localAddress: null, pinnedCertDer: null });
  assert.deepEqual(parseHostRecord(serializeHostRecord(saved)), { ok: true, value: saved });
});

const CORRUPT = [
  { name: 'half-written JSON', text: '{"v":1,"id":"x"' },
  { name: 'an array', text: '[]' },
  { name: 'a newer version', text: serializeHostRecord(record()).replace('"v":1', '"v":2') },
  { name: 'an invalid address', text: serializeHostRecord(record()).replace('[fe80::1]:48989', 'no such:address') },
  { name: 'a port out of range', text: serializeHostRecord(record()).replace('48984', '70000') },
  { name: 'a bad MAC', text: serializeHostRecord(record()).replace('aa:bb:cc:dd:ee:ff', 'aa:bb') },
  { name: 'a certificate that is not hex', text: serializeHostRecord(record()).replace('308200ff', 'zz') },
  { name: 'a missing name', text: serializeHostRecord(record()).replace('"name":"Gaming PC",', '') },
];

for (const c of CORRUPT) {
  test(`a record with ${c.name} is refused with a reason`, () => {
    const r = parseHostRecord(c.text);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.error.length > 0);
  });
}
