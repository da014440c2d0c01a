"""The console's two HTML pages, in Chinese and English. Data reaches the page only as JSON
rendered with textContent; the page keeps every kiosk in a map and redraws only what changed.
"""
from __future__ import annotations

import html
import json
from typing import Any

from ..alerts.staff_text import staff_words
from ..device_conditions import console_levels

_STYLE = """
*{box-sizing:border-box}
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0;background:#f3f4f6;
color:#111;font-size:16px}
header{background:#8b0000;color:#fff;padding:8px 12px;display:flex;flex-wrap:wrap;gap:8px 14px;
align-items:center}
header h1{font-size:18px;margin:0;flex:1 1 auto}
header button,header select{font-size:14px;padding:6px 10px;min-height:36px}
#banner{display:none;background:#b00;color:#fff;padding:10px 12px;font-weight:bold}
#banner.show{display:block}
main{padding:10px 12px;display:grid;gap:12px;max-width:1200px;margin:0 auto}
.card{background:#fff;border-radius:8px;padding:10px 12px;box-shadow:0 1px 2px #0002}
h2{font-size:16px;margin:0 0 8px}
#summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:8px}
#summary div{background:#fff;border-radius:8px;padding:8px 10px;box-shadow:0 1px 2px #0002}
#summary b{display:block;font-size:26px}
.n-ok b{color:#067d06}.n-degraded b{color:#a15c00}.n-out b{color:#b00}.n-offline b{color:#555}
.n-critical b{color:#b00}.n-fault b{color:#c2410c}.n-warning b{color:#a15c00}
.alert{display:grid;grid-template-columns:auto 1fr auto;gap:4px 10px;align-items:center;
padding:8px;border-left:6px solid #999;border-radius:6px;margin-bottom:6px;background:#fafafa}
.alert.sev-critical{border-color:#b00;background:#fde8e8}.alert.sev-fault{border-color:#c2410c;
background:#fff1e6}.alert.sev-warning{border-color:#d4a300;background:#fff9db}
.alert .sev{font-weight:bold;font-size:14px}.alert .what{font-size:16px}
.alert .meta{grid-column:2/4;font-size:13px;color:#444}
.alert .acts{display:flex;gap:6px;flex-wrap:wrap;justify-content:flex-end}
.alert button{font-size:15px;min-height:40px;min-width:72px;padding:6px 12px}
.alert input.reason{font-size:15px;min-height:40px;padding:6px;min-width:160px}
.pending{color:#a15c00}.failed{color:#b00;font-weight:bold}
.alert.overdue{outline:3px solid #b00}.alert.overdue .age{color:#b00;font-weight:bold}
#kiosks{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:8px}
.kiosk{background:#fff;border-radius:8px;padding:8px 10px;box-shadow:0 1px 2px #0002;
border-top:4px solid #067d06}
.kiosk.st-degraded{border-color:#d4a300}.kiosk.st-out{border-color:#b00}
.kiosk.st-offline{border-color:#555;background:#eee}
.kiosk{cursor:pointer}.kiosk h3{font-size:15px;margin:0 0 4px}
#detail th{width:40%;font-weight:normal;color:#444}#detail h2 button{float:right}
#more{margin-top:8px;min-height:40px;padding:6px 16px}header select{max-width:160px}.kiosk .state{font-size:13px;color:#333}
.chips span{display:inline-block;margin:2px 4px 2px 0;padding:2px 6px;border-radius:4px;
font-size:13px;background:#e8f5e9}.chips span.warn{background:#fff3c4}
.chips span.bad{background:#fdd}.chips span.idle{background:#eef2f7}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 6px;font-size:13px;
border-bottom:1px solid #eee}
.empty{color:#555}
.remote{display:flex;flex-wrap:wrap;gap:6px}.remote button{font-size:15px;min-height:40px;
padding:6px 12px}ul.actions{padding-left:18px;font-size:14px}ul.actions li{margin:4px 0}
form.login{max-width:340px;margin:60px auto;background:#fff;padding:24px;border-radius:8px;
display:grid;gap:10px}form.login input,form.login button{font-size:16px;padding:8px}
.error{color:#b00}
@media (max-width:600px){header h1{font-size:16px;flex-basis:100%}
#summary{grid-template-columns:repeat(4,1fr);gap:4px}#summary div{padding:4px 6px;font-size:12px}
#summary b{font-size:20px}
.alert{grid-template-columns:1fr}.alert .meta{grid-column:1}.alert .acts{justify-content:flex-start}
#kiosks{grid-template-columns:1fr}}
"""

_TEXT = {
    "zh": {"title": "网点值守台", "user": "用户名", "password": "密码", "login": "登录",
           "wrong": "用户名或密码错误", "throttled": "尝试次数过多，请稍后再试",
           "busy": "系统繁忙，请稍后再试", "form_expired": "表单已过期，请重新登录",
           "lang": "English"},
    "en": {"title": "Branch staff console", "user": "User", "password": "Password",
           "login": "Log in", "wrong": "Wrong user or password",
           "throttled": "Too many attempts: try again later",
           "busy": "Busy: try again in a moment", "form_expired": "The form expired: log in again",
           "lang": "中文"},
}

_LOGIN = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title}</title><style>{style}</style></head><body>
<form class="login" method="post" action="/login">
<h2>{title}</h2>{error}<input type="hidden" name="csrf" value="{csrf}">
<label>{user} <input name="user" id="user" autocomplete="username" required></label>
<label>{password} <input name="password" id="password" type="password"
 autocomplete="current-password" required></label>
<button type="submit" id="login">{login}</button></form></body></html>"""

# The console's words. Keys: ui.*, sev.*, kst.* (kiosk state), dev.* (device), val.* (state
# words), code.* (alert codes, by their last two parts), act.*.
_WORDS = {
    "zh": {
        "ui.title": "网点值守台", "ui.live": "实时", "ui.lost": "与消息服务器的连接已断开，页面数据可能已过时",
        "ui.reconnecting": "正在重连…", "ui.logout": "退出", "ui.alerts": "待处理告警",
        "ui.noalerts": "没有待处理的告警", "ui.kiosks": "自助机", "ui.history": "已处理",
        "ui.inservice": "正常服务", "ui.degraded": "功能受限", "ui.out": "暂停服务",
        "ui.offline": "离线", "ui.since": "自", "ui.ago": "前", "ui.pending": "等待自助机确认…",
        "ui.failed": "自助机未确认，操作失败", "ui.by": "处理人", "ui.count": "次",
        "ui.kiosk": "自助机", "ui.alert": "告警", "ui.raised": "发生", "ui.resolved": "解决",
        "ui.acked": "已确认", "ui.noheartbeat": "无心跳", "ui.all": "全部网点", "ui.more": "显示更多",
        "ui.version": "版本", "ui.config": "配置摘要", "ui.offered": "可办理",
        "svc.card": "银行卡", "svc.idcard": "身份证", "svc.qr": "预约码", "svc.printing": "打印",
        "svc.ticket": "取号", "svc.none": "无（暂停服务）", "ui.uptime": "已运行", "ui.heartbeat": "最近心跳", "ui.position": "位置",
        "ui.screen": "客户所在界面", "ui.close": "关闭", "ui.recent": "最近处理的告警",
        "ui.devices": "设备", "ui.branch": "网点", "ui.overdue": "超时未确认",
        "sev.critical": "紧急", "sev.fault": "故障", "sev.warning": "提醒", "sev.info": "信息",
        "kst.ok": "正常", "kst.degraded": "受限", "kst.out": "暂停服务", "kst.offline": "离线",
        "kst.unknown": "未知",
        "act.ack": "确认", "act.resolve": "完成", "act.approve": "批准转账", "act.reject": "拒绝转账",
        "ui.reason": "原因（必填）", "ui.amount": "金额",
        "why.lost": "连接中断", "why.shutdown": "正常关机",
        "t.s": "秒", "t.m": "分钟", "t.h": "小时", "t.d": "天",
        "dev.printer": "凭条打印机", "dev.chipcard": "银行卡读卡器", "dev.idcard": "身份证阅读器",
        "dev.scanner": "扫码器", "dev.camera": "摄像头", "dev.kiosk": "自助机",
        "val.online": "正常", "val.offline": "离线", "val.full": "纸量充足", "val.low": "纸量不足",
        "val.out": "缺纸", "val.jammed": "卡纸", "val.noCard": "空闲", "val.present": "有卡",
        "val.notPresent": "空闲", "val.ok": "正常", "val.inoperative": "不可用",
        "val.hardwareError": "硬件故障", "val.powerOff": "断电", "val.noDevice": "未连接",
        "val.busy": "忙", "val.poweredOff": "空闲", "val.on": "正常", "val.off": "关闭",
        "val.fraudAttempt": "疑似盗刷装置", "val.potentialFraud": "疑似异常",
        "val.userError": "操作错误", "val.unknown": "未知", "val.starting": "启动中",
        "val.inPosition": "正常", "val.notInPosition": "未到位", "val.closed": "已关闭",
        "val.open": "打开", "val.notSupported": "不支持",
        "code.paper.out": "缺纸，请更换纸卷", "code.paper.low": "纸量不足",
        "code.paper.jammed": "卡纸", "code.media.jammed": "卡住了介质",
        "code.cover.open": "机盖未关", "code.cutter.error": "切纸刀故障",
        "code.device.offline": "设备离线", "code.device.powerOff": "设备断电",
        "code.device.noDevice": "设备未连接", "code.device.hardwareError": "设备硬件故障",
        "code.device.userError": "设备操作错误", "code.device.fraudAttempt": "发现疑似盗刷装置",
        "code.device.potentialFraud": "设备疑似异常", "code.sam.inoperative": "身份证安全模块不可用",
        "code.help.requested": "客户请求协助", "code.transfer.held": "大额转账待确认",
        "code.offline.lost": "自助机离线（连接中断）", "code.offline.shutdown": "自助机已关机",
        "ui.reports": "可用率报表", "ui.allregions": "全部地区", "ui.actions": "远程操作", "rm.out_of_service": "暂停服务", "rm.in_service": "恢复服务",
        "rm.self_test": "自检", "rm.bundle": "生成诊断包", "rs.pending": "等待自助机确认…",
        "rs.accepted": "等待当前客户办理完毕", "rs.done": "已完成", "rs.failed": "失败",
        "ui.noanswer": "自助机未应答",
    },
    "en": {
        "ui.title": "Branch staff console", "ui.live": "live",
        "ui.lost": "Lost the link to the message broker: what you see may be out of date",
        "ui.reconnecting": "reconnecting…", "ui.logout": "Log out", "ui.alerts": "Open alerts",
        "ui.noalerts": "No open alerts", "ui.kiosks": "Kiosks", "ui.history": "Resolved",
        "ui.inservice": "In service", "ui.degraded": "Degraded", "ui.out": "Out of service",
        "ui.offline": "Offline", "ui.since": "since", "ui.ago": "ago",
        "ui.pending": "waiting for the kiosk…", "ui.failed": "the kiosk never confirmed: failed",
        "ui.by": "By", "ui.count": "times", "ui.kiosk": "Kiosk", "ui.alert": "Alert",
        "ui.raised": "Raised", "ui.resolved": "Resolved", "ui.acked": "acknowledged",
        "ui.noheartbeat": "no heartbeat", "ui.all": "All branches", "ui.more": "Show more",
        "ui.version": "Version", "ui.config": "Configuration digest", "ui.offered": "Offers",
        "svc.card": "bank card", "svc.idcard": "ID card", "svc.qr": "appointment code",
        "svc.printing": "printing", "svc.ticket": "queue tickets", "svc.none": "nothing (out of service)", "ui.uptime": "Up for", "ui.heartbeat": "Last heartbeat",
        "ui.position": "Position", "ui.screen": "Customer's screen", "ui.close": "Close",
        "ui.recent": "Recently resolved", "ui.devices": "Devices", "ui.branch": "Branch",
        "ui.overdue": "not acknowledged in time",
        "sev.critical": "Critical", "sev.fault": "Fault", "sev.warning": "Warning",
        "sev.info": "Info",
        "kst.ok": "In service", "kst.degraded": "Degraded", "kst.out": "Out of service",
        "kst.offline": "Offline", "kst.unknown": "Unknown",
        "act.ack": "Acknowledge", "act.resolve": "Done", "act.approve": "Approve",
        "act.reject": "Reject", "ui.reason": "Reason (required)", "ui.amount": "amount",
        "why.lost": "link lost", "why.shutdown": "shut down",
        "t.s": "s", "t.m": "min", "t.h": "h", "t.d": "d",
        "dev.printer": "Receipt printer", "dev.chipcard": "Card reader", "dev.idcard": "ID reader",
        "dev.scanner": "Scanner", "dev.camera": "Camera", "dev.kiosk": "Kiosk",
        "val.online": "working", "val.offline": "offline", "val.full": "paper full",
        "val.low": "paper low", "val.out": "paper out", "val.jammed": "jammed",
        "val.noCard": "idle", "val.present": "card in", "val.notPresent": "idle",
        "val.ok": "working", "val.inoperative": "not working", "val.hardwareError": "hardware fault",
        "val.powerOff": "no power", "val.noDevice": "not connected", "val.busy": "busy",
        "val.poweredOff": "idle", "val.on": "working", "val.off": "off",
        "val.fraudAttempt": "skimmer suspected", "val.potentialFraud": "tampering suspected",
        "val.userError": "misused", "val.unknown": "unknown", "val.starting": "starting",
        "val.inPosition": "in place", "val.notInPosition": "out of place", "val.closed": "closed",
        "val.open": "open", "val.notSupported": "not supported",
        "code.paper.out": "out of paper: load a new roll",
        "code.paper.low": "paper low", "code.paper.jammed": "paper jammed",
        "code.media.jammed": "Media jammed", "code.cover.open": "Cover open",
        "code.cutter.error": "Cutter fault", "code.device.offline": "Device offline",
        "code.device.powerOff": "Device has no power", "code.device.noDevice": "Device not connected",
        "code.device.hardwareError": "Device hardware fault",
        "code.device.userError": "Device misused",
        "code.device.fraudAttempt": "Skimming device suspected",
        "code.device.potentialFraud": "Possible tampering", "code.sam.inoperative": "ID reader SAM not working",
        "code.help.requested": "Customer asks for help", "code.transfer.held": "Large transfer waits for approval",
        "code.offline.lost": "Kiosk offline (link lost)", "code.offline.shutdown": "Kiosk shut down",
        "ui.reports": "Reports", "ui.allregions": "All regions", "ui.actions": "Remote actions", "rm.out_of_service": "Take out of service",
        "rm.in_service": "Back in service", "rm.self_test": "Self-test",
        "rm.bundle": "Diagnostics bundle", "rs.pending": "waiting for the kiosk…",
        "rs.accepted": "waits for the customer at the kiosk to finish", "rs.done": "done",
        "rs.failed": "failed", "ui.noanswer": "the kiosk did not answer",
    },
}

_CONSOLE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="csrf" content="{csrf}"><meta name="role" content="{role}">
<title>Console</title><style>{style}</style></head>
<body><header><h1 data-t="ui.title"></h1><span id="live"></span><span id="user">{user}</span>
<select id="region" aria-label="region" hidden></select><select id="branch" aria-label="branch"></select><a id="reports" href="/reports" data-t="ui.reports"
 style="color:#fff" hidden></a><button id="lang" type="button"></button>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="{csrf}">
<button id="logout" data-t="ui.logout"></button></form></header>
<div id="banner" role="alert" data-t="ui.lost"></div>
<main><section id="summary" aria-live="polite"></section>
<section class="card"><h2 data-t="ui.alerts"></h2><div id="alerts"></div></section>
<section id="detail" class="card" hidden></section>
<section><h2 data-t="ui.kiosks"></h2><div id="kiosks"></div>
<button id="more" type="button" data-t="ui.more" hidden></button></section>
<section class="card"><h2 data-t="ui.history"></h2><table><thead><tr><th data-t="ui.kiosk"></th>
<th data-t="ui.alert"></th><th data-t="ui.raised"></th><th data-t="ui.resolved"></th>
<th data-t="ui.by"></th></tr></thead><tbody id="history"></tbody></table></section></main>
<script nonce="{nonce}">
const WORDS = {words};
const PAGE = {page_info};
const bname = b => (PAGE.branches || {{}})[b] || b;
const place = k => (PAGE.positions || {{}})[k] || '';
let branch = ''; let region = ''; let shown = 60; let detail = ''; let stream = null;
const known = new Set(Object.keys(PAGE.branches || {{}}));
const regionOf = b => (PAGE.regions || {{}})[b] || '';
const csrf = document.querySelector('meta[name=csrf]').content;
const role = document.querySelector('meta[name=role]').content;
const SEV = {{critical: 3, fault: 2, warning: 1, info: 0}};
const LEVELS = {levels};  // field.value -> bad / warn: kiosk.device_conditions
const WARN = ['starting', 'notInPosition', 'off'];
const IDLE = ['noCard', 'notPresent', 'poweredOff', 'unknown', 'closed'];
const kiosks = new Map(); const rows = new Map(); const tiles = new Map();
let history = []; let broker = {{connected: true}}; let streamUp = false; let total = 0;
let announced = new Set(); let firstLoad = true;
let lang = localStorage.getItem('lang') ||
  ((navigator.language || 'zh').toLowerCase().startsWith('zh') ? 'zh' : 'en');
const T = k => WORDS[lang][k] || WORDS.en[k] || k;
const el = (tag, text, cls) => {{ const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }};
const now = () => Date.now() / 1000;
function age(t) {{
  const s = Math.max(0, Math.round(now() - t));
  const [n, u] = s < 60 ? [s, 't.s'] : s < 3600 ? [Math.floor(s / 60), 't.m'] :
    s < 86400 ? [Math.floor(s / 3600), 't.h'] : [Math.floor(s / 86400), 't.d'];
  return lang === 'zh' ? n + ' ' + T(u) + T('ui.ago') : n + ' ' + T(u) + ' ' + T('ui.ago');
}}
const clock = t => t ? new Date(t * 1000).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') : '';
const codeText = a => {{ const p = a.code.split('.'); const k = 'code.' + p.slice(-2).join('.');
  return WORDS[lang][k] ? (a.kind === 'fault' ? T('dev.' + (a.device || 'kiosk')) + ': ' : '') + T(k)
    : a.message; }};
function level(f, v) {{ return LEVELS[f + '.' + v] || (WARN.includes(v) ? 'warn'
  : IDLE.includes(v) ? 'idle' : 'ok'); }}
function kioskState(k) {{
  if (k.state === 'offline') return 'offline';
  if (k.state !== 'online') return 'unknown';
  if (k.service === 'outOfService') return 'out';
  const sev = Math.max(-1, ...k.alerts.filter(a => a.kind !== 'heldTransfer' && a.kind !== 'help')
    .map(a => SEV[a.severity]));
  if (sev >= 2) return 'out';
  const warn = sev >= 1 || Object.values(k.devices).some(d => Object.entries(d).some(
    ([f, v]) => level(f, v) !== 'ok' && level(f, v) !== 'idle'));
  return warn ? 'degraded' : 'ok';
}}
async function act(verb, kiosk, alertId, extra) {{
  const r = await fetch('/api/' + verb, {{method: 'POST', credentials: 'same-origin',
    headers: {{'Content-Type': 'application/json', 'X-CSRF-Token': csrf}},
    body: JSON.stringify(Object.assign({{kiosk: kiosk, alert_id: alertId}}, extra || {{}}))}});
  if (r.status === 401) location = '/login';
}}
function alertRow(k, a) {{
  const r = el('div', undefined, 'alert sev-' + a.severity);
  r.dataset.alertId = a.alert_id; r.dataset.code = a.code; r.dataset.state = a.state;
  r.dataset.severity = a.severity; r.dataset.kiosk = k.kiosk;
  r.appendChild(el('span', T('sev.' + a.severity), 'sev'));
  r.appendChild(el('span', k.kiosk + (place(k.kiosk) ? ' (' + place(k.kiosk) + ')' : '') + ' · ' + codeText(a), 'what'));
  const acts = el('span', undefined, 'acts');
  if (role !== 'auditor' && !a.pending && a.kind === 'heldTransfer') {{
    const why = el('input', undefined, 'reason'); why.placeholder = T('ui.reason'); why.maxLength = 200;
    acts.appendChild(why);
    for (const verb of ['approve', 'reject']) {{ const b = el('button', T('act.' + verb), verb);
      b.onclick = () => {{ if (!why.value.trim()) {{ why.focus(); return; }}
        act(verb, k.kiosk, a.alert_id, {{reason: why.value.trim()}}); }}; acts.appendChild(b); }}
  }} else if (role !== 'auditor' && !a.pending) {{
    if (a.state === 'raised') {{ const b = el('button', T('act.ack'), 'ack');
      b.onclick = () => act('ack', k.kiosk, a.alert_id); acts.appendChild(b); }}
    if (a.kind !== 'fault') {{ const b = el('button', T('act.resolve'), 'resolve');
      b.onclick = () => act('resolve', k.kiosk, a.alert_id); acts.appendChild(b); }}
  }}
  r.appendChild(acts);
  const meta = el('span', undefined, 'meta');
  meta.appendChild(el('span', '', 'age')); meta.dataset.raised = a.raised_at;
  meta.dataset.waiting = a.state === 'raised' ? '1' : '';
  const extra = [bname(k.branch)];
  if (a.data && a.data.screen) extra.push(T('ui.screen') + ': ' + a.data.screen);
  if (a.data && a.data.amount_fen) extra.push(T('ui.amount') + ' ¥' + (a.data.amount_fen / 100).toFixed(2));
  if (a.count > 1) extra.push('×' + a.count + ' ' + T('ui.count'));
  if (a.state === 'acknowledged') extra.push(T('ui.acked') + (a.acknowledged_by ? ' · ' + a.acknowledged_by : ''));
  meta.appendChild(el('span', ' · ' + extra.join(' · ')));
  if (a.pending) meta.appendChild(el('span', ' · ' + T(a.command === 'failed' ? 'ui.failed' : 'ui.pending'),
    a.command === 'failed' ? 'failed' : 'pending'));
  r.appendChild(meta); return r;
}}
function kioskTile(k) {{
  const st = kioskState(k); const s = el('div', undefined, 'kiosk st-' + st);
  s.dataset.kiosk = k.kiosk; s.dataset.state = st; s.onclick = () => showDetail(k.kiosk);
  s.appendChild(el('h3', k.kiosk + ' · ' + bname(k.branch) + (place(k.kiosk) ? ' · ' + place(k.kiosk) : '')));
  let line = T('kst.' + st);
  if (k.state === 'offline') line += ' · ' + T('ui.since') + ' ' + clock(k.since || k.at) + ' · ' +
    T('why.' + (k.reason === 'shutdown' ? 'shutdown' : 'lost'));
  s.appendChild(el('div', line, 'state'));
  const chips = el('div', undefined, 'chips');
  if (k.state !== 'offline') for (const [name, fields] of Object.entries(k.devices)) {{
    const worst = Object.entries(fields).map(([f, v]) => level(f, v)).sort((a, b) =>
      ['ok', 'idle', 'warn', 'bad'].indexOf(b) - ['ok', 'idle', 'warn', 'bad'].indexOf(a))[0] || 'ok';
    const shown = (Object.entries(fields).find(([f, v]) => level(f, v) === worst) || [])[1];
    const c = el('span', T('dev.' + name) + ': ' + T('val.' + shown), worst);
    c.dataset.device = name; chips.appendChild(c);
  }}
  s.appendChild(chips); return s;
}}
const inView = k => (!branch || k.branch === branch) && (!region || regionOf(k.branch) === region);
const RANK = {{out: 0, offline: 1, degraded: 2, unknown: 3, ok: 4}};
function renderKiosks() {{
  const list = [...kiosks.values()].filter(inView).sort((a, b) =>
    RANK[kioskState(a)] - RANK[kioskState(b)] || (a.branch + a.kiosk).localeCompare(b.branch + b.kiosk));
  const box = document.getElementById('kiosks'); tiles.clear();
  box.replaceChildren(...list.slice(0, shown).map(k => {{ const t = kioskTile(k); tiles.set(k.kiosk, t); return t; }}));
  document.getElementById('more').hidden = list.length <= shown && total <= kiosks.size;
}}
function renderBranches() {{
  for (const k of kiosks.values()) known.add(k.branch);
  const sel = document.getElementById('branch');
  const codes = [...known].filter(c => !region || regionOf(c) === region).sort();
  sel.replaceChildren(el('option', T('ui.all')), ...codes.map(c => {{ const o = el('option', bname(c)); o.value = c; return o; }}));
  sel.firstChild.value = ''; sel.value = branch; sel.hidden = codes.length < 2 && !branch;
  const rs = document.getElementById('region'); const names = [...new Set(Object.values(PAGE.regions || {{}}))].sort();
  rs.replaceChildren(el('option', T('ui.allregions')), ...names.map(n => {{ const o = el('option', n); o.value = n; return o; }}));
  rs.firstChild.value = ''; rs.value = region; rs.hidden = names.length < 2;
}}
function showDetail(id) {{
  detail = id; const box = document.getElementById('detail'); const k = kiosks.get(id);
  if (!k) {{ box.hidden = true; return; }}
  const head = el('h2', k.kiosk + ' · ' + bname(k.branch)); const close = el('button', T('ui.close'));
  close.onclick = () => {{ detail = ''; box.hidden = true; }}; head.appendChild(close);
  const facts = el('table'); const row = (a, b) => {{ const r = el('tr'); r.appendChild(el('th', a)); r.appendChild(el('td', b)); facts.appendChild(r); }};
  if (place(k.kiosk)) row(T('ui.position'), place(k.kiosk));
  row(T('ui.kiosk'), T('kst.' + kioskState(k)) + (k.state === 'offline' ? ' · ' + T('ui.since') + ' ' + clock(k.since || k.at) : ''));
  if (k.version) row(T('ui.version'), k.version);
  if (k.config_digest) row(T('ui.config'), k.config_digest);
  if (k.offered && k.state === 'online') row(T('ui.offered'), k.offered.length ?
    k.offered.map(s => T('svc.' + s)).join('，') : T('svc.none'));
  if (k.started_at && k.state === 'online') row(T('ui.uptime'), age(k.started_at).replace(T('ui.ago'), '').trim());
  row(T('ui.heartbeat'), k.at ? age(k.at) : T('ui.noheartbeat'));
  for (const [name, fields] of Object.entries(k.devices)) row(T('dev.' + name),
    Object.entries(fields).map(([f, v]) => T('val.' + v)).join('，'));
  const recent = el('ul'); for (const a of history.filter(h => h.kiosk === id).slice(0, 5))
    recent.appendChild(el('li', clock(a.raised_at) + ' · ' + codeText(a)));
  box.replaceChildren(head, facts, ...remotePart(k), el('h2', T('ui.recent')), recent);
  box.hidden = false;
}}
function remotePart(k) {{
  const parts = []; const done = el('ul', undefined, 'actions');
  if (role !== 'auditor') {{
    const bar = el('div', undefined, 'remote');
    const button = (action, device, text) => {{ const b = el('button', text || T('rm.' + action), 'rm-' + action);
      b.dataset.device = device || ''; b.onclick = () => act('remote', k.kiosk, '', {{action: action, device: device || ''}});
      bar.appendChild(b); }};
    button(k.service === 'outOfService' ? 'in_service' : 'out_of_service');
    for (const name of Object.keys(k.devices)) button('self_test', name, T('rm.self_test') + ' · ' + T('dev.' + name));
    button('bundle'); parts.push(el('h2', T('ui.actions')), bar);
  }}
  for (const a of k.actions || []) {{
    const li = el('li', clock(a.sent_at) + ' · ' + T('rm.' + a.action) + (a.device ? ' · ' + T('dev.' + a.device) : '') + ' · ' + a.by + ' · ');
    li.dataset.action = a.action; li.dataset.state = a.state; li.dataset.actionId = a.action_id;
    li.appendChild(el('b', a.state === 'failed' && !a.result ? T('ui.noanswer') : T('rs.' + a.state),
      a.state === 'failed' ? 'failed' : a.state === 'done' ? '' : 'pending'));
    if (a.result && (a.action === 'self_test' || a.action === 'bundle')) li.appendChild(el('span', ' · ' + resultText(a), 'result'));
    done.appendChild(li);
  }}
  if (done.childNodes.length) {{ if (!parts.length) parts.push(el('h2', T('ui.actions'))); parts.push(done); }}
  return parts;
}}
// the kiosk's result in the staff member's language (kiosk.alerts.staff_text.result_text, on
// the server); the kiosk's English line otherwise
function resultText(a) {{ return (a.text && a.text[lang]) || a.result; }}
function renderSummary() {{
  const counts = {{ok: 0, degraded: 0, out: 0, offline: 0}}; const sev = {{critical: 0, fault: 0, warning: 0}};
  for (const k of kiosks.values()) {{ if (!inView(k)) continue; const st = kioskState(k); if (st in counts) counts[st]++;
    for (const a of k.alerts) if (a.severity in sev) sev[a.severity]++; }}
  counts.ok += Math.max(0, total - kiosks.size);   // not sent yet: healthy (views.py)
  const cells = [['ok', 'ui.inservice', counts.ok], ['degraded', 'ui.degraded', counts.degraded],
    ['out', 'ui.out', counts.out], ['offline', 'ui.offline', counts.offline],
    ['critical', 'sev.critical', sev.critical], ['fault', 'sev.fault', sev.fault],
    ['warning', 'sev.warning', sev.warning]];
  document.getElementById('summary').replaceChildren(...cells.map(([c, k, n]) => {{
    const d = el('div', undefined, 'n-' + c); d.id = 'sum-' + c;
    d.appendChild(el('b', String(n))); d.appendChild(el('span', T(k))); return d; }}));
}}
function renderAlerts() {{
  const list = [];
  for (const k of kiosks.values()) if (inView(k)) for (const a of k.alerts) list.push([k, a]);
  list.sort((x, y) => SEV[y[1].severity] - SEV[x[1].severity] || x[1].raised_at - y[1].raised_at);
  const box = document.getElementById('alerts'); const keep = new Set();
  list.forEach(([k, a]) => {{
    const sig = JSON.stringify([a.state, a.count, a.pending, a.command, a.acknowledged_by, lang]);
    let r = rows.get(a.alert_id);
    if (!r || r.sig !== sig) {{ const n = alertRow(k, a); if (r) r.node.replaceWith(n);
      r = {{node: n, sig: sig}}; rows.set(a.alert_id, r); }}
    keep.add(a.alert_id); box.appendChild(r.node);
  }});
  for (const [id, r] of rows) if (!keep.has(id)) {{ r.node.remove(); rows.delete(id); }}
  let empty = document.getElementById('noalerts');
  if (!list.length && !empty) {{ empty = el('p', T('ui.noalerts'), 'empty'); empty.id = 'noalerts'; box.appendChild(empty); }}
  if (list.length && empty) empty.remove();
  tickAges(); announce(list);
}}
function renderKiosk(k, before) {{
  const old = tiles.get(k.kiosk);
  if (old && old.dataset.state === kioskState(k)) {{ const t = kioskTile(k); old.replaceWith(t); tiles.set(k.kiosk, t); }}
  else if (old || (inView(k) && kioskState(k) !== 'ok') || !before) renderKiosks();
  if (detail === k.kiosk) showDetail(k.kiosk);
}}
function renderHistory() {{
  document.getElementById('history').replaceChildren(...history.slice(0, 50).map(a => {{
    const r = el('tr'); r.dataset.alertId = a.alert_id;
    [a.kiosk, codeText(a), clock(a.raised_at), clock(a.resolved_at),
     [a.acknowledged_by, a.data && a.data.resolved_by, a.data && a.data.reason]
       .filter(Boolean).join(' → ')].forEach(v => r.appendChild(el('td', v)));
    return r; }}));
}}
function renderBroker() {{
  const lost = !broker.connected || !streamUp;
  document.getElementById('banner').classList.toggle('show', !broker.connected);
  document.getElementById('live').textContent = lost ? T('ui.reconnecting') : T('ui.live');
}}
function beep() {{
  try {{ const c = new (window.AudioContext || window.webkitAudioContext)(); const o = c.createOscillator();
    o.frequency.value = 880; o.connect(c.destination); o.start(); o.stop(c.currentTime + 0.4);
    window.__beeps = (window.__beeps || 0) + 1; }} catch (e) {{}}
}}
function announce(list) {{
  const critical = list.filter(([k, a]) => a.severity === 'critical' && a.state === 'raised');
  for (const [k, a] of critical) if (!announced.has(a.alert_id)) {{
    announced.add(a.alert_id); beep();
    try {{ if ('Notification' in window && Notification.permission === 'granted')
      new Notification(T('sev.critical') + ' · ' + k.kiosk, {{body: codeText(a), tag: a.alert_id}}); }} catch (e) {{}}
  }}
  document.title = (critical.length ? '(' + critical.length + ') ⚠ ' : '') + T('ui.title');
}}
function tickAges() {{
  const within = PAGE.ack_within_s || 0;
  for (const m of document.querySelectorAll('#alerts .meta')) {{
    const late = within > 0 && m.dataset.waiting && now() - m.dataset.raised > within;
    m.firstChild.textContent = age(+m.dataset.raised) + (late ? ' · ' + T('ui.overdue') : '');
    m.parentNode.classList.toggle('overdue', !!late);
  }}
}}
function applyLang() {{
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = T(e.dataset.t);
  document.getElementById('lang').textContent = lang === 'zh' ? 'English' : '中文';
  rows.clear(); document.getElementById('alerts').replaceChildren();
  document.getElementById('kiosks').replaceChildren(); tiles.clear();
  renderAll();
}}
function renderAll() {{
  renderBranches(); renderSummary(); renderAlerts(); renderKiosks(); renderHistory(); renderBroker();
  if (detail) showDetail(detail);
}}
// the server filters what it sends by branch and region: a new choice is a new stream
document.getElementById('branch').onchange = e => {{ branch = e.target.value; refollow(); }};
document.getElementById('region').onchange = e => {{ region = e.target.value; branch = ''; refollow(); }};
function refollow() {{ shown = 60; kiosks.clear(); rows.clear(); detail = '';
  document.getElementById('detail').hidden = true;
  document.getElementById('alerts').replaceChildren(); renderAll(); follow(); }}
// healthy kiosks come a page at a time from the server; those needing attention always
document.getElementById('more').onclick = () => {{ shown += 120;
  if (total > kiosks.size) follow(); else renderKiosks(); }};
document.getElementById('lang').onclick = () => {{ lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('lang', lang); applyLang(); }};
document.addEventListener('click', () => {{ if ('Notification' in window && Notification.permission === 'default')
  Notification.requestPermission(); }}, {{once: true}});
function follow() {{
  if (stream) stream.close();
  const q = new URLSearchParams({{limit: shown}}); if (branch) q.set('branch', branch); if (region) q.set('region', region);
  const es = stream = new EventSource('/api/events' + (q.toString() ? '?' + q : ''));
  es.addEventListener('snapshot', e => {{ const s = JSON.parse(e.data); streamUp = true;
    kiosks.clear(); for (const k of s.kiosks) kiosks.set(k.kiosk, k); total = s.total || s.kiosks.length;
    history = s.history; broker = s.broker; applyLang(); firstLoad = false; }});
  es.addEventListener('delta', e => {{ const d = JSON.parse(e.data); streamUp = true;
    for (const k of d.kiosks) {{ const before = kiosks.get(k.kiosk); kiosks.set(k.kiosk, k);
      if (!before) renderBranches(); renderKiosk(k, before); }}
    for (const id of d.gone) {{ kiosks.delete(id); const t = tiles.get(id); if (t) t.remove(); tiles.delete(id); }}
    if (d.history.length) {{ history = d.history.concat(history).slice(0, 200); renderHistory(); }}
    broker = d.broker; renderSummary(); renderAlerts(); renderBroker(); }});
  es.onerror = async () => {{ streamUp = false; renderBroker();
    const r = await fetch('/api/state', {{credentials: 'same-origin'}}).catch(() => null);
    if (r && r.status === 401) {{ es.close(); location = '/login'; }} }};
}}
document.getElementById('reports').hidden = !PAGE.reports;
applyLang(); follow(); setInterval(tickAges, 1000);
</script></body></html>"""


def pick_language(accept_language: str, chosen: str = "") -> str:
    if chosen in _TEXT:
        return chosen
    first = (accept_language or "zh").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh"


def login_page(csrf: str, error: str = "", lang: str = "zh") -> str:
    text = _TEXT[lang]
    shown = f'<p class="error" id="error">{html.escape(text[error])}</p>' if error else ""
    words = {k: html.escape(v) for k, v in text.items() if k != "lang"}
    return _LOGIN.format(style=_STYLE, error=shown, csrf=html.escape(csrf),
                         lang="zh-CN" if lang == "zh" else "en", **words)


def _script_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _words() -> dict[str, dict[str, str]]:
    """The console's words with the catalogs' staff texts of the operator signals."""
    return {lang: {**words, **staff_words(lang)} for lang, words in _WORDS.items()}


def console_page(user: str, role: str, csrf: str, nonce: str,
                 page_info: dict[str, Any] | None = None) -> str:
    return _CONSOLE.format(style=_STYLE, user=html.escape(user), role=html.escape(role),
                           csrf=html.escape(csrf), nonce=nonce, words=_script_json(_words()),
                           page_info=_script_json(page_info or {}),
                           levels=_script_json(console_levels()))
