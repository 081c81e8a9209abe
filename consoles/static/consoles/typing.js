// Typing text into a noVNC console as a person on a US keyboard would: each character is
// its physical key (KeyboardEvent.code), with Shift held around the characters that need
// it. A guest behind qemu's VNC turns key events into PC scancodes: a bare keysym "A" or
// ">" without Shift arrives as "a" or ".". With the key's code, noVNC sends qemu's extended
// key event (the scancode itself) where the server offers it, and the keysym elsewhere.
import KeyTable from "../vendor/novnc/core/input/keysym.js";
import keysyms from "../vendor/novnc/core/input/keysymdef.js";

// The US layout: code → [unshifted, shifted].
const US_KEYS = {
  Backquote: "`~", Digit1: "1!", Digit2: "2@", Digit3: "3#", Digit4: "4$", Digit5: "5%",
  Digit6: "6^", Digit7: "7&", Digit8: "8*", Digit9: "9(", Digit0: "0)", Minus: "-_",
  Equal: "=+", BracketLeft: "[{", BracketRight: "]}", Backslash: "\\|", Semicolon: ";:",
  Quote: "'\"", Comma: ",<", Period: ".>", Slash: "/?", Space: "  ",
};
for (let c = 0x61; c <= 0x7a; c++) {
  const ch = String.fromCharCode(c);
  US_KEYS[`Key${ch.toUpperCase()}`] = ch + ch.toUpperCase();
}

// character → { code, shift }
const BY_CHAR = new Map();
for (const [code, [plain, shifted]] of Object.entries(US_KEYS)) {
  if (!BY_CHAR.has(plain)) BY_CHAR.set(plain, { code, shift: false });
  if (!BY_CHAR.has(shifted)) BY_CHAR.set(shifted, { code, shift: true });
}
BY_CHAR.set("\n", { code: "Enter", shift: false, keysym: KeyTable.XK_Return });
BY_CHAR.set("\t", { code: "Tab", shift: false, keysym: KeyTable.XK_Tab });

// The key events for one character: [keysym, code, down] triples.
export function keyEvents(ch) {
  const key = BY_CHAR.get(ch);
  if (!key) {
    // Not on a US keyboard (é, €, ...): its keysym alone, for servers that map keysyms.
    const sym = keysyms.lookup(ch.codePointAt(0));
    return [[sym, null, true], [sym, null, false]];
  }
  const sym = key.keysym || keysyms.lookup(ch.codePointAt(0));
  const press = [[sym, key.code, true], [sym, key.code, false]];
  if (!key.shift) return press;
  return [[KeyTable.XK_Shift_L, "ShiftLeft", true], ...press,
    [KeyTable.XK_Shift_L, "ShiftLeft", false]];
}

export function typeText(rfb, text) {
  for (const ch of text.replace(/\r\n?/g, "\n")) {
    for (const [sym, code, down] of keyEvents(ch)) rfb.sendKey(sym, code, down);
  }
}
