// `node --import tsx src/relay/main.ts [--port N] [--host 127.0.0.1|::1]`: runs the relay
// until interrupted and prints the URL and token the browser build needs.

import { parseArgs } from 'node:util';
import { startRelay } from './relay-server.ts';

const { values } = parseArgs({
  options: { host: { type: 'string' }, port: { type: 'string' }, token: { type: 'string' } },
});
const relay = await startRelay({
  ...(values.host === undefined ? {} : { host: values.host }),
  ...(values.port === undefined ? {} : { port: Number(values.port) }),
  ...(values.token === undefined ? {} : { token: values.token }),
});
console.log(JSON.stringify({ relayUrl: relay.url, token: relay.token }));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void relay.close().then(() => process.exit(0));
  });
}
