// The "Add a computer" dialog: an Address field that a keyboard types into, an on-screen
// keypad for the remote, and Add / Cancel.

import { errorText } from '../../app/error-text.ts';
import type { Intent } from '../../input/intent.ts';
import { FOCUS_KEY_ATTR, focusButton, h, replaceChildren } from '../dom/element.ts';
import { dialogFrame, messageLine } from '../dom/layer-frame.ts';
import { hostTileKey } from '../hosts/host-tile.ts';
import type { LayerView, ViewContext } from '../shell/view-context.ts';
import { addressToSubmit, applyKeypad, KEYPAD_ROWS, keypadLabel, MAX_ADDRESS_CHARS, type KeypadKey } from './address-entry.ts';

const ADDRESS_KEY = 'address';
const ADD_KEY = 'add';
const CANCEL_KEY = 'cancel';

export function createAddHostView(ctx: ViewContext): LayerView {
  const { doc } = ctx;
  let busy = false;
  let disposed = false;

  const input = h(doc, 'input', {
    class: 'text-field',
    attrs: {
      type: 'text',
      [FOCUS_KEY_ATTR]: ADDRESS_KEY,
      tabindex: '-1',
      autocomplete: 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
      maxlength: String(MAX_ADDRESS_CHARS),
      placeholder: '192.168.1.20',
    },
  });
  const messages = h(doc, 'div', { class: 'messages' });
  const setMessages = (alert: string | null, status: string | null): void =>
    ctx.update(() => replaceChildren(messages, [messageLine(doc, 'alert', alert), messageLine(doc, 'status', status)]));

  const pressKeypad = (key: KeypadKey): void => {
    input.value = applyKeypad(input.value, key);
  };

  const submit = async (): Promise<void> => {
    if (busy) return;
    const address = addressToSubmit(input.value);
    busy = true;
    setMessages(null, address.length > 0 ? `Connecting to ${address}…` : null);
    const result = await ctx.services.addHost(address);
    busy = false;
    if (disposed) return;
    if (!result.ok) {
      setMessages(errorText(result.error), null);
      return;
    }
    await ctx.refreshHosts();
    if (!disposed) ctx.close(hostTileKey(result.value.id));
  };

  const keypad = h(
    doc,
    'div',
    { class: 'keypad' },
    KEYPAD_ROWS.map((row, r) =>
      h(
        doc,
        'div',
        { class: 'keypad-row' },
        row.map((key, c) => focusButton(doc, `keypad:${r}:${c}`, { class: `key key-${key.kind}`, text: keypadLabel(key), onClick: () => pressKeypad(key) })),
      ),
    ),
  );

  const root = dialogFrame(doc, 'Add a computer', 'add-host-dialog', [
    h(doc, 'p', { class: 'hint', text: 'Type the address of the PC running Sunshine, with a port if it is not the usual one.' }),
    h(doc, 'label', { class: 'field' }, [h(doc, 'span', { class: 'field-label', text: 'Address' }), input]),
    keypad,
    messages,
    h(doc, 'div', { class: 'dialog-buttons' }, [
      focusButton(doc, ADD_KEY, { class: 'button primary', text: 'Add', onClick: () => void submit() }),
      focusButton(doc, CANCEL_KEY, { class: 'button', text: 'Cancel', onClick: () => ctx.close() }),
    ]),
  ]);

  return {
    root,
    initialFocusKey: () => ADDRESS_KEY,
    handleIntent(intent: Intent, focusedKey: string | null): boolean {
      // Enter in the field means "done typing".
      if (intent === 'confirm' && focusedKey === ADDRESS_KEY) {
        void submit();
        return true;
      }
      return false;
    },
    dispose() {
      disposed = true;
    },
  };
}
