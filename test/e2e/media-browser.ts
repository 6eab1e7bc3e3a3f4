// What the media sink tests in Chromium share: a loopback site that serves the sources as
// TypeScript transpiled per file (so the browser runs exactly the modules the app bundles),
// extra files of the test's own, and Debian's Chromium with a fresh profile.

import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './fixture.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Debian's Chromium, quiet and offline apart from loopback (as test/e2e/fixture.ts). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const STEP_TIMEOUT_MS = 15_000;

export type ExtraFile = { type: string; body: string | Uint8Array };

export interface MediaBrowser {
  page: Page;
  url: string;
  /** Page errors and console errors so far. */
  problems: string[];
  close(): Promise<void>;
}

export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} is missing`;
}

/** Serves `/index.html`, `/src/**.ts` and `files`; opens a fresh Chromium on the page. */
export async function openMediaBrowser(files: Record<string, ExtraFile>, extraArgs: string[] = []): Promise<MediaBrowser> {
  const site = createServer((request, response) => void serve(request.url ?? '/', response, files));
  site.listen(0, '127.0.0.1');
  await once(site, 'listening');
  const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const profileDir = mkdtempSync(join(tmpdir(), 'media-chromium-'));
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...extraArgs],
      timeout: STEP_TIMEOUT_MS,
    });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    await page.goto(`${url}/index.html`);
    const opened = context;
    return {
      page,
      url,
      problems,
      async close() {
        await opened.close();
        await closeServer(site);
        rmSync(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      },
    };
  } catch (e) {
    await context?.close();
    await closeServer(site);
    rmSync(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    throw e;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => server.close(() => done()));
}

async function serve(url: string, response: ServerResponse, files: Record<string, ExtraFile>): Promise<void> {
  const path = url.split('?')[0] ?? '/';
  const send = (type: string, body: string | Uint8Array): void => {
    response.writeHead(200, { 'content-type': type }).end(body);
  };
  if (path === '/index.html') return send('text/html', '<!doctype html><title>media test</title><body></body>');
  if (path === '/favicon.ico') return void response.writeHead(204).end();
  const extra = files[path];
  if (extra !== undefined) return send(extra.type, extra.body);
  const file = resolve(ROOT, `.${path}`);
  if (path.startsWith('/src/') && file.startsWith(ROOT + 'src' + sep) && file.endsWith('.ts') && existsSync(file)) {
    const source = await readFile(file, 'utf8');
    const js = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
    }).outputText;
    return send('text/javascript', js);
  }
  response.writeHead(404).end();
}
