"""The console's two HTML pages. Data reaches the page only as JSON rendered with textContent."""
from __future__ import annotations

import html

_STYLE = """
body{font-family:"WenQuanYi Micro Hei",sans-serif;margin:0;background:#f3f4f6;color:#111}
header{background:#8b0000;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
header h1{font-size:18px;margin:0;flex:1}
main{padding:12px 16px;display:grid;gap:12px}
section.kiosk{background:#fff;border-radius:6px;padding:8px 12px;box-shadow:0 1px 2px #0002}
.state-online{color:#067d06}.state-offline,.state-unknown{color:#b00}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:3px 6px;font-size:14px}
tr.sev-critical{background:#fdd}tr.sev-fault{background:#fee8d6}tr.sev-warning{background:#fff7cc}
.devices span{display:inline-block;margin:2px 8px 2px 0;padding:2px 6px;border-radius:4px;
background:#e8f5e9}.devices span.bad{background:#fdd}
form.login{max-width:320px;margin:80px auto;background:#fff;padding:24px;border-radius:6px;
display:grid;gap:8px}.error{color:#b00}
"""

_LOGIN = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>Staff console login</title><style>{style}</style></head><body>
<form class="login" method="post" action="/login">
<h2>网点值守 Staff console</h2>{error}
<label>User <input name="user" id="user" autocomplete="username" required></label>
<label>Password <input name="password" id="password" type="password"
 autocomplete="current-password" required></label>
<button type="submit" id="login">Log in 登录</button></form></body></html>"""

_CONSOLE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="csrf" content="{csrf}"><title>Staff console</title><style>{style}</style></head>
<body><header><h1>网点值守 Staff console</h1><span id="user">{user}</span>
<span id="live">connecting…</span>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="{csrf}">
<button id="logout">Log out</button></form></header>
<main><div id="kiosks"></div><section class="kiosk"><h2>History</h2>
<table><thead><tr><th>Kiosk</th><th>Alert</th><th>Severity</th><th>Raised</th>
<th>Resolved</th><th>By</th></tr></thead><tbody id="history"></tbody></table></section></main>
<script nonce="{nonce}">
const csrf = document.querySelector('meta[name=csrf]').content;
let version = -1;
const el = (tag, text, cls) => {{ const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }};
const when = t => t ? new Date(t * 1000).toLocaleString() : '';
const GOOD = ['online', 'full', 'ok', 'on', 'closed', 'present', 'notPresent', 'unknown'];
async function act(verb, kiosk, alertId) {{
  const r = await fetch('/api/' + verb, {{method: 'POST', credentials: 'same-origin',
    headers: {{'Content-Type': 'application/json', 'X-CSRF-Token': csrf}},
    body: JSON.stringify({{kiosk: kiosk, alert_id: alertId}})}});
  if (r.status === 401) location = '/login';
}}
function renderKiosk(k) {{
  const s = el('section', undefined, 'kiosk'); s.dataset.kiosk = k.kiosk;
  const h = el('h2', k.kiosk + ' '); h.appendChild(el('small', k.branch + ' · ' + k.state,
    'state-' + k.state)); s.appendChild(h);
  const d = el('div', undefined, 'devices');
  for (const [name, st] of Object.entries(k.devices)) {{
    const text = name + ': ' + Object.entries(st).map(([f, v]) => f + '=' + v).join(' ');
    const bad = Object.values(st).some(v => !GOOD.includes(v));
    const b = el('span', text, bad ? 'bad' : ''); b.dataset.device = name; d.appendChild(b);
  }}
  s.appendChild(d);
  const t = el('table'); const body = el('tbody');
  for (const a of k.alerts) {{
    const r = el('tr', undefined, 'alert sev-' + a.severity);
    r.dataset.alertId = a.alert_id; r.dataset.code = a.code; r.dataset.state = a.state;
    [a.severity, a.message, a.state + (a.acknowledged_by ? ' (' + a.acknowledged_by + ')' : ''),
     'x' + a.count, when(a.raised_at)].forEach(v => r.appendChild(el('td', v)));
    const c = el('td');
    if (a.state === 'raised') {{ const b = el('button', 'Acknowledge 确认', 'ack');
      b.onclick = () => act('ack', k.kiosk, a.alert_id); c.appendChild(b); }}
    if (a.kind !== 'fault') {{ const b = el('button', 'Resolve 完成', 'resolve');
      b.onclick = () => act('resolve', k.kiosk, a.alert_id); c.appendChild(b); }}
    r.appendChild(c); body.appendChild(r);
  }}
  if (!k.alerts.length) body.appendChild(el('tr')).appendChild(el('td', 'No open alerts'));
  t.appendChild(body); s.appendChild(t); return s;
}}
function render(state) {{
  document.getElementById('kiosks').replaceChildren(...state.kiosks.map(renderKiosk));
  document.getElementById('history').replaceChildren(...state.history.map(a => {{
    const r = el('tr'); r.dataset.alertId = a.alert_id;
    [a.kiosk, a.message, a.severity, when(a.raised_at), when(a.resolved_at),
     (a.data && a.data.resolved_by) || ''].forEach(v => r.appendChild(el('td', v)));
    return r; }}));
  document.getElementById('live').textContent = 'live · ' + new Date().toLocaleTimeString();
}}
async function follow() {{
  for (;;) {{
    try {{
      const r = await fetch('/api/state?since=' + version, {{credentials: 'same-origin'}});
      if (r.status === 401) {{ location = '/login'; return; }}
      const state = await r.json(); version = state.version; render(state);
    }} catch (e) {{
      document.getElementById('live').textContent = 'reconnecting…';
      await new Promise(ok => setTimeout(ok, 1000));
    }}
  }}
}}
follow();
</script></body></html>"""


def login_page(error: str = "") -> str:
    shown = f'<p class="error" id="error">{html.escape(error)}</p>' if error else ""
    return _LOGIN.format(style=_STYLE, error=shown)


def console_page(user: str, csrf: str, nonce: str) -> str:
    return _CONSOLE.format(style=_STYLE, user=html.escape(user), csrf=html.escape(csrf),
                           nonce=nonce)
