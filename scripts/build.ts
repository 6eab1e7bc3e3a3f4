// `npm run build`: the core (native and WebAssembly), the app bundle, then the host
// simulator's media fixtures (encoded once with ffmpeg, so no stream waits for an encoder).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;

function step(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build step failed: ${cmd} ${args.join(' ')}`);
    process.exit(r.status ?? 1);
  }
}

step('bash', ['native/build.sh']);
if (existsSync(`${root}vite.config.ts`)) step('npx', ['vite', 'build', '--logLevel', 'warn']);
step(process.execPath, ['--import', 'tsx', 'scripts/make-fixtures.ts']);
