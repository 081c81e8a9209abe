// What the noVNC and SPICE console pages share: finding the console section, its state
// badge, fresh tickets for reconnects, fullscreen. The section carries data-ws (the one
// WebSocket path with its one-time ticket) and data-ticket-url (POST: a fresh one).

export function wsUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

export function setState(section, state, text) {
  const badge = section.querySelector("[data-console-state]");
  badge.dataset.state = state;
  badge.textContent = text || state;
  badge.classList.toggle("ok", state === "connected");
  badge.classList.toggle("bad", state === "disconnected" || state === "failed");
  section.dataset.state = state;
}

export function showMessage(section, text) {
  const box = section.querySelector("[data-console-message]");
  box.textContent = text || "";
  box.hidden = !text;
}

// A ticket is good once and for 30 seconds: each connection after the first asks for a
// new one (the page's own is spent by then).
export async function freshTicket(section) {
  const response = await fetch(section.dataset.ticketUrl, {
    method: "POST", credentials: "same-origin",
    headers: { "X-CSRFToken": section.dataset.csrf, "Accept": "application/json" },
  });
  let body = {};
  try { body = await response.json(); } catch { /* a login page or an error page */ }
  if (!response.ok || !body.ws) {
    throw new Error(body.error || `The portal refused a new console ticket (${response.status}).`);
  }
  return body.ws;
}

// Reconnect with a fresh ticket; a refused ticket shows its reason in the page.
export async function reconnectWithFreshTicket(section, connect) {
  setState(section, "connecting", "getting a ticket…");
  try {
    connect(await freshTicket(section));
  } catch (err) {
    setState(section, "failed", "not connected");
    showMessage(section, err.message);
  }
}

// The ticket in data-ws is used once, then forgotten, so nothing can reuse it.
export function takeInitialPath(section) {
  const path = section.dataset.ws;
  delete section.dataset.ws;
  return path;
}

export function wireCommon(section, { onReconnect, onCtrlAltDel, onScale }) {
  const on = (action, event, fn) => {
    const el = section.querySelector(`[data-action="${action}"]`);
    if (el) el.addEventListener(event, fn);
  };
  on("reconnect", "click", onReconnect);
  on("ctrl-alt-del", "click", onCtrlAltDel);
  on("scale", "change", (e) => onScale(e.target.checked));
  on("fullscreen", "click", () => {
    const screen = section.querySelector("[data-screen]");
    if (document.fullscreenElement) document.exitFullscreen();
    else if (screen.requestFullscreen) screen.requestFullscreen();
  });
}

// Run `init` for every console section, now and whenever htmx swaps one in (the server
// page loads the Console tab as a partial: this module is then already loaded).
export function everyConsole(kind, init) {
  const start = (root) => {
    root.querySelectorAll(`[data-console="${kind}"]`).forEach((section) => {
      if (section.dataset.started) return;
      section.dataset.started = "1";
      init(section);
    });
  };
  start(document);
  document.addEventListener("htmx:load", (e) => start(e.target));
}
