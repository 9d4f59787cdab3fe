// WhatsApp Auto dashboard: small progressive enhancements, no build step.
"use strict";

document.addEventListener("submit", function (ev) {
  var f = ev.target;
  var btn = ev.submitter;
  var msg = (btn && btn.dataset.confirm) || f.dataset.confirm;
  if (msg && !window.confirm(msg)) ev.preventDefault();
});

function selectAll() {
  var all = document.getElementById("all");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll('#bulk input[name="name"], input[name="name"][form="bulk"]').forEach(function (c) { c.checked = all.checked; });
  });
}

// Editor: clicking an error position moves the caret there.
function editorErrors() {
  var ta = document.getElementById("yaml");
  if (!ta) return;
  document.querySelectorAll("[data-line]").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var line = +a.dataset.line, col = +a.dataset.col || 1;
      var lines = ta.value.split("\n"), pos = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
      pos += col - 1;
      ta.focus();
      ta.setSelectionRange(pos, pos + 1);
      var lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
      ta.scrollTop = Math.max(0, (line - 5) * lh);
    });
  });
  var first = document.querySelector("[data-line]");
  if (first) first.click();
}

// Link page: show the current QR code with its countdown until the number
// is connected, then go back to the numbers with its status.
function qrRefresh() {
  var box = document.getElementById("qr");
  if (!box) return;
  var id = box.dataset.id, img = document.getElementById("qr-img"), state = document.getElementById("qr-state");
  var countdown = document.getElementById("qr-countdown");
  var seq = -1, left = 0, failures = 0;
  img.addEventListener("error", function () { img.hidden = true; });
  setInterval(function () {
    if (left > 0) left--;
    if (img.hidden) { countdown.hidden = true; return; }
    countdown.hidden = false;
    countdown.textContent = left > 0 ? left + " s" : box.dataset.expired;
  }, 1000);
  function tick() {
    fetch("/numbers/" + encodeURIComponent(id) + "/link/status", { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) {
        failures = 0;
        state.classList.remove("error");
        if (s.connected) {
          window.location = "/numbers?msg=" + encodeURIComponent(box.dataset.connected);
          return;
        }
        if (s.qr) {
          if (s.seq !== seq) {
            seq = s.seq;
            img.src = "/numbers/" + encodeURIComponent(id) + "/qr.png?seq=" + s.seq;
          }
          left = s.expires_in;
          img.hidden = false;
          state.textContent = box.dataset.scan;
        } else {
          img.hidden = true;
          state.textContent = s.ended ? box.dataset.ended : box.dataset.waiting;
          if (s.ended) state.classList.add("error");
        }
        setTimeout(tick, 2000);
      })
      .catch(function () {
        if (++failures > 2) { state.textContent = box.dataset.unreachable; state.classList.add("error"); }
        setTimeout(tick, 5000);
      });
  }
  tick();
}

// Simulator: send as a customer, show replies as they come.
function simulator() {
  var form = document.getElementById("sim");
  if (!form) return;
  var chat = document.getElementById("chat"), why = document.getElementById("why");
  var last = 0, since = "", seen = {};
  function show(msgs) {
    msgs.forEach(function (m) {
      if (m.seq <= last) return;
      last = m.seq;
      var li = document.createElement("li");
      li.className = m.bot ? "automation" : "customer";
      var meta = document.createElement("small");
      meta.textContent = m.bot ? (chat.dataset.reply + (m.workflow ? " · " + m.workflow : "") + (m.kind ? " (" + m.kind + ")" : "")) : m.phone;
      var body = document.createElement("div");
      body.className = "text";
      body.textContent = m.text;
      li.appendChild(meta);
      li.appendChild(body);
      chat.appendChild(li);
    });
    chat.scrollTop = chat.scrollHeight;
  }
  function poll() {
    fetch("/simulator/messages?after=" + last + "&since=" + encodeURIComponent(since), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (d) { show(d.messages || []); addExecs(d.executions || []); })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 1500); });
  }
  // addExecs adds executions logged later (AI replies) to the why panel.
  function addExecs(execs) {
    execs.forEach(function (e) {
      if (seen[e.ID]) return;
      seen[e.ID] = true;
      if (e.ID > since) since = e.ID;
      why.appendChild(execBox(e));
    });
  }
  function execBox(e) {
    var d = document.createElement("div");
    d.className = "exec";
    var h = document.createElement("strong");
    h.textContent = e.Workflow + " — " + e.OutcomeText;
    var r = document.createElement("div");
    r.className = "muted";
    r.textContent = e.Reason;
    var t = document.createElement("pre");
    t.textContent = e.Trace || why.dataset.noconds;
    d.appendChild(h); d.appendChild(r);
    if (e.AIFailed) {
      var f = document.createElement("p");
      f.className = "error ai-failed";
      f.textContent = e.AIFailed;
      d.appendChild(f);
      var fb = document.createElement("p");
      fb.className = "fallback";
      fb.textContent = why.dataset.fallback + " " + (e.Fallback || []).join("; ");
      d.appendChild(fb);
    } else {
      d.appendChild(t);
    }
    return d;
  }
  function explain(execs) {
    why.textContent = "";
    if (!execs.length) {
      var p = document.createElement("p");
      p.className = "muted";
      p.textContent = why.dataset.none;
      why.appendChild(p);
      return;
    }
    addExecs(execs);
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = document.getElementById("sim-text");
    var body = new URLSearchParams(new FormData(form));
    fetch("/simulator/send", { method: "POST", body: body, headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.error) { why.textContent = d.error; return; }
        show(d.messages || []);
        explain(d.executions || []);
        text.value = "";
        text.focus();
      });
  });
  poll();
}

document.addEventListener("DOMContentLoaded", function () {
  selectAll();
  editorErrors();
  qrRefresh();
  simulator();
});
