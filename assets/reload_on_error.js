// Reload the page once after a "TypeError … of null" (served from /reload_on_error.js; script-src
// 'self').
//
// Reflex answers such an error (a known race of its frontend) by sending the page a script that
// reloads it, which the page runs with eval(): our Content-Security-Policy has no 'unsafe-eval',
// so the reload was refused and the user stayed on "An error occurred while rendering this
// page." with nothing to recover. cyberhub/components/reload_on_error.py turns Reflex's answer
// off; this script does the same reload here instead: the same error texts (Chrome, Safari,
// Firefox), at most one reload per 10 s per tab (the same sessionStorage key as Reflex, so a page
// that fails again at once stays on the error screen rather than reloading in a loop).
// Errors that nothing caught arrive as window "error" / "unhandledrejection" events; React
// reports an error its error boundary caught only to console.error, so the boundary's on_error
// calls window.cyberhubReloadOnError(text) itself (compiled into the bundle, no eval).
(() => {
  const PATTERNS = [
    /TypeError: Cannot read properties of null/, // Chrome, Edge
    /TypeError: null is not an object/, // Safari
    /TypeError: can't access property ".*" of null/, // Firefox
    /TypeError: can't access property ".*", .* is null/, // Firefox, on what a call returned
  ];
  const LAST_RELOADED = "reflex_last_reloaded_on_error";
  const COOLDOWN_MS = 10_000;

  const reloadOnError = (text) => {
    if (typeof text !== "string" || !PATTERNS.some((pattern) => pattern.test(text))) return;
    const last = parseInt(window.sessionStorage.getItem(LAST_RELOADED)) || 0;
    if (Date.now() - last <= COOLDOWN_MS) return;
    window.sessionStorage.setItem(LAST_RELOADED, Date.now().toString());
    window.location.reload();
  };
  const describe = (error) =>
    error instanceof Error ? `${error.name}: ${error.message}` : String(error ?? "");

  window.cyberhubReloadOnError = reloadOnError;
  window.addEventListener("error", (event) => reloadOnError(describe(event.error ?? event.message)));
  window.addEventListener("unhandledrejection", (event) => reloadOnError(describe(event.reason)));
})();
