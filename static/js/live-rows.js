// Live lists (portal/live.py says the protocol): every open page of a project hears every
// change, as htmx out-of-band fragments over /ws/events/. Before htmx swaps them, this
// extension decides, for this page (rows come wrapped in <template> and are swapped here):
//  - a row of a live list whose id is not on the page goes into the page's list of that
//    name, at its place in the sort order, when it matches the page's filter and its key
//    falls within this page (a new server belongs on the first page only);
//  - a row already on the page that no longer matches the filter is kept, marked;
//  - a fragment whose target this page does not have is dropped (a timeline of a server
//    whose detail page this is not, a removal of a row not shown): not an error.
// Nothing here asks the server anything: the cost of a browser is a few DOM look-ups.
(function () {
  function targetSelector(el) {
    const oob = el.getAttribute("hx-swap-oob") || "true";
    const colon = oob.indexOf(":");
    if (oob !== "true" && colon > 0) return {style: oob.slice(0, colon), selector: oob.slice(colon + 1)};
    return {style: oob === "true" ? "outerHTML" : oob, selector: el.id ? "#" + CSS.escape(el.id) : null};
  }

  function compile(pattern) {
    try {
      return new RegExp(pattern, "i");
    } catch (e) {
      const literal = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return new RegExp(literal, "i");
    }
  }

  function matches(row, filters) {
    return filters.every(([field, op, value]) => {
      const actual = row.getAttribute("data-live-v-" + field) || "";
      const words = actual.split(" ").filter(Boolean);
      switch (op) {
        case "eq": return actual === String(value);
        case "in": return value.map(String).includes(actual);
        case "search": return compile(String(value)).test(actual);
        case "substr": return words.some((w) => w.includes(String(value)));
        case "has": return words.includes(String(value));
        default: return false;
      }
    });
  }

  function filtersOf(list) {
    try {
      return JSON.parse(list.getAttribute("data-live-filter") || "[]");
    } catch (e) {
      return [];
    }
  }

  // Whether key a sorts before key b in this list.
  function before(list, a, b) {
    return list.getAttribute("data-live-order") === "asc" ? a < b : a > b;
  }

  // Where a row with this key goes in `list`: {ok, next} (insert before `next`, or at the
  // end when next is null); ok is false when the key belongs on another page.
  function place(list, key) {
    const rows = [...list.querySelectorAll(":scope > [data-live-key]")];
    if (!rows.length) return {ok: list.hasAttribute("data-live-first"), next: null};
    const first = rows[0].getAttribute("data-live-key");
    const last = rows[rows.length - 1].getAttribute("data-live-key");
    if (before(list, key, first) && !list.hasAttribute("data-live-first")) return {ok: false};
    if (before(list, last, key) && !list.hasAttribute("data-live-last")) return {ok: false};
    const next = rows.find((r) => !before(list, r.getAttribute("data-live-key"), key));
    return {ok: true, next: next || null};
  }

  // A row not on the page: into the first list of its name that takes it, in order.
  function insert(row) {
    const name = row.getAttribute("data-live-row");
    const key = row.getAttribute("data-live-key") || "";
    for (const list of document.querySelectorAll("[data-live-list]")) {
      if (list.getAttribute("data-live-list") !== name || !matches(row, filtersOf(list))) continue;
      const where = place(list, key);
      if (!where.ok) continue;
      list.insertBefore(row, where.next);
      return true;
    }
    return false;
  }

  function mark(row, target) {
    const list = target.parentElement && target.parentElement.closest("[data-live-list]");
    if (!list || matches(row, filtersOf(list))) return;
    row.classList.add("live-unmatched");
    row.setAttribute("title", "No longer matches the filter: it goes when the page is loaded again.");
  }

  // A pushed row (in a <template>: a bare <tr> next to other elements does not survive
  // HTML parsing), swapped here rather than by htmx, which would parse it again.
  function swapRow(row) {
    const {style, selector} = targetSelector(row);
    row.removeAttribute("hx-swap-oob");
    const target = selector && document.querySelector(selector);
    if (style === "delete") {
      if (target) target.remove();
      return;
    }
    if (target) {
      if (row.hasAttribute("data-live-row")) mark(row, target);
      target.replaceWith(row);
    } else if (!(row.hasAttribute("data-live-row") && insert(row))) {
      return;
    }
    htmx.process(row);
  }

  function sort(text) {
    const template = document.createElement("template");
    template.innerHTML = text;
    for (const el of [...template.content.children]) {
      if (el.tagName === "TEMPLATE") {
        for (const row of [...el.content.children]) swapRow(document.importNode(row, true));
        el.remove();
        continue;
      }
      const {selector} = targetSelector(el);
      // htmx would log an error for a fragment this page has no place for: every page of
      // the project hears every change, so that is the common case, not an error.
      if (selector && !document.querySelector(selector)) el.remove();
    }
    return template.innerHTML;
  }

  htmx.defineExtension("live-rows", {
    transformResponse: function (text, xhr, elt) {
      // Only the events socket's messages (the ws extension passes xhr = null).
      return xhr === null ? sort(text) : text;
    },
  });
})();
