// The address being typed in the add dialog. A remote has no letters, so an on-screen keypad
// offers what an IPv4 address with a port needs; a keyboard can type anything.

export type KeypadKey = { kind: 'char'; char: string } | { kind: 'delete' };

/** The keypad as laid out on screen, row by row. */
export const KEYPAD_ROWS: readonly (readonly KeypadKey[])[] = [
  chars('1', '2', '3'),
  chars('4', '5', '6'),
  chars('7', '8', '9'),
  chars('.', '0', ':'),
  [{ kind: 'delete' }],
];

/** A DNS name (253) in brackets with ":65535" appended is the longest sensible address. */
export const MAX_ADDRESS_CHARS = 253 + 2 + 6;

export function applyKeypad(text: string, key: KeypadKey): string {
  switch (key.kind) {
    case 'char':
      return text.length >= MAX_ADDRESS_CHARS ? text : text + key.char;
    case 'delete':
      return text.slice(0, -1);
  }
}

export function keypadLabel(key: KeypadKey): string {
  return key.kind === 'char' ? key.char : 'Delete';
}

/** What is sent to the services: the text without surrounding spaces. */
export function addressToSubmit(text: string): string {
  return text.trim();
}

function chars(...list: string[]): KeypadKey[] {
  return list.map((char) => ({ kind: 'char', char }));
}
