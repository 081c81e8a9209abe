// The noVNC console: @novnc/novnc's RFB client on the portal's relay socket.
import RFB from "../vendor/novnc/core/rfb.js";
import {
  everyConsole, reconnectWithFreshTicket, setState, showMessage, takeInitialPath, wireCommon,
  wsUrl,
} from "./common.js";
import { typeText } from "./typing.js";

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
    typeText(rfb, text);                   // and typed, Shift held where a key needs it
    paste.elements.text.value = "";
    rfb.focus();
  });

  connect(takeInitialPath(section));
}

everyConsole("novnc", start);
