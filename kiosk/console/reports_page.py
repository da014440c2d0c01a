"""The console's reports page, in Chinese and English: availability per kiosk or branch over the
last day, week or month with downtime by cause, and acknowledgement times. Data comes from
/api/reports as JSON and is rendered with textContent; each table downloads as CSV with the
period and grouping chosen.
"""
from __future__ import annotations

import html

from .page import _STYLE, _script_json

_WORDS = {
    "zh": {"title": "可用率与响应报表", "back": "返回值守台", "day": "最近一天", "week": "最近一周",
           "month": "最近一个月", "kiosk": "按自助机", "branch": "按网点", "avail": "可用率",
           "name.kiosk": "自助机", "name.branch": "网点", "share": "可用率", "online": "在线时长",
           "lost": "停机：连接中断", "shutdown": "停机：关机", "ack": "告警确认时间",
           "alerts": "告警数", "acked": "已确认", "median": "确认用时（中位数）",
           "p90": "确认用时（90%）", "max": "最长", "none": "没有数据", "lang": "English",
           "csv": "下载 CSV",
           "t.s": "秒", "t.m": "分钟", "t.h": "小时", "t.d": "天"},
    "en": {"title": "Availability and response", "back": "Back to the console",
           "day": "Last day", "week": "Last week", "month": "Last month", "kiosk": "By kiosk",
           "branch": "By branch", "avail": "Availability", "name.kiosk": "Kiosk",
           "name.branch": "Branch", "share": "Available", "online": "Online",
           "lost": "Down: link lost", "shutdown": "Down: shut down",
           "ack": "Time to acknowledge alerts", "alerts": "Alerts", "acked": "Acknowledged",
           "median": "Time to acknowledge (median)", "p90": "Time to acknowledge (90%)",
           "max": "Longest", "none": "No data", "lang": "中文", "csv": "Download CSV",
           "t.s": "s", "t.m": "min", "t.h": "h", "t.d": "d"},
}

_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Reports</title><style>{style}
.num{{text-align:right;font-variant-numeric:tabular-nums}}td.low{{color:#b00;font-weight:bold}}
a.csv{{display:inline-block;margin-top:8px;padding:8px 0;font-size:15px}}
</style></head>
<body><header><h1 data-t="title"></h1><a id="back" href="/" data-t="back" style="color:#fff"></a>
<span id="user">{user}</span>
<select id="period"><option value="day" data-t="day"></option><option value="week" data-t="week">
</option><option value="month" data-t="month"></option></select>
<select id="by"><option value="kiosk" data-t="kiosk"></option>
<option value="branch" data-t="branch"></option></select>
<button id="lang" type="button"></button></header>
<main><section class="card"><h2 data-t="avail"></h2><table id="availability"></table>
<a id="csv-availability" class="csv" data-t="csv" download></a></section>
<section class="card"><h2 data-t="ack"></h2><table id="acks"></table>
<a id="csv-ack" class="csv" data-t="csv" download></a></section></main>
<script nonce="{nonce}">
const WORDS = {words}; const PAGE = {page_info};
let lang = localStorage.getItem('lang') ||
  ((navigator.language || 'zh').toLowerCase().startsWith('zh') ? 'zh' : 'en');
let data = null;
const T = k => WORDS[lang][k] || WORDS.en[k] || k;
const el = (tag, text, cls) => {{ const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }};
const bname = b => (PAGE.branches || {{}})[b] || b;
function span(s) {{
  if (s === null || s === undefined) return '—';
  s = Math.round(s); const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
    m = Math.floor(s % 3600 / 60), parts = [];
  if (d) parts.push(d + ' ' + T('t.d')); if (h) parts.push(h + ' ' + T('t.h'));
  if (m && !d) parts.push(m + ' ' + T('t.m'));
  if (!parts.length) parts.push(s % 60 + ' ' + T('t.s'));
  return parts.join(' ');
}}
function table(id, heads, rows) {{
  const t = document.getElementById(id); const head = el('tr');
  for (const h of heads) head.appendChild(el('th', T(h)));
  const body = rows.map(([key, cells]) => {{ const r = el('tr'); r.dataset.key = key;
    for (const [v, cls] of cells) r.appendChild(el('td', v, cls)); return r; }});
  if (!rows.length) {{ const r = el('tr'); const c = el('td', T('none'), 'empty'); c.colSpan = heads.length;
    r.appendChild(c); body.push(r); }}
  t.replaceChildren(head, ...body);
}}
function name(row) {{
  return data.by === 'branch' ? bname(row.key) : row.key + ' · ' + bname(row.branch);
}}
function render() {{
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = T(e.dataset.t);
  document.getElementById('lang').textContent = T('lang');
  if (!data) return;
  const who = 'name.' + data.by;
  table('availability', [who, 'share', 'online', 'lost', 'shutdown'], data.availability.map(r => [r.key, [
    [name(r)], [(r.availability * 100).toFixed(1) + '%', 'num' + (r.availability < 0.99 ? ' low' : '')],
    [span(r.online), 'num'], [span(r.lost), 'num'], [span(r.shutdown), 'num']]]));
  table('acks', [who, 'alerts', 'acked', 'median', 'p90', 'max'], data.ack.map(r => [r.key, [
    [name(r)], [String(r.alerts), 'num'], [String(r.acknowledged), 'num'], [span(r.median_s), 'num'],
    [span(r.p90_s), 'num'], [span(r.max_s), 'num']]]));
}}
async function load() {{
  const q = new URLSearchParams({{period: document.getElementById('period').value,
    by: document.getElementById('by').value}});
  for (const table of ['availability', 'ack'])  // the download follows the page's choices
    document.getElementById('csv-' + table).href = '/api/reports?' + q + '&table=' + table + '&format=csv';
  const r = await fetch('/api/reports?' + q, {{credentials: 'same-origin'}});
  if (r.status === 401) {{ location = '/login'; return; }}
  data = await r.json(); document.body.dataset.loaded = q.toString(); render();
}}
document.getElementById('period').onchange = load; document.getElementById('by').onchange = load;
document.getElementById('lang').onclick = () => {{ lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('lang', lang); render(); }};
render(); load();
</script></body></html>"""


def reports_page(user: str, nonce: str, page_info: dict | None = None) -> str:
    return _PAGE.format(style=_STYLE, user=html.escape(user), nonce=nonce,
                        words=_script_json(_WORDS), page_info=_script_json(page_info or {}))
