// `npm run package`: assembles dist/<AppName>.wgt from config.xml, the built app (dist/app)
// and a generated launcher icon. The package is unsigned; signing with the user's
// certificates is a separate step (README, "Packaging for a TV").

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertNever, err, ok, type Result } from '../src/lib/result.ts';
import { CORE_SIMD_WASM_FILE, CORE_WASM_FILE } from '../wasm/core-file.ts';
import { htmlReferences } from './html-references.ts';
import { renderIconPng } from './icon-png.ts';
import { readManifest, setMetadataValue, type Manifest } from './manifest.ts';
import { writeZip, type ZipError } from './zip-writer.ts';

export interface PackageOptions {
  /** The manifest to ship, normally the repository's config.xml. */
  configPath: string;
  /** The built app: index.html, both core builds, bundles. */
  appDir: string;
  /** Where `<AppName>.wgt` is written (created if missing). */
  outDir: string;
  /** The value of the use.game.mode metadata (tizen.md §4.4). */
  gameMode: boolean;
}

export interface PackageReport {
  wgtPath: string;
  manifest: Manifest;
  /** Archive entry names, in archive order. */
  entries: string[];
  sizeBytes: number;
}

export type PackageError =
  | { kind: 'missing-app'; appDir: string; detail: string }
  | { kind: 'missing-reference'; page: string; file: string }
  | { kind: 'absolute-reference'; page: string; url: string }
  | { kind: 'name-clash'; file: string }
  | { kind: 'manifest'; detail: string }
  | { kind: 'zip'; error: ZipError }
  | { kind: 'io'; detail: string };

export function packageWidget(options: PackageOptions): Result<PackageReport, PackageError> {
  const configText = readText(options.configPath);
  if (!configText.ok) return configText;
  const shipped = setMetadataValue(configText.value, kGameModeKey, options.gameMode ? 'true' : 'false');
  if (!shipped.ok) return shipped;
  const manifest = readManifest(shipped.value);
  if (!manifest.ok) return manifest;

  const appFiles = listAppFiles(options.appDir);
  if (!appFiles.ok) return appFiles;
  const names = new Set(appFiles.value);
  const content = manifest.value.contentSrc;
  if (!names.has(content)) return err({ kind: 'missing-app', appDir: options.appDir, detail: `no ${content} (the manifest's start page); run the build first` });
  for (const required of kRequiredAppFiles) {
    if (!names.has(required)) return err({ kind: 'missing-app', appDir: options.appDir, detail: `no ${required}; run the build first` });
  }
  for (const generated of ['config.xml', manifest.value.iconSrc]) {
    if (names.has(generated)) return err({ kind: 'name-clash', file: generated });
  }
  const checked = checkPageReferences(options.appDir, content, names);
  if (!checked.ok) return checked;

  const entries = [
    { name: 'config.xml', bytes: new TextEncoder().encode(shipped.value) },
    { name: manifest.value.iconSrc, bytes: renderIconPng(kIconSizePx) },
  ];
  for (const name of appFiles.value) {
    const bytes = readBytes(join(options.appDir, ...name.split('/')));
    if (!bytes.ok) return bytes;
    entries.push({ name, bytes: bytes.value });
  }
  const zip = writeZip(entries);
  if (!zip.ok) return err({ kind: 'zip', error: zip.error });

  const wgtPath = join(options.outDir, `${manifest.value.appName}.wgt`);
  try {
    mkdirSync(options.outDir, { recursive: true });
    writeFileSync(wgtPath, zip.value);
  } catch (e) {
    return err({ kind: 'io', detail: `cannot write ${wgtPath}: ${String(e)}` });
  }
  return ok({ wgtPath, manifest: manifest.value, entries: entries.map((e) => e.name), sizeBytes: zip.value.length });
}

export function packageErrorText(e: PackageError): string {
  switch (e.kind) {
    case 'missing-app':
      return `The built app in ${e.appDir} is incomplete: ${e.detail}.`;
    case 'missing-reference':
      return `${e.page} loads ${e.file}, which is not in the built app.`;
    case 'absolute-reference':
      return `${e.page} loads ${e.url} by an absolute path, which points outside the package on a TV; build with a relative base (Vite: base: './').`;
    case 'name-clash':
      return `The built app contains ${e.file}, which the packager writes itself; remove it from the app.`;
    case 'manifest':
      return `config.xml is not a valid Tizen manifest: ${e.detail}.`;
    case 'zip':
      return `Cannot build the archive: ${e.error.kind} ${'name' in e.error ? e.error.name : e.error.detail}.`;
    case 'io':
      return e.detail;
    default:
      return assertNever(e);
  }
}

/**
 * App files as archive names, sorted so the package is reproducible. Left out: dotfiles
 * (the signer skips them, tizen.md §6.1), source maps (debug-only weight), and
 * app-config.json (desktop relay settings; a TV has no relay).
 */
function listAppFiles(appDir: string): Result<string[], PackageError> {
  if (!existsSync(appDir) || !statSync(appDir).isDirectory()) {
    return err({ kind: 'missing-app', appDir, detail: 'the folder does not exist; run the build first' });
  }
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !entry.name.endsWith('.map') && entry.name !== 'app-config.json') {
        out.push(relative(appDir, full).split(sep).join('/'));
      }
    }
  };
  try {
    walk(appDir);
  } catch (e) {
    return err({ kind: 'io', detail: `cannot read ${appDir}: ${String(e)}` });
  }
  return ok(out.sort());
}

function checkPageReferences(appDir: string, page: string, names: ReadonlySet<string>): Result<void, PackageError> {
  const html = readText(join(appDir, ...page.split('/')));
  if (!html.ok) return html;
  const pageDir = page.includes('/') ? page.slice(0, page.lastIndexOf('/')) : '';
  for (const ref of htmlReferences(html.value, pageDir)) {
    if (ref.kind === 'root-absolute') return err({ kind: 'absolute-reference', page, url: ref.url });
    if (!names.has(ref.path)) return err({ kind: 'missing-reference', page, file: ref.path });
  }
  return ok(undefined);
}

function readText(path: string): Result<string, PackageError> {
  const bytes = readBytes(path);
  return bytes.ok ? ok(new TextDecoder().decode(bytes.value)) : bytes;
}

function readBytes(path: string): Result<Uint8Array, PackageError> {
  try {
    return ok(new Uint8Array(readFileSync(path)));
  } catch (e) {
    return err({ kind: 'io', detail: `cannot read ${path}: ${String(e)}` });
  }
}

function parseArgs(args: readonly string[]): Result<{ gameMode: boolean }, string> {
  let gameMode = true;
  for (const arg of args) {
    if (arg === '--game-mode=on') gameMode = true;
    else if (arg === '--game-mode=off') gameMode = false;
    else return err(`unknown option ${arg} (known: --game-mode=on, --game-mode=off)`);
  }
  return ok({ gameMode });
}

function main(): void {
  const root = new URL('..', import.meta.url).pathname;
  const args = parseArgs(process.argv.slice(2));
  if (!args.ok) {
    console.error(`package: ${args.error}`);
    process.exit(2);
  }
  const result = packageWidget({
    configPath: join(root, 'config.xml'),
    appDir: join(root, 'dist', 'app'),
    outDir: join(root, 'dist'),
    gameMode: args.value.gameMode,
  });
  if (!result.ok) {
    console.error(`package: ${packageErrorText(result.error)}`);
    process.exit(1);
  }
  const r = result.value;
  console.log(`wrote ${relative(process.cwd(), r.wgtPath) || r.wgtPath} (${r.entries.length} files, ${(r.sizeBytes / 1024).toFixed(0)} KiB, unsigned)`);
  console.log(`  application id ${r.manifest.packageId}.${r.manifest.appName}, version ${r.manifest.version}, game mode ${args.value.gameMode ? 'on' : 'off'}`);
}

/** Files the app cannot start without, beyond the manifest's start page. */
const kRequiredAppFiles = [CORE_WASM_FILE, CORE_SIMD_WASM_FILE];
const kGameModeKey = 'http://samsung.com/tv/metadata/use.game.mode';
/** tizen.md §4.6: the ports ship 512×512; the launcher scales it down. */
const kIconSizePx = 512;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
