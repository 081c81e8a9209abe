// The SPICE console: @spice-project/spice-html5 on the portal's relay socket. It opens one
// WebSocket per SPICE channel to the same URL; the portal's ticket allows exactly that.
import * as SpiceHtml5 from "../vendor/spice-html5/src/main.js";
import { Constants } from "../vendor/spice-html5/src/enums.js";
import { SpiceMiniData, SpiceMsgcKeyDown, SpiceMsgcKeyUp } from "../vendor/spice-html5/src/spicemsg.js";
import {
  everyConsole, reconnectWithFreshTicket, setState, showMessage, takeInitialPath, wireCommon,
  wsUrl,
} from "./common.js";
import { CTRL_ALT_DEL, keyStrokes, spiceScancode } from "./typing.js";

// spice-html5 places a video stream's <video> with setAttribute("style", ...), an inline
// style the portal's CSP refuses. The same declarations through the CSSOM are allowed.
const setAttribute = HTMLVideoElement.prototype.setAttribute;
HTMLVideoElement.prototype.setAttribute = function placeVideo(name, value) {
  if (String(name).toLowerCase() === "style") {
    this.style.cssText = value;
    return undefined;
  }
  return setAttribute.call(this, name, value);
};

// The inputs channel opens a moment after the screen: wait for it a little.
async function readyInputs(conn, ms = 5000) {
  const until = Date.now() + ms;
  for (;;) {
    const inputs = conn && conn.inputs;
    if (inputs && inputs.state === "ready") return inputs;
    if (!conn || Date.now() > until) return null;
    await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
}

// Key events on the SPICE inputs channel, as scancodes. (spice-html5's own sendCtrlAltDel
// looks for a global `sc` that a module page does not have.)
async function sendKeys(conn, strokes) {
  const inputs = await readyInputs(conn);
  if (!inputs) return false;
  for (const [, code, down] of strokes) {
    const scancode = spiceScancode(code, down);
    if (!scancode) continue;          // no PC key for it: SPICE has no keysyms
    const key = down ? new SpiceMsgcKeyDown() : new SpiceMsgcKeyUp();
    key.code = scancode;
    const msg = new SpiceMiniData();
    msg.build_msg(down ? Constants.SPICE_MSGC_INPUTS_KEY_DOWN : Constants.SPICE_MSGC_INPUTS_KEY_UP, key);
    inputs.send_msg(msg);
  }
  return true;
}

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
    onCtrlAltDel: () => sendKeys(conn, CTRL_ALT_DEL),
    onScale: (on) => { screen.classList.toggle("scaled", on); fit(); },
  });
  screen.classList.add("scaled");
  // spice-html5 draws at the guest's size: scaled, the canvas is sized to fill the screen
  // box with its aspect kept, up or down, as noVNC's scaleViewport does; again whenever the
  // box or the guest's screen (a new canvas) changes.
  const fit = () => {
    const canvas = screen.querySelector("canvas");
    if (!canvas || !canvas.width || !canvas.height) return;
    if (!screen.classList.contains("scaled")) {
      canvas.style.width = canvas.style.height = "";
      return;
    }
    const ratio = Math.min(screen.clientWidth / canvas.width, screen.clientHeight / canvas.height);
    canvas.style.width = `${Math.floor(canvas.width * ratio)}px`;
    canvas.style.height = `${Math.floor(canvas.height * ratio)}px`;
  };
  // spice-html5 reads the pointer as offsetX/offsetY, CSS pixels of the canvas: scaled, they
  // are made the guest's pixels here, before its own listeners on the canvas see them.
  for (const type of ["mousemove", "mousedown", "mouseup", "wheel"]) {
    screen.addEventListener(type, (e) => {
      const canvas = e.target;
      if (!(canvas instanceof HTMLCanvasElement) || !canvas.clientWidth) return;
      const sx = canvas.width / canvas.clientWidth;
      const sy = canvas.height / canvas.clientHeight;
      if (sx === 1 && sy === 1) return;
      const x = e.offsetX;
      const y = e.offsetY;
      Object.defineProperty(e, "offsetX", { value: Math.round(x * sx) });
      Object.defineProperty(e, "offsetY", { value: Math.round(y * sy) });
    }, true);
  }
  new ResizeObserver(fit).observe(screen);
  new MutationObserver(fit).observe(screen, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["width", "height"] });
  const paste = section.querySelector('form[data-action="paste"]');
  paste.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = paste.elements.text.value;
    if (!text) return;
    if (await sendKeys(conn, keyStrokes(text))) {
      paste.elements.text.value = "";
      showMessage(section, "");
    } else {
      showMessage(section, "The console's keyboard is not connected: nothing was typed.");
    }
  });
  connect(takeInitialPath(section));
}

everyConsole("spice-html5", start);
