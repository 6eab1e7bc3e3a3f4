import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressToSubmit, applyKeypad, KEYPAD_ROWS, keypadLabel, MAX_ADDRESS_CHARS, type KeypadKey } from '../../../../src/ui/add-host/address-entry.ts';

function press(text: string, ...labels: string[]): string {
  const keys = new Map<string, KeypadKey>(KEYPAD_ROWS.flat().map((k) => [keypadLabel(k), k]));
  return labels.reduce((t, label) => {
    const key = keys.get(label);
    assert.ok(key, `keypad has ${label}`);
    return applyKeypad(t, key);
  }, text);
}

test('the keypad types an IPv4 address with a port', () => {
  assert.equal(press('', '1', '0', '.', '0', '.', '0', '.', '7', ':', '4', '7', '9', '8', '9'), '10.0.0.7:47989');
});

test('Delete removes the last character and does nothing on an empty field', () => {
  assert.equal(press('10.0', 'Delete'), '10.');
  assert.equal(press('', 'Delete'), '');
});

test('the keypad has the digits, the dot, the colon and Delete', () => {
  assert.deepEqual(KEYPAD_ROWS.flat().map(keypadLabel).sort(), ['.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', 'Delete'].sort());
});

test('the keypad stops adding at the longest sensible address', () => {
  const full = 'a'.repeat(MAX_ADDRESS_CHARS);
  assert.equal(press(full, '1'), full);
});

test('surrounding spaces are not sent', () => {
  assert.equal(addressToSubmit('  pc.local:47989 '), 'pc.local:47989');
});
