// The style sheet and the script of summary.html.
#include "html_assets.h"

namespace racelab::report {

const char* const kHtmlStyle = R"(<style>
:root { --fg: #1b1f24; --muted: #5b636e; --bg: #ffffff; --panel: #f5f7f9; --line: #d7dce1;
  --good: #1a7f37; --bad: #c62828; --hit: #fff3b0; --link: #0b5cad; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e4e7eb; --muted: #9aa4b0; --bg: #14171b; --panel: #1d2228; --line: #343b44;
    --good: #4cc35d; --bad: #ff6b6b; --hit: #4a4320; --link: #7db7ff; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 0 1.5rem 2rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); }
a { color: var(--link); }
header { border-bottom: 1px solid var(--line); padding: 1rem 0 .5rem; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
h2 { margin-top: 2rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { margin: 0 0 .3rem; }
h4 { margin: 1rem 0 .3rem; }
h5 { margin: 0 0 .3rem; font-size: .9rem; font-weight: 600; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: .05rem .55rem; border-radius: .8rem; color: #fff;
  font-size: .95rem; vertical-align: middle; }
.badge.ok { background: var(--good); } .badge.bad { background: var(--bad); }
.yes { color: var(--good); font-weight: 600; } .no { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); font-weight: normal; }
dl.build { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .5rem 0; }
dl.build dt { color: var(--muted); } dl.build dd { margin: 0; }
nav ul { list-style: none; padding: 0; display: flex; gap: 1.2rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: var(--muted); padding: .3rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; color: inherit; cursor: pointer; }
th[aria-sort=ascending] button::after { content: " ▲"; }
th[aria-sort=descending] button::after { content: " ▼"; }
tr.bad td { background: color-mix(in srgb, var(--bad) 8%, transparent); }
figure { margin: 1rem 0; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
svg.chart { max-width: 100%; height: auto; color: var(--fg); }
svg.chart text { font: 11px system-ui, sans-serif; fill: currentColor; }
svg.chart text.miss { fill: var(--bad); font-weight: 600; }
article.result { border: 1px solid var(--line); border-left: 4px solid var(--good); border-radius: 4px;
  padding: .8rem 1rem; margin: 1rem 0; background: var(--panel); }
article.result.bad { border-left-color: var(--bad); }
pre, code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--bg); border: 1px solid var(--line); padding: .5rem; overflow-x: auto;
  white-space: pre; tab-size: 4; }
pre.wrap { white-space: pre-wrap; overflow-wrap: anywhere; }
.stacks { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: .8rem; }
.stack { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: .5rem; min-width: 0; }
ol.frames { list-style: none; margin: 0; padding: 0; }
ol.frames li { padding: .1rem 0; overflow-wrap: anywhere; font: 12px/1.4 ui-monospace, monospace; }
ol.frames li.lib { color: var(--muted); }
ol.frames li.user .fn { font-weight: 600; }
.snippet { margin: .2rem 0 .4rem 1.2rem; }
.snippet pre { margin: .2rem 0; padding: .3rem 0; }
.snippet .l { display: block; padding: 0 .5rem; }
.snippet .l.hit { background: var(--hit); }
.snippet .n { display: inline-block; min-width: 3.5em; color: var(--muted); user-select: none; }
details > summary { cursor: pointer; }
ul.problems li { color: var(--bad); }
.legend { display: flex; flex-wrap: wrap; gap: .3rem 1rem; margin: .3rem 0; font-size: .85rem; }
.legend span::before { content: ""; display: inline-block; width: .8em; height: .8em; margin-right: .3em;
  background: var(--c); vertical-align: -1px; }
</style>
)";

const char* const kHtmlScript = R"(<script>
(function () {
  "use strict";
  var table = document.getElementById("results-table");
  if (!table || !table.tHead || !table.tBodies.length) return;
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function value(row, col) {
    var cell = row.cells[col];
    return cell ? cell.textContent : "";
  }
  Array.prototype.forEach.call(heads, function (th, col) {
    var button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = value(a, col), y = value(b, col);
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return dir * c;
      });
      var fragment = document.createDocumentFragment();
      rows.forEach(function (r) { fragment.appendChild(r); });
      body.appendChild(fragment);
    });
  });
  var only = document.getElementById("only-failing");
  if (only) only.addEventListener("change", function () {
    Array.prototype.forEach.call(body.rows, function (r) {
      r.hidden = only.checked && r.getAttribute("data-ok") === "yes";
    });
  });
})();
</script>
)";

}  // namespace racelab::report
