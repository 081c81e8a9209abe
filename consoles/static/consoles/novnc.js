// The noVNC console: @novnc/novnc's RFB client on the portal's relay socket.
import RFB from "../vendor/novnc/core/rfb.js";
import {
  everyConsole, reconnectWithFreshTicket, setState, showMessage, takeInitialPath, wireCommon,
  wsUrl,
} from "./common.js";

const XK_RETURN = 0xff0d;

// X11 keysyms: Latin-1 characters are their own keysym; the rest of Unicode is 0x01000000
// + code point (keysymdef.h). Newlines are Return.
function keysym(ch) {
  if (ch === "\n") return XK_RETURN;
  const code = ch.codePointAt(0);
  return code < 0x100 ? code : 0x01000000 + code;
}

function start(section) {
  const screen = section.querySelector("[data-screen]");
  let rfb = null;
  let scale = true;

  const connect = (path) => {
    setState(section, "connecting", "connecting…");
    showMessage(section, "");
    rfb = new RFB(screen, wsUrl(path), { wsProtocols: ["binary"], shared: true });
    rfb.scaleViewport = scale;
    rfb.background = "#0c0e14";
    rfb.addEventListener("connect", () => {
      setState(section, "connected", "connected");
      rfb.focus();
    });
    rfb.addEventListener("disconnect", (e) => {
      setState(section, "disconnected", "disconnected");
      if (!e.detail.clean) {
        showMessage(section, "The console connection was lost or refused. Reconnect opens a new one.");
      }
      rfb = null;
    });
    rfb.addEventListener("desktopname", (e) => { section.dataset.desktopName = e.detail.name; });
    rfb.addEventListener("securityfailure", (e) => {
      showMessage(section, `The console refused the connection: ${e.detail.reason || "security failure"}.`);
    });
  };

  const reconnect = () => {
    if (rfb) rfb.disconnect();
    return reconnectWithFreshTicket(section, connect);
  };

  wireCommon(section, {
    onReconnect: reconnect,
    onCtrlAltDel: () => rfb && rfb.sendCtrlAltDel(),
    onScale: (on) => { scale = on; if (rfb) rfb.scaleViewport = on; },
  });
  const paste = section.querySelector('form[data-action="paste"]');
  paste.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = paste.elements.text.value;
    if (!rfb || !text) return;
    rfb.clipboardPasteFrom(text);          // for guests with a clipboard agent
    for (const ch of text) {               // and typed, for a text console
      rfb.sendKey(keysym(ch), null);
    }
    paste.elements.text.value = "";
    rfb.focus();
  });

  connect(takeInitialPath(section));
}

everyConsole("novnc", start);
