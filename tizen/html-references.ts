// Finds the local files a start page loads (scripts, style sheets, icons, images), so that
// packaging can refuse a .wgt whose page would load with a missing file. A packaged widget is
// opened from the package folder, not from a web server, which is why a root-absolute path
// ("/assets/x.js", Vite's default base) is a fault of its own: it would point at the TV's
// file system root.

export type HtmlReference =
  | { kind: 'relative'; path: string } // resolved against the page's folder, `/`-separated
  | { kind: 'root-absolute'; url: string };

/** Every `src`/`href` attribute that names a local file, in document order, without duplicates. */
export function htmlReferences(html: string, pageDir = ''): HtmlReference[] {
  const out: HtmlReference[] = [];
  const seen = new Set<string>();
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const match of withoutComments.matchAll(kAttribute)) {
    const raw = decodeEntities(match[1] ?? match[2] ?? '').trim();
    const url = raw.replace(/[?#].*$/, '');
    if (url === '' || kNonLocal.test(raw)) continue;
    const ref: HtmlReference = url.startsWith('/') ? { kind: 'root-absolute', url } : { kind: 'relative', path: joinPath(pageDir, url) };
    const key = ref.kind === 'relative' ? ref.path : ref.url;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(ref);
  }
  return out;
}

/** Resolves `.` and `..` segments; a path that climbs above the page's folder keeps its `..`. */
function joinPath(dir: string, relative: string): string {
  const parts: string[] = [];
  for (const segment of `${dir}/${safeDecode(relative)}`.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(segment);
  }
  return parts.join('/');
}

function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

function decodeEntities(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

/** `src=` or `href=` inside a tag, with a double- or single-quoted value. */
const kAttribute = /<[a-zA-Z][^>]*?\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
/** Schemes, protocol-relative URLs and fragments name nothing inside the package. */
const kNonLocal = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|\/\/|#)/;
