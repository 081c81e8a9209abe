// The project switcher (base.html) submits as soon as another project is picked; without
// script, its <noscript> button does. Here, not in an onchange attribute: the CSP allows
// no inline script.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-submit-on-change]");
  if (select) select.form.requestSubmit();
});
