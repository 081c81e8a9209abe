// Live updates over /ws/events/ (htmx's ws extension, base.html): when the socket drops
// (the web process restarted, Redis away) the page says so, reconnects within a few
// seconds of the server being back (the extension's default waits up to 64 s), and then
// fetches itself again and swaps its content, so a change missed meanwhile (a server that
// went ACTIVE, a row deleted) is not left on screen. A form the person has typed into is
// never overwritten: the notice asks for a reload instead.
htmx.config.wsReconnectDelay = (retry) =>
  Math.min(500 * 2 ** retry, 4000) * (0.75 + Math.random() / 2);

const SESSION_ENDED = 4401; // portal/sessionsockets.py
let lost = false;
let typed = false;

function notice(text) {
  const box = document.getElementById("live-status");
  if (!box) return;
  box.textContent = text;
  box.hidden = !text;
}

async function resync() {
  const main = document.querySelector("main.content[data-resync]");
  if (!main) return;
  if (typed) {
    notice("Live updates are back. This page may have changed meanwhile: reload it to see.");
    return;
  }
  const response = await fetch(window.location.href, {credentials: "same-origin"});
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const content = fresh.querySelector("main.content[data-resync]");
  if (!content || typed) return;
  main.replaceChildren(...content.childNodes);
  htmx.process(main);
}

document.addEventListener("input", (event) => {
  if (event.target.closest && event.target.closest("main.content form")) typed = true;
});

document.body.addEventListener("htmx:wsClose", (event) => {
  const code = event.detail.event.code;
  document.body.dataset.live = "closed";
  if (code === SESSION_ENDED) {
    notice("Your session has ended: reload the page to log in again.");
  } else {
    lost = true;
    notice("Live updates lost: reconnecting…");
  }
});

document.body.addEventListener("htmx:wsOpen", () => {
  document.body.dataset.live = "open"; // tests and styles can tell the socket is up
  if (!lost) return;
  lost = false;
  notice("");
  resync();
});
