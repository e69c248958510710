// A double-click on a button does what one click does (served from /clicks.js; script-src 'self').
//
// Reflex queues every click's event and runs them one after the other, so the second click of a
// double-click ran the action again once the first had finished: two API keys (only the second
// one's secret shown), a new cohort then "already has a cohort named …" in place of "Created".
// The browser numbers the clicks of a double-click (event.detail 2, 3, …); those after the first
// are stopped before React sees them and do nothing (not even submit their form). A keyboard
// press is detail 0 and a click after a pause starts again at 1. Checkboxes, switches, tabs and
// other controls built on <button> with a role of their own keep every click.
(() => {
  window.addEventListener(
    "click",
    (event) => {
      if (event.detail < 2 || !(event.target instanceof Element)) return;
      const control = event.target.closest('button, input[type="submit"], [role="button"]');
      if (!control) return;
      const role = control.getAttribute("role");
      if (role !== null && role !== "button") return;
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    true,
  );
})();
