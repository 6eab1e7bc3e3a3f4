// Reads config.xml and checks the rules the TV's installer enforces (shared/platform/tizen.md
// §4.1-4.2), so that a bad manifest fails at package time on the desk instead of at install
// time on the TV with an opaque `[118,-19]`.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { err, ok, type Result } from '../src/lib/result.ts';

export interface Manifest {
  widgetId: string;
  version: string;
  packageId: string;
  /** The part of the application id after the package id and the dot. */
  appName: string;
  requiredVersion: string;
  contentSrc: string;
  iconSrc: string;
  profile: string;
  privileges: string[];
  metadata: Map<string, string>;
}

export type ManifestError = { kind: 'manifest'; detail: string };

export function readManifest(xmlText: string): Result<Manifest, ManifestError> {
  const valid = XMLValidator.validate(xmlText);
  if (valid !== true) return fail(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc: unknown = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (tag) => kRepeatable.has(tag) }).parse(xmlText);
  const widget = field(doc, 'widget');
  if (!isRecord(widget)) return fail('no <widget> root element');
  if (widget['@xmlns'] !== kWidgetNs) return fail(`<widget> must use the namespace ${kWidgetNs}`);
  if (widget['@xmlns:tizen'] !== kTizenNs) return fail(`the tizen prefix must be bound to ${kTizenNs}`);

  const widgetId = text(widget['@id']);
  const version = text(widget['@version']);
  const app = widget['tizen:application'];
  const packageId = text(field(app, '@package'));
  const appId = text(field(app, '@id'));
  const requiredVersion = text(field(app, '@required_version'));
  const contentSrc = text(field(widget['content'], '@src'));
  const iconSrc = text(field(widget['icon'], '@src'));
  const profile = text(field(widget['tizen:profile'], '@name'));

  if (widgetId === '') return fail('<widget> needs an id IRI');
  if (!isWidgetVersion(version)) return fail(`version "${version}" is not x.y.z with x, y in 0-255 and z in 0-65535`);
  if (!/^[0-9a-zA-Z]{10}$/.test(packageId)) return fail(`package id "${packageId}" must be exactly 10 letters or digits`);
  const prefix = `${packageId}.`;
  const appName = appId.startsWith(prefix) ? appId.slice(prefix.length) : '';
  if (!/^[A-Za-z0-9_]{1,52}$/.test(appName)) return fail(`application id "${appId}" must be "${prefix}" followed by 1-52 of [A-Za-z0-9_]`);
  if (!/^\d+\.\d+$/.test(requiredVersion)) return fail(`required_version "${requiredVersion}" is not a platform version such as 5.5`);
  if (contentSrc === '') return fail('<content src> is missing');
  if (iconSrc === '') return fail('<icon src> is missing');
  if (profile === '') return fail('<tizen:profile name> is missing');

  const privileges = list(widget['tizen:privilege']).map((p) => text(field(p, '@name')));
  const metadata = new Map(list(widget['tizen:metadata']).map((m) => [text(field(m, '@key')), text(field(m, '@value'))]));
  return ok({ widgetId, version, packageId, appName, requiredVersion, contentSrc, iconSrc, profile, privileges, metadata });
}

/** Sets one `<tizen:metadata>` value in the manifest text, leaving the rest byte for byte. */
export function setMetadataValue(xmlText: string, key: string, value: string): Result<string, ManifestError> {
  const escapedKey = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(<tizen:metadata\\s+key="${escapedKey}"\\s+value=")[^"]*(")`);
  if (!pattern.test(xmlText)) return fail(`no <tizen:metadata key="${key}" value="..."/> to set`);
  return ok(xmlText.replace(pattern, `$1${value}$2`));
}

function isWidgetVersion(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (m === null) return false;
  return Number(m[1]) <= 255 && Number(m[2]) <= 255 && Number(m[3]) <= 65535;
}

function fail(detail: string): { ok: false; error: ManifestError } {
  return err({ kind: 'manifest', detail });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function field(x: unknown, name: string): unknown {
  return isRecord(x) ? x[name] : undefined;
}

function text(x: unknown): string {
  return typeof x === 'string' ? x : '';
}

function list(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

const kWidgetNs = 'http://www.w3.org/ns/widgets';
const kTizenNs = 'http://tizen.org/ns/widgets';
const kRepeatable = new Set(['tizen:privilege', 'tizen:metadata', 'feature', 'access']);
