"""The script and styles of chartspec's HTML: what draws a fragment's chart in the browser.

Every fragment carries the same runtime (:data:`RUNTIME_JS`, ES5). The first one to run defines
``window.chartspec``; every run then *scans* the page for ``figure.chartspec`` elements it has not
set up yet, so running it again (a docs site's instant navigation re-running a page's scripts,
MkDocs Material's ``document$`` announcing a new page) draws the new charts and nothing twice.

A figure's spec is the text of a ``<template class="chartspec-spec">``, not of a
``<script type="application/json">``: sites that swap pages without reloading re-insert scripts
as plain JavaScript (Material keeps only their text), which ran the JSON as code ("Unexpected
token ':'"). A template is never run, and the spec's text has no ``<``, ``>`` or ``&``.

**Colour scheme.** A figure may hold a second spec, the chart in its dark theme, as the values
that differ from the first (``<template class="chartspec-spec-dark">``: ``[[path, value], [path],
...]``, set and removed), so the data is written once. The chart is drawn in the page's scheme and redrawn when it changes:

1. ``data-chartspec-scheme`` on ``<body>`` or ``<html>``: ``light``, ``dark`` or ``auto`` (the
   system's ``prefers-color-scheme``); chartspec's own pages say ``auto``;
2. MkDocs Material (``data-md-color-scheme`` on ``<body>``): dark when its scheme's
   ``color-scheme`` is (``slate``, or a custom dark scheme);
3. furo (``data-theme`` on ``<body>``) and pydata-sphinx-theme (on ``<html>``): ``light``,
   ``dark``, ``auto``;
4. otherwise light (a site without dark mode stays light whatever the system prefers).

:data:`FALLBACK_CSS` shows the matching static SVG before (or without) scripts.

**Controls.** :data:`MENU_CSS` is vega-embed's action menu restyled under selectors more specific
than a site's, every property first reset (``all: revert``): docs themes style ``details``,
``summary`` and links (Material turns them into admonitions with icons and a border).
"""

from __future__ import annotations

import json

__all__ = ["FALLBACK_CSS", "MENU_CSS", "RUNTIME_JS"]

# One prefix for every rule: (0,4,1) beats the (0,2,x)-(0,3,x) selectors themes use.
_P = "figure.chartspec.chartspec .chartspec-chart.vega-embed"
_D = "figure.chartspec.chartspec[data-chartspec-scheme=dark] .chartspec-chart.vega-embed"

MENU_CSS = "".join((
    f"{_P} details,{_P} summary,{_P} summary::before,{_P} summary::after,"
    f"{_P} .vega-actions,{_P} .vega-actions a,{_P} .vega-actions::before,{_P} .vega-actions::after{{all:revert}}",
    f"{_P} details{{display:block;margin:0;padding:0;border:0}}",
    f"{_P} summary{{all:revert;display:block;list-style:none;position:absolute;top:0;right:0;padding:6px;"
    "margin:0;z-index:1000;background:#fff;box-shadow:1px 1px 3px rgba(0,0,0,.1);color:#1b1e23;"
    "border:1px solid #aaa;border-radius:999px;opacity:.2;transition:opacity .4s ease-in;cursor:pointer;"
    "line-height:0;min-height:0;font-size:0}",
    f"{_P} summary::before,{_P} summary::after{{content:none;display:none}}",
    f"{_P} summary::-webkit-details-marker{{display:none}}",
    f"{_P} summary svg{{width:14px;height:14px;max-width:none;display:inline;vertical-align:baseline;fill:currentColor}}",
    f"{_P} details[open] summary{{opacity:.7}}",
    f"{_P}:hover summary,{_P}:focus-within summary{{opacity:1;transition:opacity .2s ease}}",
    f"{_P} .vega-actions{{all:revert;position:absolute;z-index:1001;top:35px;right:-9px;display:flex;"
    "flex-direction:column;margin:0;padding:8px 0;border-radius:4px;box-shadow:0 2px 8px 0 rgba(0,0,0,.2);"
    "border:1px solid #d9d9d9;background:#fff;text-align:left}",
    f"{_P} .vega-actions a{{all:revert;display:block;margin:0;padding:8px 16px;font-family:sans-serif;"
    "font-size:14px;font-weight:600;line-height:normal;white-space:nowrap;color:#434a56;"
    "text-decoration:none;border:0}",
    f"{_P} .vega-actions a:hover,{_P} .vega-actions a:focus{{background-color:#f7f7f9;color:#000}}",
    f"{_P} .vega-actions::before,{_P} .vega-actions::after{{all:revert;content:\"\";display:inline-block;"
    "position:absolute;pointer-events:none;left:auto;width:0;height:0}",
    f"{_P} .vega-actions::before{{right:14px;top:-16px;border:8px solid transparent;"
    "border-bottom-color:#d9d9d9}",
    f"{_P} .vega-actions::after{{right:15px;top:-14px;border:7px solid transparent;border-bottom-color:#fff}}",
    # the same menu on a dark page
    f"{_D} summary{{background:#2b2b2b;color:#e6e6e6;border-color:#666}}",
    f"{_D} .vega-actions{{background:#2b2b2b;border-color:#555}}",
    f"{_D} .vega-actions a{{color:#e6e6e6}}",
    f"{_D} .vega-actions a:hover,{_D} .vega-actions a:focus{{background-color:#3a3a3a;color:#fff}}",
    f"{_D} .vega-actions::before{{border-bottom-color:#555}}",
    f"{_D} .vega-actions::after{{border-bottom-color:#2b2b2b}}",
))

# Which static SVG shows before scripts draw the chart: the same signals as the runtime's, in CSS.
_DARK_PAGE = ("[data-chartspec-scheme=dark]", "[data-md-color-scheme=slate]", "[data-theme=dark]")
_AUTO_PAGE = ("[data-chartspec-scheme=auto]", "body[data-theme=auto]")


def _pair(pages: tuple[str, ...]) -> str:
    hide = ",".join(f"{p} .chartspec-fallback-light" for p in pages)
    show = ",".join(f"{p} .chartspec-fallback-dark" for p in pages)
    return f"{hide}{{display:none}}{show}{{display:inline}}"


FALLBACK_CSS = (".chartspec-fallback-dark{display:none}" + _pair(_DARK_PAGE)
                + "@media (prefers-color-scheme:dark){" + _pair(_AUTO_PAGE) + "}")

RUNTIME_JS = """(function(){
var cs = window.chartspec;
if (!cs || !cs.scan) {
cs = window.chartspec = {queue: [], loading: false, shown: [], hooked: false};
var DARK = '(prefers-color-scheme: dark)';
function attr(el, name){ return el ? el.getAttribute(name) : null; }
function media(){ return window.matchMedia && window.matchMedia(DARK).matches ? 'dark' : 'light'; }
cs.scheme = function(){
  var h = document.documentElement, b = document.body;
  var own = attr(b, 'data-chartspec-scheme') || attr(h, 'data-chartspec-scheme');
  if (own) return own === 'auto' ? media() : own;
  var md = attr(b, 'data-md-color-scheme');
  if (md) return md === 'slate' || /dark/.test(getComputedStyle(b).colorScheme || '') ? 'dark' : 'light';
  var theme = attr(b, 'data-theme') || attr(h, 'data-theme');
  if (theme === 'dark' || theme === 'light') return theme;
  return theme === 'auto' ? media() : 'light';
};
function fail(fig, message){ var box = fig.querySelector('.chartspec-error');
  box.textContent = message; box.hidden = false; fig.setAttribute('data-chartspec', 'error'); }
function read(fig, name){ var t = fig.querySelector('template.' + name);
  return t ? JSON.parse(t.content.textContent) : null; }
function clean(spec){ if (spec && typeof spec.usermeta === 'object' && spec.usermeta) {
  spec.usermeta = JSON.parse(JSON.stringify(spec.usermeta)); delete spec.usermeta.embedOptions; } return spec; }
function patch(spec, ops){
  for (var i = 0; i < ops.length; i++) {
    var path = ops[i][0], o = spec, j;
    if (!path.length) { spec = ops[i][1]; continue; }
    for (j = 0; j < path.length - 1; j++) o = o[path[j]];
    if (ops[i].length > 1) o[path[j]] = ops[i][1]; else delete o[path[j]];
  }
  return spec;
}
function setup(fig){
  var t = fig.querySelector('template.chartspec-spec');
  if (fig.__chartspec || !t) return false;
  var st = fig.__chartspec = {scheme: null, busy: false, again: false, result: null};
  try {
    st.light = read(fig, 'chartspec-spec');
    st.opts = JSON.parse(t.getAttribute('data-embed'));
    st.bundle = JSON.parse(t.getAttribute('data-bundle') || '[]');
    st.integrity = JSON.parse(t.getAttribute('data-integrity') || '[]');
    var ops = read(fig, 'chartspec-spec-dark');
    // a patch that does not fit the spec (a page edited by hand) leaves the chart one look
    if (ops) try { st.dark = clean(patch(read(fig, 'chartspec-spec'), ops)); } catch (e) { st.dark = null; }
    clean(st.light);
  } catch (e) { fail(fig, 'chart could not be read: ' + (e && e.message || e)); return false; }
  cs.shown.push(fig);
  return true;
}
cs.draw = function(fig){
  var st = fig.__chartspec;
  if (st.busy) { st.again = true; return; }
  var scheme = st.dark && cs.scheme() === 'dark' ? 'dark' : 'light';
  if (scheme === st.scheme) return;
  var opts = JSON.parse(JSON.stringify(st.opts));
  if (scheme === 'dark') opts.tooltip = {theme: 'dark'};
  if (st.result) { st.result.finalize(); st.result = null; }
  st.busy = true;
  window.vegaEmbed(fig.querySelector('.chartspec-chart'), scheme === 'dark' ? st.dark : st.light, opts)
  .then(function(res){ st.result = res; st.scheme = scheme;
    fig.setAttribute('data-chartspec-scheme', scheme); fig.setAttribute('data-chartspec', 'ready'); },
    function(e){ st.scheme = scheme; fail(fig, 'chart could not be drawn: ' + (e && e.message || e)); })
  .then(function(){ st.busy = false; if (st.again) { st.again = false; cs.draw(fig); } });
};
function settle(message){ var q = cs.queue; cs.queue = []; cs.loading = false;
  q.forEach(function(f){ if (message) fail(f, message); else cs.draw(f); }); }
function load(bundle, integrity){
  if (cs.loading || !bundle.length) return;
  cs.loading = true;
  (function next(i){
    if (i === bundle.length) { settle(window.vegaEmbed ? null : 'no chart library in ' + bundle.join(', ')); return; }
    var s = document.createElement('script'); s.src = bundle[i];
    if (integrity[i]) { s.integrity = integrity[i]; s.crossOrigin = 'anonymous'; }
    s.onload = function(){ next(i + 1); };
    s.onerror = function(){ settle('could not load ' + bundle[i]); };
    document.head.appendChild(s);
  })(0);
}
function style(){ if (document.getElementById('chartspec-style')) return;
  var s = document.createElement('style'); s.id = 'chartspec-style'; s.textContent = __MENU_CSS__;
  document.head.appendChild(s); }
cs.scan = function(){
  style();
  var figs = document.querySelectorAll('figure.chartspec');
  for (var i = 0; i < figs.length; i++) {
    var fig = figs[i];
    if (!setup(fig)) continue;
    if (window.vegaEmbed) cs.draw(fig);
    else { cs.queue.push(fig); load(fig.__chartspec.bundle, fig.__chartspec.integrity); }
  }
};
cs.restyle = function(){
  cs.shown = cs.shown.filter(function(f){ return document.documentElement.contains(f); });
  if (window.vegaEmbed) cs.shown.forEach(function(f){ if (f.__chartspec.dark) cs.draw(f); });
};
var watched = {attributes: true, attributeFilter: ['data-chartspec-scheme', 'data-md-color-scheme', 'data-theme', 'data-mode']};
var observer = new MutationObserver(cs.restyle);
observer.observe(document.documentElement, watched);
if (document.body) observer.observe(document.body, watched);
if (window.matchMedia) { var m = window.matchMedia(DARK);
  if (m.addEventListener) m.addEventListener('change', cs.restyle); else if (m.addListener) m.addListener(cs.restyle); }
function hook(){ var d = window.document$;
  if (cs.hooked || !d || typeof d.subscribe !== 'function') return;
  cs.hooked = true; d.subscribe(function(){ cs.scan(); }); }
hook();
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function(){ hook(); cs.scan(); });
}
cs.scan();
})();""".replace("__MENU_CSS__", json.dumps(MENU_CSS).replace("<", "\\u003c"))
