import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAppList } from '../../../src/nvhttp/applist.ts';
import { parseXmlReply } from '../../../src/nvhttp/xml-reply.ts';
import { fixtureBody, SUNSHINE_VERSIONS } from './fixture-replies.ts';

function appsOf(body: Uint8Array | string): ReturnType<typeof parseAppList> {
  const reply = parseXmlReply(body);
  if (!reply.ok) throw new Error(reply.error.detail);
  return parseAppList(reply.value);
}

for (const version of SUNSHINE_VERSIONS) {
  test(`real Sunshine ${version} app list has its Desktop app`, () => {
    assert.deepEqual(appsOf(fixtureBody(version, 'applist-https')), { ok: true, value: [{ id: 881448767, title: 'Desktop', hdrSupported: false }] });
  });
}

const app = (inner: string): string => `<App>${inner}</App>`;

test('several apps keep their order, HDR flag and an empty title', () => {
  const body = `<root status_code="200">${app('<IsHdrSupported>1</IsHdrSupported><AppTitle>Steam Big Picture</AppTitle><ID>2147483647</ID>')}${app('<AppTitle/><ID>5</ID>')}${app('<AppTitle>Neg</AppTitle><ID>-3</ID><IsAppCollectorGame>1</IsAppCollectorGame>')}</root>`;
  assert.deepEqual(appsOf(body), {
    ok: true,
    value: [
      { id: 2147483647, title: 'Steam Big Picture', hdrSupported: true },
      { id: 5, title: '', hdrSupported: false },
      { id: -3, title: 'Neg', hdrSupported: false },
    ],
  });
});

test('an empty list is an empty array', () => {
  assert.deepEqual(appsOf('<root status_code="200"></root>'), { ok: true, value: [] });
});

const invalid: Array<{ name: string; inner: string }> = [
  { name: 'an app with ID 0', inner: app('<AppTitle>A</AppTitle><ID>0</ID>') },
  { name: 'an app without ID', inner: app('<AppTitle>A</AppTitle>') },
  { name: 'an app with a non-numeric ID', inner: app('<AppTitle>A</AppTitle><ID>abc</ID>') },
  { name: 'an app with an ID beyond 32 bits', inner: app('<AppTitle>A</AppTitle><ID>4294967296</ID>') },
  { name: 'an app without a title element', inner: app('<ID>7</ID>') },
  { name: 'a valid app followed by an invalid last one', inner: app('<AppTitle>A</AppTitle><ID>1</ID>') + app('<ID>2</ID>') },
];

for (const c of invalid) {
  test(`a list with ${c.name} is rejected as malformed`, () => {
    const r = appsOf(`<root status_code="200">${c.inner}</root>`);
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'malformed-reply');
  });
}
