// Keyboard focus helpers every page needs (served from /a11y.js; script-src 'self').
//
// 1. "Skip to content" moves focus into <main> (WCAG 2.4.1): following its #main fragment left
//    focus on the link, so the next Tab still went through the header.
// 2. Focus goes back to what opened a dialog when it closes (WCAG 2.4.3).
// Radix returns focus to a Dialog.Trigger, but most of CyberHub's dialogs are opened by the
// page's state (a "Revoke" button sets `open`), so Radix has no trigger and focus fell to
// <body>: a keyboard user started again from the top of the page. This remembers the last
// element focused outside any dialog and, when the last open dialog goes away while focus is
// nowhere, focuses that element again.
(() => {
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest("a.skip-link");
    const main = link && document.getElementById("main");
    if (main) {
      event.preventDefault();
      main.focus();
      main.scrollIntoView();
    }
  });

  const DIALOG = '[role="dialog"], [role="alertdialog"]';
  let opener = null;
  let dialogOpen = false;

  document.addEventListener(
    "focusin",
    (event) => {
      const target = event.target;
      if (target instanceof Element && !target.closest(DIALOG)) opener = target;
    },
    true,
  );

  const restore = () => {
    const active = document.activeElement;
    const lost = active === null || active === document.body || !active.isConnected;
    if (lost && opener && opener.isConnected) opener.focus();
  };

  new MutationObserver(() => {
    const open = document.querySelector(DIALOG) !== null;
    if (dialogOpen && !open) {
      // After Radix's own close handling (it may focus a trigger itself).
      window.requestAnimationFrame(() => window.setTimeout(restore, 0));
    }
    dialogOpen = open;
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
