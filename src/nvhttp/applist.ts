// `/applist` reply to AppView[] (control-plane.md §5.1).

import type { AppView } from '../app/services.ts';
import { err, ok, type Result } from '../lib/result.ts';
import { childElement, type MalformedReply, type XmlReply } from './xml-reply.ts';

/**
 * Every `App` needs a non-zero ID and an `AppTitle` element (possibly empty: Sunshine writes
 * `<AppTitle/>` for an unnamed app). One app without them rejects the whole list, as
 * moonlight-qt does, rather than showing a list with holes.
 */
export function parseAppList(reply: XmlReply): Result<AppView[], MalformedReply> {
  const apps: AppView[] = [];
  for (const element of reply.root.children) {
    if (element.name !== 'App') continue;
    if (apps.length >= MAX_APPS) return err({ kind: 'malformed-reply', detail: `more than ${MAX_APPS} apps` });
    const title = childElement(element, 'AppTitle');
    const id = parseSigned32(childElement(element, 'ID')?.text.trim() ?? '');
    if (title === null || id === null || id === 0) {
      return err({ kind: 'malformed-reply', detail: `invalid app list: app #${apps.length + 1} lacks a title or a non-zero ID` });
    }
    apps.push({ id, title: title.text.trim(), hdrSupported: childElement(element, 'IsHdrSupported')?.text.trim() === '1' });
  }
  return ok(apps);
}

function parseSigned32(text: string): number | null {
  if (!/^-?\d{1,10}$/.test(text)) return null;
  const n = Number(text);
  return n >= -0x80000000 && n <= 0x7fffffff ? n : null;
}

// Far above any real library (Sunshine lists what its apps.json holds); the reply itself is
// already bounded by the 1 MiB XML limit, this keeps the UI's list bounded too.
const MAX_APPS = 5000;
