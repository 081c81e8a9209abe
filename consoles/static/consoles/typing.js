// Typing text into a console as a person on a US keyboard would: each character is its
// physical key (KeyboardEvent.code), with Shift held around the characters that need it.
// A guest behind qemu's VNC or SPICE sees keys, not characters: a bare keysym "A" or ">"
// without Shift arrives as "a" or ".". noVNC sends the key's code as qemu's extended key
// event where the server offers it, the keysym elsewhere; SPICE sends scancodes only.
import KeyTable from "../vendor/novnc/core/input/keysym.js";
import keysyms from "../vendor/novnc/core/input/keysymdef.js";
import XtScancode from "../vendor/novnc/core/input/xtscancodes.js";

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

const SHIFT = [KeyTable.XK_Shift_L, "ShiftLeft"];

// The key events that type `text`: [keysym, code, down] triples. A character that is not on
// a US keyboard (é, €, ...) gets its keysym alone (code null), for servers that map keysyms.
export function keyStrokes(text) {
  const out = [];
  for (const ch of text.replace(/\r\n?/g, "\n")) {
    const key = BY_CHAR.get(ch);
    const sym = (key && key.keysym) || keysyms.lookup(ch.codePointAt(0));
    const code = key ? key.code : null;
    if (key && key.shift) out.push([...SHIFT, true]);
    out.push([sym, code, true], [sym, code, false]);
    if (key && key.shift) out.push([...SHIFT, false]);
  }
  return out;
}

// Ctrl-Alt-Del as key events.
export const CTRL_ALT_DEL = [
  [KeyTable.XK_Control_L, "ControlLeft", true], [KeyTable.XK_Alt_L, "AltLeft", true],
  [KeyTable.XK_Delete, "Delete", true], [KeyTable.XK_Delete, "Delete", false],
  [KeyTable.XK_Alt_L, "AltLeft", false], [KeyTable.XK_Control_L, "ControlLeft", false],
];

// A key's PC scancode (set 1) as SPICE's inputs channel wants it: the make code on press,
// the break code (| 0x80) on release; an 0xE0-prefixed key as 0xE0 | code << 8.
export function spiceScancode(code, down) {
  const xt = XtScancode[code];
  if (!xt) return 0;
  const brk = down ? 0 : 0x80;
  return xt > 0xff ? 0xe0 | (((xt & 0x7f) | brk) << 8) : xt | brk;
}

export function typeText(rfb, text) {
  for (const [sym, code, down] of keyStrokes(text)) rfb.sendKey(sym, code, down);
}
