// Builds the TV/browser app from src/index.html into dist/app/.
//
// The output must run from a packaged widget on Chromium 69 (Tizen 5.5, platform/tizen.md 3):
// JavaScript lowered to ES2017, the page script and the services worker as classic scripts
// (module workers need Chromium 80, and module scripts are fetched in CORS mode, which a
// widget's file: URLs do not pass), no top-level await, relative URLs throughout, and
// both builds of the core (wasm/core-file.ts) next to index.html.

import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
const outDir = join(root, 'dist', 'app');
const coreWasmFiles = ['core.wasm', 'core-simd.wasm'];
const JS_TARGET = ['es2017', 'chrome69'];

// eslint-disable-next-line no-restricted-syntax -- Vite reads its configuration from the default export.
export default defineConfig({
  root: join(root, 'src'),
  base: './',
  publicDir: false,
  // The relay and the host simulator need no proxying: the page talks to the relay's own URL.
  server: { host: '127.0.0.1' },
  build: {
    outDir,
    emptyOutDir: true,
    target: JS_TARGET,
    cssTarget: 'chrome69',
    modulePreload: false,
    assetsInlineLimit: 0,
    // Everything beside index.html: a classic script cannot read its own URL once it awaited
    // (document.currentScript is gone), so URLs are resolved against the page's, which is
    // right only when both sit in the same folder.
    assetsDir: '',
    cssCodeSplit: false,
    sourcemap: true,
    rolldownOptions: {
      // iife output has no import.meta; the URL of the page (or, in a worker, of the worker
      // script) stands in for the script's own URL, which is right because of assetsDir.
      transform: { define: { 'import.meta.url': 'self.location.href' } },
      // One classic script for the page: no code splitting, so no dynamic import at run time.
      output: { format: 'iife', codeSplitting: false },
    },
  },
  worker: {
    format: 'iife',
    rolldownOptions: { output: { codeSplitting: false } },
  },
  plugins: [classicPageScript(), copyCoreWasm()],
});

/** Rewrites the built page's module script tag into a classic deferred one, and drops `crossorigin`. */
function classicPageScript(): Plugin {
  return {
    name: 'classic-page-script',
    apply: 'build',
    enforce: 'post',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        return html
          .replace(/<script type="module" crossorigin src="([^"]+)"><\/script>/g, '<script defer src="$1"></script>')
          .replace(/<script type="module" src="([^"]+)"><\/script>/g, '<script defer src="$1"></script>')
          .replace(/ crossorigin(?=[ >])/g, '');
      },
    },
  };
}

/** Puts the core's two builds, made by native/build.sh, next to index.html. */
function copyCoreWasm(): Plugin {
  return {
    name: 'copy-core-wasm',
    apply: 'build',
    closeBundle() {
      for (const file of coreWasmFiles) {
        const built = join(root, 'build', 'wasm', file);
        if (!existsSync(built)) {
          this.warn(`${built} is missing (run bash native/build.sh): dist/app has no ${file}`);
          continue;
        }
        mkdirSync(outDir, { recursive: true });
        copyFileSync(built, join(outDir, file));
      }
    },
  };
}
