// In-page confirmations (templates/partials/confirm.html): Cancel and Escape close the open
// one and give the focus back to its button, and only one is open at a time (a click
// elsewhere closes it too), so a stray Enter never confirms a question the person no
// longer sees. The open panel is placed in the viewport (position: fixed, under the
// button or above it), so a table that scrolls in its own box does not clip it and a
// button at the edge of a phone's screen does not push it off.

const EDGE = 8;   // px kept free between a panel and the viewport's edge
const GAP = 4;    // px between the button and its panel

function closeConfirm(details, { focus = true } = {}) {
  details.open = false;
  if (focus) details.querySelector("summary").focus();
}

function openConfirm() {
  return document.querySelector("details.confirm[open]");
}

// Right-aligned under the button as the CSS alone places it, moved left or right as far as
// needed to stay inside the viewport, and above the button when there is no room below.
function place(details) {
  const panel = details.querySelector(".confirm-panel");
  const button = details.querySelector("summary").getBoundingClientRect();
  details.classList.add("placed");
  const width = panel.offsetWidth;
  const height = panel.offsetHeight;
  const viewWidth = document.documentElement.clientWidth;
  const viewHeight = document.documentElement.clientHeight;
  const left = Math.max(EDGE, Math.min(button.right - width, viewWidth - width - EDGE));
  let top = button.bottom + GAP;
  if (top + height > viewHeight - EDGE && button.top - GAP - height >= EDGE) {
    top = button.top - GAP - height;
  }
  panel.style.left = `${left}px`;
  panel.style.top = `${top}px`;
}

document.addEventListener("click", (event) => {
  const cancel = event.target.closest("[data-confirm-cancel], [data-confirm-done]");
  if (cancel) {
    closeConfirm(cancel.closest("details.confirm"));
    return;
  }
  const open = openConfirm();
  if (open && !open.contains(event.target)) closeConfirm(open, { focus: false });
});

// Escape from inside the confirmation, or from nowhere in particular (the body): a key
// meant for something else that has the focus (a console's screen) is left alone.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !(event.target instanceof Element)) return;
  const open = openConfirm();
  if (open && (open.contains(event.target) || event.target === document.body)) {
    event.preventDefault();
    closeConfirm(open);
  }
});

// "toggle" does not bubble: listen in the capture phase.
document.addEventListener("toggle", (event) => {
  const opened = event.target;
  if (!(opened instanceof HTMLDetailsElement) || !opened.matches(".confirm") || !opened.open) {
    return;
  }
  document.querySelectorAll("details.confirm[open]").forEach((other) => {
    if (other !== opened) other.open = false;
  });
  place(opened);
}, true);

// The button moves when the page or the table's own box scrolls: the panel follows.
["scroll", "resize"].forEach((type) => {
  window.addEventListener(type, () => {
    const open = openConfirm();
    if (open) place(open);
  }, { capture: true, passive: true });
});

// A form that came in a live update (rendered without a request) has no CSRF token:
// it takes the page's, which any of the page's own forms carries (a confirmation's, or a
// row's one-button form: the admin's instances list).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method !== "post") return;
  const own = form.querySelector("input[name=csrfmiddlewaretoken]");
  if (own && own.value) return;
  const page = document.querySelector("input[name=csrfmiddlewaretoken]:not([value=''])");
  if (!page) return;
  const token = own || form.appendChild(document.createElement("input"));
  token.type = "hidden";
  token.name = "csrfmiddlewaretoken";
  token.value = page.value;
}, true);
