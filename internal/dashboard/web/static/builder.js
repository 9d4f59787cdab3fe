// WhatsApp Auto: the visual workflow builder and the list's switches.
// The form state is the workflow in the file format, as JSON: render()
// builds the form from it, read() builds it back and tags every input with
// the path of its value ("conditions.all[1].schedule.from"), which is also
// the path of the loader's errors. No build step.
"use strict";

var WB = (function () {
  var cat = null, admin = false;
  var DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  var DAY_ORDER = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]; // read order, as the engine numbers them
  // Texts are keys of the catalogues (web/i18n), given by the page in the
  // user's language: T(key, args...) formats one.
  var DAY_LABEL = { mon: "builder.day.mon", tue: "builder.day.tue", wed: "builder.day.wed", thu: "builder.day.thu", fri: "builder.day.fri", sat: "builder.day.sat", sun: "builder.day.sun" };
  var GROUPS = ["all", "any", "not"];
  var GROUP_LABEL = { all: "builder.group.all", any: "builder.group.any", not: "builder.group.not" };
  var LEAF_LABEL = {
    text: "builder.leaf.text", phone: "builder.leaf.phone", agent: "builder.leaf.agent", message_type: "builder.leaf.message_type",
    message_count: "builder.leaf.message_count", since_last_reply: "builder.leaf.since_last_reply",
    labels: "builder.leaf.labels", length: "builder.leaf.length", schedule: "builder.leaf.schedule", cel: "builder.leaf.cel", expr: "builder.leaf.expr"
  };
  var LIST_OPS = { contains_any: 1, contains_all: 1, in: 1, not_in: 1, has_any: 1, has_all: 1, has_none: 1 };

  // ---- texts
  var TEXTS = {};
  // T is the text of key in the user's language, its fmt verbs (%d, %s,
  // %q, %v) replaced by args in order.
  function T(key) {
    var args = Array.prototype.slice.call(arguments, 1), i = 0;
    var s = TEXTS[key] === undefined ? key : TEXTS[key];
    return s.replace(/%[-+# 0]*[0-9]*(?:\.[0-9]+)?([a-zA-Z%])/g, function (m, verb) {
      if (verb === "%") return "%";
      var a = args[i++];
      return verb === "q" ? "\"" + a + "\"" : String(a);
    });
  }

  // ---- small DOM helpers
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "cls") e.className = v;
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), v);
      else if (k === "value") e.value = v;
      else if (k === "checked") e.checked = !!v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    (kids || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function labelled(text, input, cls) { return el("label", { cls: cls }, [text + " ", input]); }
  function select(options, value, attrs) {
    var s = el("select", attrs);
    options.forEach(function (o) {
      var v = typeof o === "string" ? o : o[0], t = typeof o === "string" ? o : o[1];
      s.appendChild(el("option", { value: v, text: t }));
    });
    s.value = value === undefined || value === null ? "" : String(value);
    if (s.value !== String(value === undefined || value === null ? "" : value)) {
      s.appendChild(el("option", { value: String(value), text: String(value) }));
      s.value = String(value);
    }
    return s;
  }
  function check(text, on, attrs) {
    var i = el("input", Object.assign({ type: "checkbox" }, attrs || {}));
    i.checked = !!on;
    return el("label", { cls: "check" }, [i, " " + text]);
  }
  function textarea(value, attrs) {
    var t = el("textarea", Object.assign({ rows: 1, spellcheck: "false" }, attrs || {}));
    t.value = value === undefined || value === null ? "" : value;
    return t;
  }
  function listArea(values, attrs) {
    var t = textarea((values || []).join("\n"), Object.assign({ rows: Math.max(2, (values || []).length), cls: "list-input", placeholder: T("builder.one_per_line") }, attrs || {}));
    return t;
  }
  function readList(t) {
    var v = t.value;
    if (v === "") return [];
    return v.split("\n");
  }
  function datalist(id, values) {
    if (document.getElementById(id)) return;
    var d = el("datalist", { id: id });
    (values || []).forEach(function (v) { d.appendChild(el("option", { value: v })); });
    document.body.appendChild(d);
  }
  function key1(o) { for (var k in o) return k; return ""; }
  function isObj(v) { return v && typeof v === "object" && !Array.isArray(v); }

  // ---- conditions: render
  function defaultLeaf(type) {
    switch (type) {
      case "text": return { text: { contains: "" } };
      case "phone": return { phone: { equals: "" } };
      case "agent": return { agent: { assigned: false } };
      case "message_type": return { message_type: { is: "text" } };
      case "message_count": return { message_count: { gt: 1 } };
      case "since_last_reply": return { since_last_reply: { gt: "1h" } };
      case "labels": return { labels: { has: "" } };
      case "length": return { length: { gt: 0 } };
      case "schedule": return { schedule: { days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "18:00" } };
      default: return (function () { var o = {}; o[type] = ""; return o; })();
    }
  }
  function defaultOperand(type, op) {
    if (LIST_OPS[op]) return [];
    if (type === "text") return op === "empty" ? true : "";
    if (type === "agent") return op === "assigned" ? false : "";
    if (type === "message_type") return "text";
    if (type === "message_count" || type === "length") return 1;
    if (type === "since_last_reply") return "1h";
    return "";
  }

  function renderNode(node, root) {
    var k = key1(node);
    if (GROUPS.indexOf(k) >= 0) return renderGroup(k, node[k], root);
    return renderLeaf(k, node[k], root);
  }

  function renderGroup(kind, body, root) {
    var box = el("div", { cls: "group g-" + kind, "data-kind": "group" });
    var sel = select(GROUPS.map(function (g) { return [g, T(GROUP_LABEL[g])]; }), kind, { cls: "group-kind", "aria-label": T("builder.aria.group_kind") });
    var kids = el("div", { cls: "kids" });
    var head = el("div", { cls: "group-head" }, [sel]);
    var add = el("div", { cls: "group-add" }, [
      el("button", { type: "button", cls: "small", text: T("builder.add_condition"), onclick: function () { kids.appendChild(renderNode(defaultLeaf("text"))); afterKids(); } }),
      el("button", { type: "button", cls: "small", text: T("builder.add_group"), onclick: function () { kids.appendChild(renderNode({ any: [] })); afterKids(); } })
    ]);
    head.appendChild(el("button", { type: "button", cls: "small danger remove", title: T("builder.remove_group"), text: "✕", "aria-label": T("builder.remove_group"), onclick: function () { removeNode(box); } }));
    box.appendChild(head);
    box.appendChild(kids);
    box.appendChild(add);
    function afterKids() {
      // NOT holds exactly one node.
      add.hidden = sel.value === "not" && parts(kids).length >= 1;
    }
    if (kind === "not") {
      if (body) kids.appendChild(renderNode(body));
    } else {
      (body || []).forEach(function (c) { kids.appendChild(renderNode(c)); });
    }
    afterKids();
    sel.addEventListener("change", function () {
      var now = sel.value;
      box.className = "group g-" + now;
      if (now === "not" && parts(kids).length !== 1) {
        // NOT of several: keep them in one group inside.
        var inner = renderGroup("all", [], false);
        var innerKids = inner.querySelector(".kids");
        while (kids.firstChild) innerKids.appendChild(kids.firstChild);
        kids.appendChild(inner);
      }
      afterKids();
    });
    box._afterKids = afterKids;
    return box;
  }

  function removeNode(n) {
    var parent = n.parentNode;
    n.remove();
    var g = parent && parent.closest(".group");
    if (g && g._afterKids) g._afterKids();
    if (parent && parent.id === "cond-root") renderConditions(null);
  }

  function renderLeaf(type, body, root) {
    var row = el("div", { cls: "leaf", "data-kind": "leaf" });
    var types = cat.conditions.filter(function (t) { return GROUPS.indexOf(t) < 0; });
    var tsel = select(types.map(function (t) { return [t, LEAF_LABEL[t] ? T(LEAF_LABEL[t]) : t]; }), type, { cls: "leaf-type", "aria-label": T("builder.aria.condition") });
    var slot = el("div", { cls: "leaf-body" });
    tsel.addEventListener("change", function () {
      var fresh = defaultLeaf(tsel.value);
      slot.textContent = "";
      fillLeaf(slot, tsel.value, fresh[tsel.value]);
    });
    row.appendChild(el("div", { cls: "leaf-head" }, [tsel,
      el("button", { type: "button", cls: "small", text: T("builder.not"), title: T("builder.negate"), onclick: function () {
        var g = renderGroup("not", null, false);
        row.replaceWith(g);
        g.querySelector(".kids").appendChild(row);
        g._afterKids();
      } }),
      el("button", { type: "button", cls: "small danger remove", text: "✕", title: T("builder.remove_condition"), "aria-label": T("builder.remove_condition"), onclick: function () { removeNode(row); } })
    ]));
    row.appendChild(slot);
    fillLeaf(slot, type, body);
    return row;
  }

  function fillLeaf(slot, type, body) {
    slot.dataset.type = type;
    if (type === "cel" || type === "expr") {
      slot.appendChild(textarea(body, { cls: "raw", "data-f": "raw", rows: 2, "aria-label": T("builder.aria.expression", type) }));
      return;
    }
    if (type === "schedule") return fillSchedule(slot, body || {});
    body = body || {};
    var ops = cat.operators[type] || [];
    var op = ops.filter(function (o) { return o in body; })[0] || ops[0];
    var osel = select(ops, op, { cls: "leaf-op", "aria-label": T("builder.aria.operator") });
    var val = el("span", { cls: "leaf-val" });
    slot.appendChild(osel);
    slot.appendChild(val);
    function fillVal(op, v) {
      val.textContent = "";
      val.appendChild(operand(type, op, v));
    }
    fillVal(op, body[op]);
    osel.addEventListener("change", function () {
      var was = readOperand(val), wasList = Array.isArray(was), nowList = !!LIST_OPS[osel.value];
      var v = defaultOperand(type, osel.value);
      if (typeof was === typeof v && wasList === nowList) v = was;
      else if (wasList && !nowList && was.length && typeof v === "string") v = was[0];
      else if (!wasList && nowList && typeof was === "string" && was) v = [was];
      fillVal(osel.value, v);
    });
    if (type === "text") {
      slot.appendChild(check(T("builder.exact"), body.exact, { "data-f": "exact" }));
      slot.appendChild(check(T("builder.word"), body.word, { "data-f": "word" }));
    }
  }

  // operand builds the input of one operator's value.
  function operand(type, op, v) {
    var list = !!LIST_OPS[op];
    var w = el("span", { cls: "operand", "data-op": op });
    if (type === "text" && op === "empty") {
      w.appendChild(select([["true", T("builder.is_empty")], ["false", T("builder.is_not_empty")]], String(v !== false), { "data-v": "bool", "aria-label": T("builder.aria.empty") }));
    } else if (type === "agent" && op === "assigned") {
      w.appendChild(select([["true", T("builder.yes")], ["false", T("builder.no")]], String(!!v), { "data-v": "bool", "aria-label": T("builder.aria.assigned") }));
    } else if (type === "message_type" && !list) {
      w.appendChild(select(cat.messageTypes, v, { "data-v": "str", "aria-label": T("builder.aria.type") }));
    } else if (type === "message_type") {
      var box = el("span", { cls: "checks", "data-v": "types" });
      cat.messageTypes.forEach(function (t) { box.appendChild(check(t, (v || []).indexOf(t) >= 0, { value: t })); });
      w.appendChild(box);
    } else if (type === "message_count" || type === "length") {
      w.appendChild(el("input", { type: "number", value: v === undefined ? 0 : v, "data-v": "int", cls: "num", "aria-label": T("builder.aria.number") }));
    } else if (list) {
      var ta = listArea(v, { "data-v": "list", "aria-label": T("builder.aria.values") });
      w.appendChild(ta);
      var pick = type === "labels" ? cat.labels : type === "agent" ? cat.agents : null;
      if (pick && pick.length) w.appendChild(chips(pick, ta));
    } else if (type === "text") {
      var t = textarea(v, { "data-v": "str", cls: "grow-input", "aria-label": T("builder.aria.text") });
      w.appendChild(t);
      if (op === "matches") {
        t.classList.add("regex");
        t.addEventListener("input", function () { liveRegex(t); });
      }
    } else {
      var attrs = { "data-v": "str", "aria-label": T("builder.aria.value") };
      if (type === "labels") attrs.list = "dl-labels";
      if (type === "agent") attrs.list = "dl-agents";
      if (type === "since_last_reply") { attrs.placeholder = T("builder.eg_since"); attrs.size = 8; }
      if (type === "phone") attrs.placeholder = "+33611111111";
      w.appendChild(el("input", Object.assign({ value: v === undefined ? "" : v }, attrs)));
    }
    return w;
  }

  function chips(values, ta) {
    var c = el("span", { cls: "chips" });
    values.forEach(function (v) {
      c.appendChild(el("button", { type: "button", cls: "chip", text: "+ " + v, onclick: function () {
        var cur = readList(ta);
        if (cur.indexOf(v) < 0) { cur.push(v); ta.value = cur.join("\n"); ta.rows = Math.max(2, cur.length); }
      } }));
    });
    return c;
  }

  function readOperand(val) {
    var i = val.querySelector("[data-v]");
    if (!i) return "";
    switch (i.dataset.v) {
      case "bool": return i.value === "true";
      case "int": return i.value === "" ? 0 : Number(i.value);
      case "list": return readList(i);
      case "types": return Array.prototype.filter.call(i.querySelectorAll("input"), function (c) { return c.checked; }).map(function (c) { return c.value; });
      default: return i.value;
    }
  }

  function fillSchedule(slot, body) {
    var byHours = "hours" in body;
    var mode = select([["times", T("builder.sched.times")], ["hours", T("builder.sched.hours")]], byHours ? "hours" : "times", { cls: "sched-mode", "aria-label": T("builder.aria.sched_kind") });
    var times = el("div", { cls: "sched-times" });
    var days = el("span", { cls: "checks days", "data-f": "days" });
    var given = body.days;
    DAYS.forEach(function (d) { days.appendChild(check(T(DAY_LABEL[d]), given ? given.indexOf(d) >= 0 : false, { value: d })); });
    times.appendChild(days);
    times.appendChild(el("span", { cls: "muted small-note", text: T("builder.sched.every_day") }));
    times.appendChild(el("div", { cls: "row" }, [
      labelled(T("builder.sched.from"), el("input", { type: "time", value: body.from || "09:00", "data-f": "from" })),
      labelled(T("builder.sched.to"), el("input", { type: "time", value: body.to || "18:00", "data-f": "to" })),
      labelled(T("builder.sched.zone"), el("input", { value: body.timezone || "", "data-f": "timezone", list: "dl-zones", placeholder: T("builder.sched.zone_shop", cat.timeZone), size: 16 }))
    ]));
    var hours = el("div", { cls: "sched-hours" });
    var names = cat.hours.length ? cat.hours : [];
    hours.appendChild(names.length || body.hours ? select(names, body.hours || names[0], { "data-f": "hours", "aria-label": T("builder.sched.hours") })
      : el("span", { cls: "muted", text: T("builder.sched.no_hours") }));
    function show() { times.hidden = mode.value !== "times"; hours.hidden = mode.value !== "hours"; }
    mode.addEventListener("change", show);
    show();
    slot.appendChild(mode);
    slot.appendChild(times);
    slot.appendChild(hours);
  }

  // ---- conditions: read (and tag paths)
  // parts lists the nodes or actions of a container, not the error
  // messages shown between them.
  function parts(c) {
    return Array.prototype.filter.call(c.children, function (e) { return !!e.dataset.kind; });
  }

  function tag(e, path) { if (e) e.dataset.path = path; }

  function readNode(n, path) {
    if (n.dataset.kind === "group") {
      var kind = n.querySelector(":scope > .group-head > .group-kind").value;
      tag(n.querySelector(":scope > .group-head > .group-kind"), path);
      tag(n, path);
      var kids = parts(n.querySelector(":scope > .kids"));
      var o = {};
      if (kind === "not") {
        o.not = kids.length ? readNode(kids[0], path + ".not") : null;
      } else {
        o[kind] = kids.map(function (k, i) { return readNode(k, path + "." + kind + "[" + i + "]"); });
      }
      return o;
    }
    return readLeaf(n, path);
  }

  function readLeaf(row, path) {
    var slot = row.querySelector(".leaf-body"), type = slot.dataset.type, p = path + "." + type;
    tag(row, path);
    tag(row.querySelector(".leaf-type"), p);
    var o = {};
    if (type === "cel" || type === "expr") {
      var raw = slot.querySelector("[data-f=raw]");
      tag(raw, p);
      o[type] = raw.value;
      return o;
    }
    if (type === "schedule") {
      var s = {};
      if (slot.querySelector(".sched-mode").value === "hours") {
        var h = slot.querySelector("[data-f=hours]");
        tag(h, p + ".hours");
        s.hours = h ? h.value : "";
      } else {
        var days = slot.querySelector("[data-f=days]");
        tag(days, p + ".days");
        var ticked = Array.prototype.filter.call(days.querySelectorAll("input"), function (c) { return c.checked; }).map(function (c) { return c.value; });
        if (ticked.length) s.days = DAY_ORDER.filter(function (d) { return ticked.indexOf(d) >= 0; });
        ["from", "to", "timezone"].forEach(function (f) {
          var i = slot.querySelector("[data-f=" + f + "]");
          tag(i, p + "." + f);
          if (f !== "timezone" || i.value !== "") s[f] = i.value;
        });
      }
      o.schedule = s;
      return o;
    }
    var osel = slot.querySelector(".leaf-op"), op = osel.value, body = {};
    tag(osel, p);
    var val = slot.querySelector(".leaf-val");
    tag(val.querySelector("[data-v]"), p + "." + op);
    body[op] = readOperand(val);
    if (type === "text") {
      ["exact", "word"].forEach(function (f) {
        var c = slot.querySelector("[data-f=" + f + "]");
        tag(c, p + "." + f);
        if (c.checked) body[f] = true;
      });
    }
    o[type] = body;
    return o;
  }

  // ---- actions
  function actionInfo(name) {
    for (var i = 0; i < cat.actions.length; i++) if (cat.actions[i].name === name) return cat.actions[i];
    return { name: name, fields: [], custom: true };
  }
  function actionChoices(current) {
    return cat.actions.filter(function (a) { return !a.admin || admin || a.name === current; }).map(function (a) {
      return [a.name, a.name + (a.custom ? " " + T("builder.action.custom") : "") + (a.admin ? " " + T("builder.action.admins") : "")];
    });
  }
  function defaultAction(name) {
    var o = {};
    switch (name) {
      case "reply": o.reply = { text: "" }; break;
      case "assign": o.assign = { agent: "" }; break;
      case "label": o.label = { add: [] }; break;
      case "webhook": o.webhook = { url: "" }; break;
      default: o[name] = {};
    }
    return o;
  }

  function renderAction(a) {
    var name = key1(a), body = a[name] || {};
    var card = el("div", { cls: "action card", "data-kind": "action" });
    var tsel = select(actionChoices(name), name, { cls: "action-type", "aria-label": T("builder.aria.action") });
    var slot = el("div", { cls: "action-body" });
    tsel.addEventListener("change", function () {
      slot.textContent = "";
      fillAction(slot, tsel.value, defaultAction(tsel.value)[tsel.value]);
    });
    card.appendChild(el("div", { cls: "action-head" }, [
      el("span", { cls: "step" }), tsel,
      el("button", { type: "button", cls: "small", text: "▲", title: T("builder.move_up"), "aria-label": T("builder.move_up_long"), onclick: function () { if (card.previousElementSibling) card.parentNode.insertBefore(card, card.previousElementSibling); numberSteps(); } }),
      el("button", { type: "button", cls: "small", text: "▼", title: T("builder.move_down"), "aria-label": T("builder.move_down_long"), onclick: function () { if (card.nextElementSibling) card.parentNode.insertBefore(card.nextElementSibling, card); numberSteps(); } }),
      el("button", { type: "button", cls: "small danger remove", text: "✕", title: T("builder.remove_action"), "aria-label": T("builder.remove_action"), onclick: function () { card.remove(); numberSteps(); } })
    ]));
    card.appendChild(slot);
    fillAction(slot, name, body);
    return card;
  }

  function numberSteps() {
    document.querySelectorAll("#actions > .action .step").forEach(function (s, i) { s.textContent = (i + 1) + "."; });
  }

  function fillAction(slot, name, body) {
    slot.dataset.type = name;
    var info = actionInfo(name);
    if (info.admin && !admin) slot.appendChild(el("p", { cls: "error", text: T("builder.webhook_admin") }));
    if (name === "assign") return fillAssign(slot, body || {});
    var fields = info.fields || [];
    var main = el("div", { cls: "fields" }), more = el("div", { cls: "fields" });
    fields.forEach(function (f) {
      var adv = name === "ai_reply" && ["prefix", "helpers", "history", "debounce", "max_wait"].indexOf(f.name) >= 0;
      (adv ? more : main).appendChild(fieldInput(name, f, body[f.name], f.name in (body || {})));
    });
    slot.appendChild(main);
    if (more.children.length) {
      var det = el("details", { cls: "more" }, [el("summary", { text: T("builder.more_options") }), more]);
      fields.some(function (f) { return more.querySelector("[data-field='" + f.name + "']") && f.name in (body || {}); }) && det.setAttribute("open", "");
      slot.appendChild(det);
    }
    if (name === "reply" || name === "ai_reply") {
      var ta = slot.querySelector("[data-field=" + (name === "reply" ? "text" : "prompt") + "] textarea");
      if (ta) placeholders(ta, name === "reply");
    }
  }

  var FIELD_LABEL = {
    text: "builder.field.text", translate: "builder.field.translate", prompt: "builder.field.prompt",
    prefix: "builder.field.prefix", helpers: "builder.field.helpers", history: "builder.field.history",
    verify_before_send: "builder.field.verify_before_send", customer_message: "builder.field.customer_message",
    agent_reply: "builder.field.agent_reply", debounce: "builder.field.debounce", max_wait: "builder.field.max_wait",
    conditions: "builder.field.conditions", delay: "builder.field.delay",
    add: "builder.field.add", remove: "builder.field.remove", url: "builder.field.url", secret: "builder.field.secret"
  };

  function fieldInput(action, f, v, present) {
    var label = FIELD_LABEL[f.name] ? T(FIELD_LABEL[f.name]) : f.name;
    var w = el("div", { cls: "field", "data-field": f.name, "data-kind": f.kind, "data-required": f.required ? "1" : null, "data-present": present ? "1" : null });
    var input;
    switch (f.kind) {
      case "bool":
        w.appendChild(check(label, v, { "data-in": "1" }));
        return w;
      case "int":
        input = el("input", { type: "number", value: v === undefined ? "" : v, cls: "num" });
        break;
      case "optint":
        input = el("input", { type: "number", value: v === undefined || v === null ? "" : v, cls: "num", placeholder: T("builder.default") });
        break;
      case "optbool":
        input = select([["", T("builder.default_on")], ["true", T("builder.yes")], ["false", T("builder.no")]], v === undefined || v === null ? "" : String(v));
        break;
      case "strings":
        input = listArea(Array.isArray(v) ? v : v ? [v] : []);
        break;
      case "object":
        w.appendChild(el("div", { cls: "sub-title", text: label }));
        var sub = el("div", { cls: "sub-fields" });
        (f.fields || []).forEach(function (sf) { sub.appendChild(fieldInput(action, sf, (v || {})[sf.name], v && sf.name in v)); });
        w.appendChild(sub);
        return w;
      default:
        if ((action === "reply" && f.name === "text") || (action === "ai_reply" && f.name === "prompt")) {
          input = textarea(v, { rows: 3 });
        } else {
          input = el("input", { value: v === undefined || v === null ? "" : v, size: f.kind === "duration" ? 8 : 30, placeholder: f.kind === "duration" ? T("builder.eg_duration") : null });
        }
    }
    input.dataset.in = "1";
    w.appendChild(labelled(label, input));
    if (f.name === "add" || f.name === "remove") {
      if (cat.labels.length) w.appendChild(chips(cat.labels, input));
    }
    return w;
  }

  function readField(w, path) {
    var kind = w.dataset.kind, required = !!w.dataset.required;
    if (kind === "object") {
      tag(w, path);
      var o = {}, any = false;
      w.querySelectorAll(":scope > .sub-fields > .field").forEach(function (sw) {
        var r = readField(sw, path + "." + sw.dataset.field);
        if (r.set) { o[sw.dataset.field] = r.value; any = true; }
      });
      return { set: any || required || !!w.dataset.present, value: o };
    }
    var i = w.querySelector("[data-in]");
    tag(i, path);
    switch (kind) {
      case "bool": return { set: i.checked || required, value: i.checked };
      case "int": return { set: i.value !== "" && (Number(i.value) !== 0 || required), value: Number(i.value || 0) };
      case "optint": return { set: i.value !== "", value: Number(i.value) };
      case "optbool": return { set: i.value !== "", value: i.value === "true" };
      case "strings": var l = readList(i); return { set: l.length > 0 || required, value: l };
      default: return { set: i.value !== "" || required, value: i.value };
    }
  }

  function fillAssign(slot, body) {
    var mode = body.agents ? (body.strategy === "least_busy" ? "least_busy" : "round_robin") : "agent";
    var msel = select([["agent", T("builder.assign.agent")], ["round_robin", T("builder.assign.round_robin")], ["least_busy", T("builder.assign.least_busy")]], mode, { cls: "assign-mode", "aria-label": T("builder.assign.to") });
    var one = el("input", { value: body.agent || "", list: "dl-agents", "data-f": "agent", placeholder: T("builder.assign.placeholder") });
    var many = listArea(body.agents || [], { "data-f": "agents" });
    var oneBox = labelled(T("builder.assign.one"), one), manyBox = el("div", {}, [labelled(T("builder.assign.many"), many), cat.agents.length ? chips(cat.agents, many) : null]);
    function show() { oneBox.hidden = msel.value !== "agent"; manyBox.hidden = msel.value === "agent"; }
    msel.addEventListener("change", show);
    show();
    slot.appendChild(labelled(T("builder.assign.to"), msel));
    slot.appendChild(oneBox);
    slot.appendChild(manyBox);
    if (body.strategy && body.agent) slot.dataset.strategy = body.strategy; // kept so the loader reports it
  }

  function readAction(card, path) {
    var slot = card.querySelector(".action-body"), name = slot.dataset.type, p = path + "." + name, body = {};
    tag(card, path);
    tag(card.querySelector(".action-type"), p);
    if (name === "assign") {
      var mode = slot.querySelector(".assign-mode").value;
      var one = slot.querySelector("[data-f=agent]"), many = slot.querySelector("[data-f=agents]");
      tag(one, p + ".agent"); tag(many, p + ".agents"); tag(slot.querySelector(".assign-mode"), p + ".strategy");
      if (mode === "agent") {
        body.agent = one.value;
        if (slot.dataset.strategy) body.strategy = slot.dataset.strategy;
      } else { body.agents = readList(many); body.strategy = mode; }
    } else {
      slot.querySelectorAll(":scope > .fields > .field, :scope > details > .fields > .field").forEach(function (w) {
        var r = readField(w, p + "." + w.dataset.field);
        if (r.set) body[w.dataset.field] = r.value;
      });
    }
    var o = {};
    o[name] = body;
    return o;
  }

  // Placeholder buttons insert at the caret; a reply shows a live preview
  // with the sample contact.
  function placeholders(ta, preview) {
    var bar = el("div", { cls: "placeholders" });
    cat.placeholders.forEach(function (p) {
      bar.appendChild(el("button", { type: "button", cls: "chip", text: "{{" + p + "}}", onclick: function () {
        var s = ta.selectionStart || ta.value.length, e2 = ta.selectionEnd || s, ins = "{{" + p + "}}";
        ta.value = ta.value.slice(0, s) + ins + ta.value.slice(e2);
        ta.focus();
        ta.setSelectionRange(s + ins.length, s + ins.length);
        ta.dispatchEvent(new Event("input"));
      } }));
    });
    ta.parentNode.after(bar);
    if (!preview) return;
    var pv = el("div", { cls: "preview", "aria-live": "polite" });
    var note = el("small", { cls: "muted", text: T("builder.preview", cat.sample["contact.name"]) });
    function update() {
      pv.textContent = ta.value.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, function (m, k) { return k in cat.sample ? cat.sample[k] : m; }) || "…";
    }
    ta.addEventListener("input", update);
    update();
    bar.after(el("div", { cls: "preview-box" }, [note, pv]));
  }

  // ---- the whole form
  function renderConditions(tree) {
    var root = document.getElementById("cond-root");
    root.textContent = "";
    var none = document.getElementById("cond-none");
    none.hidden = !!tree;
    if (tree) root.appendChild(renderNode(tree, true));
  }

  function generalFields(st) {
    var sessions = [["", T("builder.scope.all")]].concat(cat.sessions.map(function (s) { return [s, T("builder.scope.only", s)]; }));
    return el("section", { cls: "card", id: "sec-general" }, [
      el("h2", { text: T("builder.sec.when") }),
      labelled(T("builder.f.name"), el("input", { id: "f-name", value: st.name || "", "data-path": "name", required: true, size: 40 }), "wide"),
      labelled(T("builder.f.description"), textarea(st.description || "", { id: "f-description", "data-path": "description", rows: 2 }), "wide"),
      el("div", { cls: "row" }, [
        labelled(T("builder.f.trigger"), select(cat.triggers.map(function (t) { return [t, t === "incoming_message" ? T("builder.trigger.incoming_message") : T("builder.trigger.new_contact")]; }), st.trigger || "incoming_message", { id: "f-trigger", "data-path": "trigger" })),
        labelled(T("builder.f.scope"), select(sessions, st.session || "", { id: "f-session", "data-path": "session" }))
      ]),
      el("div", { cls: "row" }, [
        labelled(T("builder.f.priority"), el("input", { type: "number", id: "f-priority", value: st.priority === undefined ? 100 : st.priority, "data-path": "priority", cls: "num" })),
        labelled(T("builder.f.cooldown"), el("input", { id: "f-cooldown", value: st.cooldown || "", "data-path": "cooldown", placeholder: T("builder.f.cooldown_placeholder"), size: 10 })),
        labelled(T("builder.f.mode"), select([["live", T("builder.mode.live")], ["shadow", T("builder.mode.shadow")]], st.mode || "live", { id: "f-mode", "data-path": "mode" }))
      ]),
      el("div", { cls: "row" }, [
        check(T("builder.f.enabled"), st.enabled !== false, { id: "f-enabled", "data-path": "enabled" }),
        check(T("builder.f.stop"), !!st.stop, { id: "f-stop", "data-path": "stop" }),
        check(T("builder.f.groups"), !!st.groups, { id: "f-groups", "data-path": "groups" })
      ]),
      el("details", { cls: "more" }, [el("summary", { text: T("builder.f.id_summary") }),
        labelled(T("builder.f.id"), el("input", { id: "f-id", value: st.id || "", "data-path": "id", size: 30 }))])
    ]);
  }

  function render(st) {
    var form = document.getElementById("builder");
    form.textContent = "";
    form.appendChild(generalFields(st));
    var cond = el("section", { cls: "card", id: "sec-conditions" }, [
      el("h2", { text: T("builder.sec.conditions") }),
      el("p", { id: "cond-none", cls: "muted" }, [T("builder.no_conditions") + " ",
        el("button", { type: "button", id: "add-conditions", text: T("builder.add_conditions"), onclick: function () { renderConditions({ all: [defaultLeaf("text")] }); } })]),
      el("div", { id: "cond-root", "data-path": "conditions" })
    ]);
    form.appendChild(cond);
    renderConditions(st.conditions === undefined ? null : st.conditions);
    var acts = el("div", { id: "actions", "data-path": "actions" });
    (st.actions || []).forEach(function (a) { acts.appendChild(renderAction(a)); });
    form.appendChild(el("section", { cls: "card", id: "sec-actions" }, [
      el("h2", { text: T("builder.sec.actions") }), acts,
      el("p", {}, [el("button", { type: "button", id: "add-action", text: T("builder.add_action"), onclick: function () { acts.appendChild(renderAction(defaultAction("reply"))); numberSteps(); } })])
    ]));
    numberSteps();
  }

  function read() {
    var v = function (id) { return document.getElementById(id); };
    var st = {};
    if (v("f-id").value) st.id = v("f-id").value;
    st.name = v("f-name").value;
    if (v("f-description").value) st.description = v("f-description").value;
    if (!v("f-enabled").checked) st.enabled = false;
    st.priority = v("f-priority").value === "" ? 100 : Number(v("f-priority").value);
    if (v("f-session").value) st.session = v("f-session").value;
    st.trigger = v("f-trigger").value;
    if (v("f-stop").checked) st.stop = true;
    if (v("f-cooldown").value) st.cooldown = v("f-cooldown").value;
    if (v("f-mode").value === "shadow") st.mode = "shadow";
    if (v("f-groups").checked) st.groups = true;
    var root = parts(v("cond-root"))[0];
    if (root) st.conditions = readNode(root, "conditions");
    st.actions = parts(v("actions")).map(function (c, i) { return readAction(c, "actions[" + i + "]"); });
    return st;
  }

  // ---- errors beside their fields
  function clearErrors() {
    document.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    document.querySelectorAll(".invalid").forEach(function (e) { e.classList.remove("invalid"); });
    var list = document.getElementById("builder-errors");
    list.hidden = true;
    list.textContent = "";
  }

  function parentPath(p) {
    var m = p.match(/^(.*)(\[\d+\]|\.[^.\[\]]+)$/);
    return m ? m[1] : null;
  }

  function fieldFor(path) {
    for (var p = path; p; p = parentPath(p)) {
      var all = document.querySelectorAll("[data-path]");
      for (var i = 0; i < all.length; i++) {
        if (all[i].dataset.path === p && all[i].offsetParent !== null) return all[i];
      }
    }
    return null;
  }

  function showErrors(errs, yamlTab) {
    clearErrors();
    var list = document.getElementById("builder-errors");
    errs.forEach(function (e) {
      var li = el("li", {}, [e.path ? el("code", { text: e.path }) : null, (e.path ? ": " : "") + e.msg]);
      if (yamlTab && e.line) {
        li.appendChild(el("a", { href: "#", cls: "pos", text: " " + T("builder.err.line", e.line), onclick: function (ev) { ev.preventDefault(); caret(e.line, e.column); } }));
      }
      list.appendChild(li);
      if (yamlTab) return;
      var f = fieldFor(e.path);
      if (!f) return;
      f.classList.add("invalid");
      var box = f.closest(".field, label, .leaf, .group, .action") || f;
      if (box === f && f.tagName === "DIV") {
        f.insertBefore(el("p", { cls: "field-error", role: "alert", text: e.msg }), f.firstChild);
      } else {
        box.after(el("p", { cls: "field-error", role: "alert", text: e.msg }));
      }
      var det = f.closest("details");
      if (det) det.open = true;
    });
    list.hidden = errs.length === 0;
    var first = document.querySelector(".field-error") || list;
    if (first.scrollIntoView) first.scrollIntoView({ block: "center" });
  }

  function caret(line, col) {
    var ta = document.getElementById("yaml-text");
    var lines = ta.value.split("\n"), pos = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    pos += (col || 1) - 1;
    ta.focus();
    ta.setSelectionRange(pos, pos + 1);
  }

  function status(text, bad) {
    var s = document.getElementById("builder-status");
    s.textContent = text;
    s.className = text ? (bad ? "error" : "flash") : "";
  }

  // ---- talking to the server
  function post(url, body) {
    return fetch(url, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json", Accept: "application/json" } })
      .then(function (r) { return r.json().catch(function () { return { errors: [{ path: "", msg: T("builder.err.status", r.status) }] }; }); })
      .catch(function (err) { return { errors: [{ path: "", msg: T("builder.err.unreachable", err.message) }] }; });
  }

  var data = null, onYAML = false;

  function draft() {
    var b = { original: data.original };
    if (onYAML) b.yaml = document.getElementById("yaml-text").value;
    else b.workflow = read();
    return b;
  }

  function showTab(yaml) {
    onYAML = yaml;
    document.getElementById("builder").hidden = yaml;
    document.getElementById("yaml-view").hidden = !yaml;
    document.getElementById("tab-form").classList.toggle("on", !yaml);
    document.getElementById("tab-yaml").classList.toggle("on", yaml);
  }

  function toYAML() {
    if (onYAML) return;
    post("/workflows/check", { original: data.original, workflow: read() }).then(function (r) {
      if (r.yaml) document.getElementById("yaml-text").value = r.yaml;
      if (!r.ok) {
        showErrors(r.errors || [], false);
        status(T("builder.status.fix_for_yaml"), true);
        return;
      }
      clearErrors();
      status("", false);
      showTab(true);
    });
  }

  function toForm() {
    if (!onYAML) return;
    post("/workflows/check", { original: data.original, yaml: document.getElementById("yaml-text").value }).then(function (r) {
      if (!r.ok) {
        showErrors(r.errors || [], true);
        status(T("builder.status.yaml_errors"), true);
        return;
      }
      clearErrors();
      status("", false);
      render(r.workflow);
      showTab(false);
    });
  }

  function save() {
    status(T("builder.status.saving"), false);
    post("/workflows/save", draft()).then(function (r) {
      if (!r.ok) {
        showErrors(r.errors || [], onYAML);
        status(T("builder.status.not_saved", (r.errors || []).length), true);
        return;
      }
      window.location.href = r.redirect + "?msg=" + encodeURIComponent(r.msg);
    });
  }

  // showLint lists the linter's findings on the draft: advice about the
  // whole set of workflows, which (unlike load errors) does not block saving.
  function showLint(findings) {
    var box = document.getElementById("builder-lint");
    var list = document.getElementById("lint-list");
    list.textContent = "";
    findings.forEach(function (f) {
      list.appendChild(el("li", { cls: "lint-" + f.severity, "data-check": f.check }, [
        el("strong", { text: box.dataset[f.severity === "error" ? "error" : "warning"] }), ": " + f.message,
        f.example ? el("small", { text: " " + T("builder.lint.example", f.example.text, f.example.phone) }) : null
      ]));
    });
    box.hidden = findings.length === 0;
  }

  function checkDraft() {
    post("/workflows/check", draft()).then(function (r) {
      if (!r.ok) {
        showErrors(r.errors || [], onYAML);
        status(T("builder.status.errors", (r.errors || []).length), true);
        return;
      }
      clearErrors();
      showLint(r.lint || []);
      var n = (r.lint || []).length;
      status(n ? T("builder.status.findings", n) : T("builder.status.clean"), false);
    });
  }

  var regexTimer = null;
  // liveRegex asks the loader about the draft as the pattern is typed and
  // shows the pattern's own error beside it.
  function liveRegex(t) {
    clearTimeout(regexTimer);
    regexTimer = setTimeout(function () {
      var st = read(), path = t.dataset.path;
      post("/workflows/check", { original: data.original, workflow: st }).then(function (r) {
        var old = t.parentNode.querySelector(".field-error");
        if (old) old.remove();
        t.classList.remove("invalid");
        (r.errors || []).forEach(function (e) {
          if (e.path !== path) return;
          t.classList.add("invalid");
          t.after(el("p", { cls: "field-error", role: "alert", text: e.msg }));
        });
      });
    }, 350);
  }

  // traceList shows a trace, leaf by leaf, ✓ or ✗.
  function traceList(trace) {
    var ul = el("ul", { cls: "trace" });
    (trace || []).forEach(function (l) {
      // The trace holds each leaf's own value; under an odd number of
      // NOTs the condition holds when the leaf is false.
      var negated = ((l.path.match(/(^|\.)not(\.|$)/g) || []).length % 2) === 1;
      var holds = l.value !== negated;
      ul.appendChild(el("li", { cls: holds ? "yes" : "no", text: (l.value ? "✓ " : "✗ ") + l.path + ": " + l.leaf +
        (negated ? " — " + T(holds ? "builder.trace.not_holds" : "builder.trace.not_fails") : "") }));
    });
    if (!(trace || []).length) ul.appendChild(el("li", { cls: "muted", text: T("builder.trace.none") }));
    return ul;
  }

  function tryIt() {
    var b = draft();
    var labels = document.getElementById("try-labels").value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    b.message = {
      text: document.getElementById("try-text").value, type: document.getElementById("try-type").value,
      time: document.getElementById("try-time").value, phone: document.getElementById("try-phone").value,
      session: document.getElementById("try-session").value, labels: labels
    };
    var out = document.getElementById("try-result");
    out.textContent = "…";
    post("/workflows/try", b).then(function (r) {
      out.textContent = "";
      if (!r.ok) {
        showErrors(r.errors || [], onYAML);
        out.appendChild(el("p", { cls: "error", text: T("builder.try.errors", (r.errors || []).length) }));
        return;
      }
      var t = r.try;
      out.appendChild(el("p", { cls: t.fired ? "flash verdict" : "note verdict", id: "try-verdict", text: (t.fired ? "✓ " : "✗ ") + t.summary }));
      t.executions.forEach(function (e) {
        out.appendChild(el("p", {}, [el("span", { cls: "status " + e.outcome.replace(" ", "-"), text: e.outcomeText || e.outcome }), " " + e.reason]));
        out.appendChild(traceList(e.trace));
      });
      if (t.effects.length) {
        out.appendChild(el("p", { text: T("builder.try.would") }));
        var ul = el("ul", { cls: "acts" });
        t.effects.forEach(function (x) { ul.appendChild(el("li", { text: x })); });
        out.appendChild(ul);
      }
    });
  }

  // ---- "Test against the last 30 days": the draft replayed on the
  // period's recorded customer messages, nothing sent or changed.
  function replayLabel() {
    document.getElementById("replay").textContent = T("replay.button", Number(document.getElementById("replay-days").value));
  }

  function replayIt() {
    var b = draft();
    b.days = Number(document.getElementById("replay-days").value);
    var out = document.getElementById("replay-result");
    out.hidden = false;
    out.textContent = "";
    out.appendChild(el("p", { cls: "muted", text: T("replay.running") }));
    post("/workflows/replay", b).then(function (r) {
      out.textContent = "";
      if (!r.ok) {
        showErrors(r.errors || [], onYAML);
        var msg = (r.errors || []).length === 1 && r.errors[0].path === "replay" ? r.errors[0].msg : T("replay.err.draft", (r.errors || []).length);
        out.appendChild(el("p", { cls: "error", id: "replay-error", role: "alert", text: msg }));
        status(msg, true);
        return;
      }
      showReplay(out, r.replay);
    });
  }

  function showReplay(out, rp) {
    out.appendChild(el("h2", { text: T("replay.title", rp.days) }));
    out.appendChild(el("p", { id: "replay-summary", text: T("replay.summary", rp.messages, rp.from, rp.to, rp.zone) }));
    if (rp.stopped) out.appendChild(el("p", { cls: "warning", id: "replay-stopped", text: T(rp.stopped === "time" ? "replay.stopped_time" : "replay.stopped_limit", rp.messages) }));
    out.appendChild(el("p", { cls: "muted", text: T("replay.nothing_sent") }));
    out.appendChild(el("p", { cls: "muted small-note", id: "replay-approx", text: T("replay.approx") }));
    if (!rp.workflows.length) {
      out.appendChild(el("p", { cls: "muted", text: rp.messages ? T("replay.none") : T("replay.no_messages") }));
      return;
    }
    var head = el("tr", {}, ["replay.col.workflow", "replay.col.before", "replay.col.would", "replay.col.new", "replay.col.no_longer"].map(function (k) { return el("th", { text: T(k) }); }));
    var body = el("tbody");
    rp.workflows.forEach(function (w) {
      var name = w.name + (w.draft ? " " + T("replay.this_draft") : "") + (w.inDraft ? "" : " " + T("replay.gone"));
      body.appendChild(el("tr", { "data-workflow": w.name, cls: w.draft ? "draft" : null }, [el("td", { text: name }),
        el("td", { cls: "num", text: String(w.before) }), el("td", { cls: "num", text: String(w.would) }),
        el("td", { cls: "num" + (w.new ? " replay-new" : ""), text: String(w.new) }),
        el("td", { cls: "num" + (w.noLonger ? " replay-no-longer" : ""), text: String(w.noLonger) })]));
    });
    out.appendChild(el("table", { cls: "replay-table" }, [el("thead", {}, [head]), body]));
    rp.workflows.forEach(function (w) {
      [["new", "replay.ex.new", w.newExamples], ["no-longer", "replay.ex.no_longer", w.noLongerExamples], ["would", "replay.ex.would", w.wouldExamples]].forEach(function (l) {
        if (!l[2].length) return;
        var box = el("div", { cls: "replay-examples", "data-workflow": w.name, "data-list": l[0] }, [el("h3", { text: T(l[1], w.name) })]);
        l[2].forEach(function (x) {
          var li = el("div", { cls: "replay-example" }, [el("p", {}, [el("strong", { text: x.time }), " " + T("replay.example", x.phone, x.session, x.text),
            x.agent ? " " + T("replay.agent", x.agent) : "", x.note ? el("em", { text: " — " + x.note }) : null])]);
          if ((x.beforeTrace || []).length) { li.appendChild(el("p", { cls: "muted", text: T("replay.trace_before") })); li.appendChild(traceList(x.beforeTrace)); }
          if ((x.trace || []).length || l[0] !== "no-longer") { li.appendChild(el("p", { cls: "muted", text: T("replay.trace_draft") })); li.appendChild(traceList(x.trace)); }
          box.appendChild(li);
        });
        out.appendChild(box);
      });
    });
  }

  function saveTemplate() {
    var b = draft();
    b.template = document.getElementById("template-name").value;
    post("/templates", b).then(function (r) {
      if (!r.ok) {
        showErrors(r.errors || [], onYAML);
        status(T("builder.status.template_not_saved", (r.errors || []).length), true);
        return;
      }
      window.location.href = r.redirect + "?msg=" + encodeURIComponent(r.msg);
    });
  }

  function initTry() {
    var type = document.getElementById("try-type");
    cat.messageTypes.forEach(function (t) { type.appendChild(el("option", { value: t, text: t })); });
    var sess = document.getElementById("try-session");
    ["simulator"].concat(cat.sessions.filter(function (s) { return s !== "simulator"; })).forEach(function (s) { sess.appendChild(el("option", { value: s, text: s })); });
    var now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    document.getElementById("try-time").value = now.toISOString().slice(0, 16);
  }

  function init() {
    var node = document.getElementById("builder-data");
    if (!node) return;
    data = JSON.parse(node.textContent);
    TEXTS = data.texts || {};
    cat = data.catalog;
    admin = data.admin;
    datalist("dl-labels", cat.labels);
    datalist("dl-agents", cat.agents);
    datalist("dl-zones", cat.zones);
    render(data.workflow);
    initTry();
    document.getElementById("tab-form").addEventListener("click", function (e) { e.preventDefault(); toForm(); });
    document.getElementById("tab-yaml").addEventListener("click", function (e) { e.preventDefault(); toYAML(); });
    document.getElementById("save").addEventListener("click", save);
    document.getElementById("check").addEventListener("click", checkDraft);
    if (data.original) checkDraft(); // the list's badge counts findings: show them
    document.getElementById("try-send").addEventListener("click", tryIt);
    document.getElementById("replay").addEventListener("click", replayIt);
    document.getElementById("replay-days").addEventListener("change", replayLabel);
    replayLabel();
    document.getElementById("template-save").addEventListener("click", saveTemplate);
  }

  // The list: a switch submits its form at once.
  function autosubmit() {
    document.querySelectorAll("[data-autosubmit]").forEach(function (i) {
      i.addEventListener("change", function () { i.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(); autosubmit(); });

  // Exposed for the browser tests: render a form state and read it back.
  return {
    roundTrip: function (st) { render(st); return read(); },
    read: read
  };
})();
