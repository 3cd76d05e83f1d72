// Progressive enhancement of every <textarea class="code-editor" data-language="typescript|html">:
// once the page is hydrated, a CodeMirror editor (TypeScript, or HTML with its CSS and
// JavaScript, highlighted; line numbers) takes
// its place on screen. The textarea stays the form field: the editor writes every change back
// to it, and a value typed into it (tests, password managers) is taken into the editor. Errors
// the server lists in <li data-line data-column> under the form are marked at their line.
import { basicSetup } from 'codemirror';
import { EditorView } from '@codemirror/view';
import { javascript } from '@codemirror/lang-javascript';
import { html } from '@codemirror/lang-html';
import { lintGutter, setDiagnostics } from '@codemirror/lint';

const MOUNTED = new WeakMap();
const SHOWN = new WeakMap();

function diagnosticsFor(view, form) {
  const items = form ? form.querySelectorAll('[data-error-line]') : [];
  const doc = view.state.doc;
  return Array.from(items).map((li) => {
    const lineNo = Math.min(Math.max(parseInt(li.dataset.errorLine, 10) || 1, 1), doc.lines);
    const line = doc.line(lineNo);
    const col = Math.max((parseInt(li.dataset.errorColumn, 10) || 1) - 1, 0);
    const from = Math.min(line.from + col, line.to);
    return { from, to: Math.max(from, line.to), severity: 'error', message: li.dataset.errorMessage || li.textContent };
  });
}

function mount(textarea) {
  if (MOUNTED.has(textarea)) return;
  const host = document.createElement('div');
  host.className = 'cm-host';
  textarea.insertAdjacentElement('afterend', host);
  let syncing = false;
  const view = new EditorView({
    doc: textarea.value,
    parent: host,
    extensions: [
      basicSetup,
      textarea.dataset.language === 'html' ? html() : javascript({ typescript: true }),
      lintGutter(),
      EditorView.editable.of(!textarea.readOnly),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && !syncing) {
          textarea.value = u.state.doc.toString();
          // Lets the page react as if the textarea had been typed in (e.g. a live preview).
          textarea.dispatchEvent(new Event('input', { bubbles: true }));
        }
      }),
      EditorView.contentAttributes.of({ 'aria-label': `${(textarea.labels && textarea.labels[0] && textarea.labels[0].textContent) || 'Code'} (editor)` }),
    ],
  });
  textarea.addEventListener('input', () => {
    if (textarea.value === view.state.doc.toString()) return;
    syncing = true;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: textarea.value } });
    syncing = false;
  });
  textarea.classList.add('cm-source');
  MOUNTED.set(textarea, view);
  refreshDiagnostics(textarea);
}

function refreshDiagnostics(textarea) {
  const view = MOUNTED.get(textarea);
  if (!view) return;
  const items = textarea.form ? Array.from(textarea.form.querySelectorAll('[data-error-line]')) : [];
  const signature = items.map((li) => `${li.dataset.errorLine}:${li.dataset.errorColumn}:${li.textContent}`).join('|');
  if (SHOWN.get(textarea) === signature) return;
  SHOWN.set(textarea, signature);
  view.dispatch(setDiagnostics(view.state, diagnosticsFor(view, textarea.form)));
}

function scan() {
  document.querySelectorAll('textarea.code-editor[data-language]').forEach((t) => {
    if (!MOUNTED.has(t)) mount(t);
    else refreshDiagnostics(t);
  });
  // Editors whose textarea was replaced by a re-render are removed with it; drop orphans.
  document.querySelectorAll('.cm-host').forEach((h) => {
    const prev = h.previousElementSibling;
    if (!prev || !prev.matches('textarea.code-editor')) h.remove();
  });
}

function start() {
  scan();
  let queued = false;
  new MutationObserver((mutations) => {
    // The editors' own DOM changes (typing, markers) are not news.
    if (mutations.every((m) => m.target.closest && m.target.closest('.cm-host'))) return;
    if (queued) return;
    queued = true;
    queueMicrotask(() => { queued = false; scan(); });
  }).observe(document.body, { childList: true, subtree: true });
}

// Wait for hydration so that the editor never changes the server-rendered DOM under Leptos.
function whenHydrated(fn) {
  if (document.body.dataset.hydrated === 'true') return fn();
  const obs = new MutationObserver(() => {
    if (document.body.dataset.hydrated === 'true') { obs.disconnect(); fn(); }
  });
  obs.observe(document.body, { attributes: true, attributeFilter: ['data-hydrated'] });
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', () => whenHydrated(start));
} else {
  whenHydrated(start);
}
