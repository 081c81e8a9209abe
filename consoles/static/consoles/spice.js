// The SPICE console: @spice-project/spice-html5 on the portal's relay socket. It opens one
// WebSocket per SPICE channel to the same URL; the portal's ticket allows exactly that.
import * as SpiceHtml5 from "../vendor/spice-html5/src/main.js";
import {
  everyConsole, reconnectWithFreshTicket, setState, showMessage, takeInitialPath, wireCommon,
  wsUrl,
} from "./common.js";

function start(section) {
  const screen = section.querySelector("[data-screen]");
  let conn = null;

  const connect = (path) => {
    setState(section, "connecting", "connecting…");
    showMessage(section, "");
    conn = new SpiceHtml5.SpiceMainConn({
      uri: wsUrl(path), screen_id: screen.id, password: "",
      onsuccess: () => setState(section, "connected", "connected"),
      onerror: (e) => {
        setState(section, "disconnected", "disconnected");
        showMessage(section, `The SPICE connection ended${e && e.message ? `: ${e.message}` : ""}. Reconnect opens a new one.`);
      },
      onagent: (sc) => SpiceHtml5.resize_helper(sc),
    });
  };

  const reconnect = () => {
    if (conn) { try { conn.stop(); } catch { /* already closed */ } conn = null; }
    screen.replaceChildren();
    return reconnectWithFreshTicket(section, connect);
  };

  wireCommon(section, {
    onReconnect: reconnect,
    onCtrlAltDel: () => conn && SpiceHtml5.sendCtrlAltDel(conn),
    // spice-html5 draws at the guest's size; scaling is the canvas's CSS (console.css).
    onScale: (on) => screen.classList.toggle("scaled", on),
  });
  screen.classList.add("scaled");
  connect(takeInitialPath(section));
}

everyConsole("spice-html5", start);
