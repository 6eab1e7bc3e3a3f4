// GameStream replies serialised the way Sunshine's Boost property-tree writer does it
// (control-plane.md 3.6): the declaration line, then one <root> with its attributes in
// insertion order and its children with no whitespace between them, no trailing newline.
// An empty tree is the declaration alone, which Sunshine sends when a handler throws.

export type XmlNode = { name: string; text: string | number } | { name: string; children: XmlNode[] };

export interface XmlReply {
  attributes: [string, string | number][];
  children: XmlNode[];
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/** A root whose status_code (and status_message, if given) come first, as Sunshine's handlers put them. */
export function statusReply(statusCode: number, statusMessage: string | null, children: XmlNode[]): XmlReply {
  const attributes: [string, string | number][] = [['status_code', statusCode]];
  if (statusMessage !== null) attributes.push(['status_message', statusMessage]);
  return { attributes, children };
}

export function renderXml(reply: XmlReply | null): string {
  if (reply === null) return XML_DECLARATION;
  return XML_DECLARATION + renderElement('root', reply.attributes, reply.children, '');
}

function renderElement(name: string, attributes: [string, string | number][], children: XmlNode[], text: string): string {
  const attrs = attributes.map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
  if (children.length === 0 && text === '') return `<${name}${attrs}/>`;
  const inner = children
    .map((child) => ('text' in child ? renderElement(child.name, [], [], String(child.text)) : renderElement(child.name, [], child.children, '')))
    .join('');
  return `<${name}${attrs}>${escapeXml(text)}${inner}</${name}>`;
}

/** Boost's entity encoding: the five XML specials, and a text of only spaces keeps its first as &#32;. */
function escapeXml(text: string): string {
  if (text.length > 0 && /^ +$/.test(text)) return `&#32;${text.slice(1)}`;
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
