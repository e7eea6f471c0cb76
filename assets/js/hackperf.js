/* hackperf page script -> static/js/hackperf.js (copied as is by assets/build.mjs)
 *
 * - Initialises lbh-frontend / GOV.UK Frontend components once the page is parsed.
 * - Initialises components inside content that htmx swaps in later.
 * - Ticks every box for a "select all" checkbox (data-select-all).
 * - Focuses the first field in error of a form sent back with errors (data-focus-first-error).
 * - Ticks again the bulk-action boxes of a refused bulk action (<script type="application/json"
 *   id="bulk-ticked">: their values), as the page comes back with its errors.
 * - Holds back a self-refreshing region's poll while it has ticked bulk-action boxes
 *   (data-hold-refresh-while-checked="SELECTOR"), so a refresh never loses a selection
 *   (an hx-trigger filter would need eval, which the CSP refuses).
 * - Keeps keyboard focus where it was when a self-refreshing region is swapped: on the same
 *   link (its address and words), box (its name and value) or scroll region (its label),
 *   with the page scrolled where it was.
 * - Opens chart data tables (<details class="hp-figure__data">) for printing.
 * - Draws each chart: <div data-hp-chart="ID"> with its figure in
 *   <script type="application/json" id="ID"> (hackperf.charts.ChartData.html), so the
 *   Content-Security-Policy needs no inline script.
 *
 * Needs static/js/lbh-frontend.js (window.LBHFrontend) loaded before it, and on pages
 * with charts static/vendor/plotly-basic.min.js (window.Plotly).
 */
(function () {
  "use strict";

  // GOV.UK Frontend styles components for script only under .js-enabled (was an inline
  // script at the top of <body>; the CSP allows no inline script).
  document.body.className += " js-enabled";

  function lbh() {
    return window.LBHFrontend && typeof window.LBHFrontend.initAll === "function"
      ? window.LBHFrontend
      : null;
  }

  // A scope for initAll() that also matches the element itself, so a swapped-in
  // element that is itself a [data-module] (hx-swap="outerHTML") is initialised.
  function scopeIncludingSelf(el) {
    return {
      querySelector: function (selector) {
        return el.matches(selector) ? el : el.querySelector(selector);
      },
      querySelectorAll: function (selector) {
        var found = Array.prototype.slice.call(el.querySelectorAll(selector));
        if (el.matches(selector)) {
          found.unshift(el);
        }
        return found;
      }
    };
  }

  function drawCharts(root) {
    if (!window.Plotly || !root.querySelectorAll) {
      return;
    }
    var charts = root.querySelectorAll("[data-hp-chart]");
    for (var i = 0; i < charts.length; i++) {
      var el = charts[i];
      var data = document.getElementById(el.getAttribute("data-hp-chart"));
      if (!data || el.getAttribute("data-hp-chart-drawn")) {
        continue;
      }
      var spec = JSON.parse(data.textContent);
      el.setAttribute("data-hp-chart-drawn", "true");
      window.Plotly.newPlot(el, spec.data, spec.layout, spec.config);
    }
  }

  function tickAgain() {
    var kept = document.getElementById("bulk-ticked");
    if (!kept) {
      return;
    }
    var values = JSON.parse(kept.textContent);
    var boxes = document.querySelectorAll('input[type="checkbox"][name="bulk-tickets"]');
    var all = boxes.length > 0;
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = values.indexOf(boxes[i].value) !== -1;
      all = all && boxes[i].checked;
    }
    var selectAll = document.querySelector('input[data-select-all="bulk-tickets"]');
    if (selectAll) {
      selectAll.checked = all;
    }
  }

  // A form sent back with errors, far down its page (the bulk actions, under a queue's
  // table), marked data-focus-first-error: its first field in error takes the focus, and so
  // comes into sight, after GOV.UK Frontend has focused the alert banner at the page's top.
  // (Not a #fragment in the address: the browser's scroll to it takes the focus away.)
  function focusFirstError() {
    var form = document.querySelector("form[data-focus-first-error]");
    var field = form && form.querySelector(
      ".govuk-form-group--error input, .govuk-form-group--error select, " +
        ".govuk-form-group--error textarea"
    );
    if (field) {
      field.focus();
    }
  }

  function initPage() {
    tickAgain();
    var frontend = lbh();
    if (frontend) {
      frontend.initAll();
    }
    drawCharts(document);
    focusFirstError();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initPage);
  } else {
    initPage();
  }

  // htmx fires htmx:load on each element it adds to the page (and once on
  // <body> at start-up, which initPage has already covered).
  document.addEventListener("htmx:load", function (event) {
    var el = event.target;
    var frontend = lbh();
    if (!el || el === document.body || el.nodeType !== 1) {
      return;
    }
    drawCharts(scopeIncludingSelf(el));
    if (frontend) {
      frontend.initAll({ scope: scopeIncludingSelf(el) });
    }
  });

  // "Select all on this page": a checkbox with data-select-all="NAME" ticks or clears every
  // checkbox named NAME (the queue page's bulk actions).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || !box.matches || !box.matches("input[data-select-all]")) {
      return;
    }
    var name = box.getAttribute("data-select-all");
    var boxes = document.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = box.checked;
    }
  });

  // Keyboard focus across a refresh. A swap replaces the focused link with a copy of it,
  // and the focus would fall back to the page's start at every refresh (every minute on a
  // queue page, by default): htmx puts it back only on an element with an id, which the table's
  // links, boxes and scroll region have not. So the focused element is remembered by what
  // makes it the same one in the new content, and focused again there without scrolling.
  // If it has gone (a ticket resolved by someone else), the element at its place in the
  // tab order is focused instead, so the keyboard stays in the region.
  var FOCUSABLE = "a[href], input, select, textarea, button, [tabindex]";
  var refocus = null;

  function focusKey(el) {
    if (el.matches("a[href]")) {
      return "a " + el.getAttribute("href") + " " + el.textContent.trim();
    }
    if (el.matches("input, select, textarea, button")) {
      return el.tagName + " " + el.name + " " + el.value;
    }
    return el.tagName + " " + (el.getAttribute("aria-label") || el.className);
  }

  function focusables(region) {
    return Array.prototype.slice.call(region.querySelectorAll(FOCUSABLE));
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var region = event.detail && event.detail.target;
    var active = document.activeElement;
    refocus = null;
    if (!region || !region.id || !active || active.id || !region.contains(active)) {
      return;
    }
    refocus = {
      region: region.id,
      key: focusKey(active),
      index: focusables(region).indexOf(active),
      x: window.scrollX,
      y: window.scrollY
    };
  });

  function scrollBack(wanted) {
    if (window.scrollX !== wanted.x || window.scrollY !== wanted.y) {
      window.scrollTo({ left: wanted.x, top: wanted.y, behavior: "instant" });
    }
  }

  // Before the new content is painted, and again once settled (the focus is put back then).
  document.addEventListener("htmx:afterSwap", function () {
    if (refocus) {
      scrollBack(refocus);
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    var wanted = refocus;
    refocus = null;
    var region = wanted && document.getElementById(wanted.region);
    if (!region || (document.activeElement && region.contains(document.activeElement))) {
      return;
    }
    var candidates = focusables(region);
    var same = null;
    for (var i = 0; i < candidates.length && !same; i++) {
      if (focusKey(candidates[i]) === wanted.key) {
        same = candidates[i];
      }
    }
    same = same || candidates[Math.min(wanted.index, candidates.length - 1)];
    if (same) {
      same.focus({ preventScroll: true });
    }
    // Losing the focused element in the swap moved the page (Chromium: to its end), leaving
    // the focus out of sight: put the page back.
    scrollBack(wanted);
  });

  // Print the data behind each chart: open closed <details>, restore afterwards.
  var openedForPrint = [];
  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail && event.detail.elt;
    var selector = region && region.getAttribute("data-hold-refresh-while-checked");
    if (selector && region.querySelector(selector)) {
      event.preventDefault();
    }
  });

  window.addEventListener("beforeprint", function () {
    var closed = document.querySelectorAll("details.hp-figure__data:not([open])");
    for (var i = 0; i < closed.length; i++) {
      closed[i].setAttribute("open", "");
      openedForPrint.push(closed[i]);
    }
  });
  window.addEventListener("afterprint", function () {
    while (openedForPrint.length) {
      openedForPrint.pop().removeAttribute("open");
    }
  });
})();
