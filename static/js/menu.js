// The main menu's toggle on narrow screens (base.html): the button says whether the
// sidebar it controls is open; CSS shows the button and hides the closed sidebar there.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-menu-toggle]");
  if (!button) return;
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  document.getElementById(button.getAttribute("aria-controls")).classList.toggle("open", open);
});
