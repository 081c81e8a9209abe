// In-page confirmations (templates/partials/confirm.html): Cancel and Escape close the open
// one and give the focus back to its button, and only one is open at a time, so a stray
// Enter never confirms a question the person no longer sees.
function closeConfirm(details) {
  details.open = false;
  details.querySelector("summary").focus();
}

document.addEventListener("click", (event) => {
  const cancel = event.target.closest("[data-confirm-cancel]");
  if (cancel) closeConfirm(cancel.closest("details.confirm"));
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !(event.target instanceof Element)) return;
  const open = event.target.closest("details.confirm[open]");
  if (open) closeConfirm(open);
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
}, true);
