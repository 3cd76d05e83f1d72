// The code editor's loader, on every page (a few hundred bytes): the first time the page has a
// <textarea class="code-editor" data-language> — when it loads, or later after a client-side
// navigation — it adds /pkg/code-editor.js (CodeMirror, see editor.js), which mounts the
// editors once the page is hydrated. Pages without an editor never download CodeMirror.
(function () {
  const SELECTOR = 'textarea.code-editor[data-language]';
  let observer = null;
  function loadIfNeeded() {
    if (!document.querySelector(SELECTOR)) return false;
    if (observer) observer.disconnect();
    const script = document.createElement('script');
    script.src = '/pkg/code-editor.js';
    document.head.appendChild(script);
    return true;
  }
  function start() {
    if (loadIfNeeded()) return;
    let queued = false;
    observer = new MutationObserver(() => {
      if (queued) return;
      queued = true;
      queueMicrotask(() => { queued = false; loadIfNeeded(); });
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
