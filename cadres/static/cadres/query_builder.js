// 组合查询构建器: edits the JSON document of orgportal.query in place, asks the server for the count.
(function () {
  "use strict";
  var root, conditions = {}, byGroup = {}, timer = null, OPS = {and: "全部满足（且）", or: "任一满足（或）", not: "都不满足（非）"};

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function button(label, onclick) {
    var b = el("button", {type: "button", text: label});
    b.addEventListener("click", function (e) { e.preventDefault(); onclick(); });
    return b;
  }
  function select(options, value, multiple) {
    var s = el("select", multiple ? {multiple: "multiple"} : {});
    options.forEach(function (o) {
      var opt = el("option", {value: o[0], text: o[1]});
      if (multiple ? (value || []).indexOf(String(o[0])) >= 0 : String(o[0]) === String(value)) opt.selected = true;
      s.appendChild(opt);
    });
    return s;
  }
  function selected(s) { return Array.prototype.filter.call(s.options, function (o) { return o.selected; }).map(function (o) { return o.value; }); }

  // A widget for a value spec; returns {node, get()}.
  function widget(spec, value) {
    var input;
    switch (spec.type) {
      case "choices":
        input = select(spec.choices, (Array.isArray(value) ? value : value ? [value] : []).map(String), true);
        return {node: input, get: function () { var v = selected(input); return v.length ? v : null; }};
      case "boolean":
        input = select([["", "—"], ["true", "是"], ["false", "否"]], value === undefined || value === null ? "" : String(value));
        return {node: input, get: function () { return input.value === "" ? null : input.value === "true"; }};
      case "integer": case "units":
        input = el("input", {type: "text", size: spec.type === "units" ? 12 : 5, placeholder: spec.type === "units" ? "单位编号，逗号分隔" : ""});
        input.value = value === undefined || value === null ? "" : [].concat(value).join(",");
        return {node: input, get: function () {
          if (input.value.trim() === "") return null;
          var parts = input.value.split(/[,，\s]+/).filter(Boolean).map(Number);
          return spec.type === "units" ? parts : parts[0];
        }};
      case "range":
        var type = spec.bound === "date" ? "date" : "text", v = value || {};
        var low = el("input", {type: type, size: 8}), high = el("input", {type: type, size: 8});
        low.value = v.min === undefined ? "" : v.min; high.value = v.max === undefined ? "" : v.max;
        var wrap = el("span", {}, [low, el("span", {text: " 至 "}), high]);
        return {node: wrap, get: function () {
          var r = {}, conv = function (x) { return spec.bound === "date" ? x : Number(x); };
          if (low.value !== "") r.min = conv(low.value);
          if (high.value !== "") r.max = conv(high.value);
          return Object.keys(r).length ? r : null;
        }};
      case "fields":
        var parts = {}, box = el("span", {class: "qb-params"});
        Object.keys(spec.params).forEach(function (name) {
          var p = spec.params[name], w = widget(p, (value || {})[name]);
          parts[name] = w;
          box.appendChild(el("label", {}, [el("span", {text: p.label + (p.required ? "*" : "") + " "}), w.node]));
        });
        return {node: box, get: function () {
          var out = {};
          Object.keys(parts).forEach(function (n) { var x = parts[n].get(); if (x !== null) out[n] = x; });
          return out;
        }};
      case "none":
        return {node: el("span"), get: function () { return null; }};
      default:
        input = el("input", {type: "text", size: 16});
        input.value = value || "";
        return {node: input, get: function () { return input.value.trim() || null; }};
    }
  }

  function conditionNode(data, onRemove) {
    var row = el("div", {class: "qb-row"}), state = {field: data.field, op: data.op, value: data.value}, valueWidget = null;
    var fieldSelect = el("select");
    Object.keys(byGroup).forEach(function (g) {
      var og = el("optgroup", {label: g});
      byGroup[g].forEach(function (c) { og.appendChild(el("option", {value: c.code, text: c.label})); });
      fieldSelect.appendChild(og);
    });
    fieldSelect.value = state.field || "";
    var opHolder = el("span"), valueHolder = el("span");
    function renderOps() {
      opHolder.innerHTML = ""; valueHolder.innerHTML = "";
      var c = conditions[fieldSelect.value];
      if (!c) return;
      var ops = Object.keys(c.operators).map(function (o) { return [o, c.operators[o].label]; });
      if (!c.operators[state.op]) state.op = ops[0][0];
      var opSelect = select(ops, state.op);
      opSelect.addEventListener("change", function () { state.op = opSelect.value; state.value = null; renderValue(); changed(); });
      opHolder.appendChild(opSelect);
      if (c.help) opHolder.title = c.help;
      function renderValue() {
        valueHolder.innerHTML = "";
        valueWidget = widget(c.operators[state.op], state.value);
        valueHolder.appendChild(valueWidget.node);
      }
      renderValue();
    }
    fieldSelect.addEventListener("change", function () { state.value = null; renderOps(); changed(); });
    row.addEventListener("change", changed);
    row.addEventListener("input", changed);
    renderOps();
    row.appendChild(fieldSelect); row.appendChild(opHolder); row.appendChild(valueHolder);
    row.appendChild(button("删除", onRemove));
    row.toDocument = function () {
      var out = {field: fieldSelect.value, op: opHolder.firstChild ? opHolder.firstChild.value : ""};
      var c = conditions[out.field], spec = c && c.operators[out.op];
      if (spec && spec.type !== "none") { var v = valueWidget ? valueWidget.get() : null; out.value = v === null ? (spec.type === "fields" ? {} : null) : v; }
      return out;
    };
    return row;
  }

  function groupNode(data, onRemove) {
    var box = el("div", {class: "qb-group"}), list = el("div");
    var opSelect = select(Object.keys(OPS).map(function (k) { return [k, OPS[k]]; }), data.op || "and");
    function paint() { box.className = "qb-group" + (opSelect.value === "not" ? " qb-not" : ""); }
    opSelect.addEventListener("change", function () { paint(); changed(); });
    function add(child) {
      var node = child.field !== undefined ? conditionNode(child, function () { list.removeChild(node); changed(); })
                                           : groupNode(child, function () { list.removeChild(node); changed(); });
      list.appendChild(node);
    }
    (data.conditions || []).forEach(add);
    var first = Object.keys(conditions)[0];
    var tools = el("div", {class: "qb-row"}, [
      el("span", {text: "条件组："}), opSelect,
      button("添加条件", function () { add({field: first, op: null}); changed(); }),
      button("添加条件组", function () { add({op: "and", conditions: [{field: first}]}); changed(); }),
      onRemove ? button("删除条件组", onRemove) : null,
    ]);
    box.appendChild(tools); box.appendChild(list); paint();
    box.toDocument = function () {
      return {op: opSelect.value, conditions: Array.prototype.map.call(list.children, function (n) { return n.toDocument(); })};
    };
    return box;
  }

  function csrf() { var m = document.cookie.match(/csrftoken=([^;]+)/); var f = document.querySelector("[name=csrfmiddlewaretoken]"); return m ? m[1] : f ? f.value : ""; }

  function changed() {
    clearTimeout(timer);
    timer = setTimeout(count, 300);
  }
  function count() {
    var doc = root.toDocument(), status = document.getElementById("qb-status"), field = document.getElementById("qb-document-field");
    if (field) field.value = JSON.stringify(doc);
    var box = document.getElementById("query-builder");
    fetch(box.dataset.countUrl, {method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}, body: JSON.stringify(doc)})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        status.innerHTML = "";
        if (data.error) {
          Object.keys(data.error).forEach(function (path) { status.appendChild(el("div", {class: "qb-error", text: path + "：" + data.error[path].join("；")})); });
          return;
        }
        status.appendChild(el("strong", {text: "符合条件的干部：" + data.count + " 人"}));
        document.getElementById("qb-open").href = data.url;
      })
      .catch(function () { status.textContent = "无法取得人数"; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("query-builder");
    var doc = JSON.parse(document.getElementById("qb-document").textContent) || {op: "and", conditions: []};
    fetch(box.dataset.conditionsUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      data.conditions.forEach(function (c) { conditions[c.code] = c; (byGroup[c.group] = byGroup[c.group] || []).push(c); });
      if (doc.field !== undefined) doc = {op: "and", conditions: [doc]};
      root = groupNode(doc, null);
      document.getElementById("qb-root").appendChild(root);
      var form = document.getElementById("qb-save");
      if (form) form.addEventListener("submit", function () { document.getElementById("qb-document-field").value = JSON.stringify(root.toDocument()); });
      count();
    });
  });
})();
