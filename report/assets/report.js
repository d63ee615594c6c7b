// tether report: progressive enhancement of a page that reads without
// script. Every string from the inputs is put into the page with
// textContent, never as markup.
(function () {
  'use strict';
  var doc = document;
  var dataEl = doc.getElementById('tether-data');
  var data = null;
  function D() {
    if (!data) data = JSON.parse(dataEl.textContent);
    return data;
  }
  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  var findings = Array.prototype.slice.call(doc.querySelectorAll('details.finding'));
  var groups = Array.prototype.slice.call(doc.querySelectorAll('details.group'));
  var toolbar = doc.getElementById('toolbar');
  var q = doc.getElementById('q');
  var fcheck = doc.getElementById('fcheck');
  var fsev = doc.getElementById('fsev');
  var fstate = doc.getElementById('fstate');
  var shown = doc.getElementById('shown');
  var filter = { check: '', sev: '', dir: '', base: '', state: '', q: '' };

  function fillSelect(sel, items, attr) {
    var seen = {};
    items.forEach(function (e) { seen[e.getAttribute(attr) || ''] = 1; });
    Object.keys(seen).sort().forEach(function (v) {
      var o = el('option', null, v || '(none)');
      o.value = v;
      sel.appendChild(o);
    });
  }
  fillSelect(fcheck, findings, 'data-check');
  fillSelect(fsev, findings, 'data-sev');
  fillSelect(fstate, groups, 'data-state');
  toolbar.hidden = false;

  // Search text of each element, computed once.
  var texts = null;
  function searchTexts() {
    if (!texts) {
      texts = new Map();
      findings.concat(groups).forEach(function (e) {
        texts.set(e, e.textContent.toLowerCase());
      });
    }
    return texts;
  }

  function apply() {
    var t0 = performance.now();
    var needle = filter.q.toLowerCase().trim();
    var words = needle ? needle.split(/\s+/) : [];
    var tx = words.length ? searchTexts() : null;
    function textOk(e) {
      if (!tx) return true;
      var s = tx.get(e);
      for (var i = 0; i < words.length; i++) if (s.indexOf(words[i]) < 0) return false;
      return true;
    }
    var nf = 0, ng = 0;
    var fActive = filter.check || filter.sev || filter.dir || filter.base;
    findings.forEach(function (e) {
      var ok = (!filter.check || e.getAttribute('data-check') === filter.check) &&
        (!filter.sev || e.getAttribute('data-sev') === filter.sev) &&
        (!filter.dir || e.getAttribute('data-dir') === filter.dir) &&
        (!filter.base || e.getAttribute('data-base') === filter.base) &&
        textOk(e);
      if (e.hidden === ok) e.hidden = !ok;
      if (ok) nf++;
    });
    groups.forEach(function (e) {
      var ok = (!filter.state || e.getAttribute('data-state') === filter.state) &&
        textOk(e);
      if (e.hidden === ok) e.hidden = !ok;
      if (ok) ng++;
    });
    var active = fActive || filter.state || words.length;
    shown.textContent = active ? nf + ' of ' + findings.length + ' findings, ' +
      ng + ' of ' + groups.length + ' thread groups shown' : '';
    fcheck.value = filter.check; fsev.value = filter.sev; fstate.value = filter.state;
    if (q.value !== filter.q) q.value = filter.q;
    window.tetherLastFilterMs = performance.now() - t0;
  }
  function set(k, v) { filter[k] = v; apply(); }
  function clear() {
    filter = { check: '', sev: '', dir: '', base: '', state: '', q: '' };
    apply();
  }
  fcheck.addEventListener('change', function () { set('check', fcheck.value); });
  fsev.addEventListener('change', function () { set('sev', fsev.value); });
  fstate.addEventListener('change', function () { set('state', fstate.value); });
  var timer = 0;
  q.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { set('q', q.value); }, 120);
  });
  q.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { clearTimeout(timer); set('q', q.value); }
    if (ev.key === 'Escape') { q.blur(); }
  });
  doc.getElementById('clear').addEventListener('click', clear);
  window.tetherFilter = function (k, v) { set(k, v); };

  // Counts in the summary are links to filtered views.
  doc.addEventListener('click', function (ev) {
    var a = ev.target.closest && ev.target.closest('a.flt');
    if (!a) return;
    ev.preventDefault();
    filter = { check: '', sev: '', dir: '', base: '', state: '', q: '' };
    filter[a.getAttribute('data-k')] = a.getAttribute('data-v');
    apply();
    var target = doc.querySelector(a.getAttribute('href'));
    if (target) target.scrollIntoView();
  });

  // Excerpts: the lines around every location of the finding, grouped by
  // file in the order the path visits them, each location numbered in place.
  function renderExcerpts(det) {
    var box = det.querySelector('.excerpts');
    if (!box || box.getAttribute('data-done')) return;
    box.setAttribute('data-done', '1');
    var d = D();
    var locs = d.f[+det.getAttribute('data-i')] || [];
    var items = det.querySelectorAll('ol.path > li');
    var byFile = [], index = {};
    locs.forEach(function (l, k) {
      var f = l[0];
      if (!(f in index)) { index[f] = byFile.length; byFile.push({ file: f, locs: [] }); }
      var pm = items[k] && items[k].querySelector('.pm');
      byFile[index[f]].locs.push({ line: l[1], mark: k === 0 ? '!' : String(k), msg: pm ? pm.textContent : '' });
    });
    byFile.forEach(function (g) {
      var src = d.src[g.file] || {};
      var lines = {};
      g.locs.forEach(function (l) { for (var n = l.line - 2; n <= l.line + 2; n++) if (n > 0 && (String(n) in src)) lines[n] = 1; });
      var nums = Object.keys(lines).map(Number).sort(function (a, b) { return a - b; });
      if (!nums.length) return;
      var ex = el('div', 'ex');
      ex.appendChild(el('div', 'exh', d.files[g.file]));
      var table = el('table');
      var prev = 0;
      nums.forEach(function (n) {
        if (prev && n > prev + 1) {
          var gap = el('tr', 'gap'); gap.appendChild(el('td', 'ln', '⋯')); gap.appendChild(el('td', null, ''));
          table.appendChild(gap);
        }
        prev = n;
        var here = g.locs.filter(function (l) { return l.line === n; });
        var tr = el('tr', here.length ? 'hit' : null);
        tr.appendChild(el('td', 'ln', n));
        tr.appendChild(el('td', null, src[String(n)]));
        table.appendChild(tr);
        here.forEach(function (l) {
          var b = el('tr', 'bubble' + (l.mark === '!' ? ' primary' : ''));
          var td = el('td'); td.colSpan = 2;
          var t = el('span', 't');
          t.appendChild(el('span', 'mk', l.mark));
          t.appendChild(doc.createTextNode(' ' + l.msg));
          td.appendChild(t); b.appendChild(td); table.appendChild(b);
        });
      });
      ex.appendChild(table);
      box.appendChild(ex);
    });
  }

  // Thread details of a group (debug=2): one row per thread.
  function secs(ns) { return (ns / 1e9).toFixed(1) + ' s'; }
  function renderThreads(det, limit) {
    var box = det.querySelector('.threads');
    if (!box || (box.getAttribute('data-done') && !limit)) return;
    box.setAttribute('data-done', '1');
    var ts = D().groups[+det.getAttribute('data-g')] || [];
    while (box.firstChild) box.removeChild(box.firstChild);
    var table = el('table', 'threads');
    var head = el('tr');
    ['thread', 'tid', 'state', 'reason', 'waiting', 'parent', 'mutex owner / joins', 'created at', 'labels', 'findings']
      .forEach(function (h) { head.appendChild(el('th', null, h)); });
    table.appendChild(head);
    var max = limit || 200;
    ts.slice(0, max).forEach(function (t) {
      var tr = el('tr', 'thread');
      tr.id = 'p' + t[15] + 't' + t[0];
      tr.appendChild(el('td', null, '#' + t[0] + (t[2] ? ' ' + t[2] : '') + (t[10] ? ' (detached)' : '')));
      tr.appendChild(el('td', null, t[1]));
      tr.appendChild(el('td', null, t[3]));
      tr.appendChild(el('td', null, t[4] + (t[5] && t[5] !== t[4] ? ' (' + t[5] + ')' : '') + (t[11] ? ', timed' : '') + (t[12] ? ' on ' + t[12] : '')));
      tr.appendChild(el('td', null, t[6] ? secs(t[6]) : ''));
      tr.appendChild(el('td', null, t[7] ? '#' + t[7] : ''));
      tr.appendChild(el('td', null, t[8] ? 'held by #' + t[8] : t[9] ? 'joins #' + t[9] : ''));
      tr.appendChild(el('td', null, t[14]));
      tr.appendChild(el('td', null, (t[13] || []).map(function (kv) { return kv[0] + '=' + kv[1]; }).join(', ')));
      var fl = el('td');
      (t[16] || []).forEach(function (f) {
        var a = el('a', 'xl', 'finding ' + (f + 1));
        a.href = '#f' + f;
        fl.appendChild(a); fl.appendChild(doc.createTextNode(' '));
      });
      tr.appendChild(fl);
      table.appendChild(tr);
    });
    box.appendChild(table);
    if (ts.length > max) {
      var more = el('button', null, 'show all ' + ts.length + ' threads');
      more.type = 'button';
      more.addEventListener('click', function () { renderThreads(det, ts.length); });
      box.appendChild(more);
    }
  }

  doc.addEventListener('toggle', function (ev) {
    var det = ev.target;
    if (!det.open) return;
    if (det.classList.contains('finding')) renderExcerpts(det);
    else if (det.classList.contains('group')) renderThreads(det);
  }, true);

  // Cross-links and anchors: open the target, make sure a filter does not
  // hide it, and bring it into view.
  function reveal(id) {
    var t = id && doc.getElementById(id);
    if (!t) return;
    var det = t.tagName === 'DETAILS' ? t : t.closest('details');
    if (det && det.hidden) clear();
    if (det) det.open = true;
    setCurrent(det);
    t.scrollIntoView({ block: 'start' });
    var s = det && det.querySelector('summary');
    if (s) s.focus({ preventScroll: true });
  }
  window.addEventListener('hashchange', function () { reveal(location.hash.slice(1)); });
  if (location.hash) reveal(location.hash.slice(1));

  // Keyboard: j/k move between visible findings and groups, o opens,
  // / searches.
  var current = null;
  function setCurrent(e) {
    if (current) current.classList.remove('cur');
    current = e || null;
    if (current) current.classList.add('cur');
  }
  function visibleItems() {
    return findings.concat(groups).filter(function (e) { return !e.hidden; });
  }
  doc.addEventListener('keydown', function (ev) {
    var t = ev.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === '/') { ev.preventDefault(); q.focus(); return; }
    if (ev.key === 'j' || ev.key === 'k') {
      var items = visibleItems();
      if (!items.length) return;
      var i = current ? items.indexOf(current) : -1;
      i = ev.key === 'j' ? Math.min(items.length - 1, i + 1) : Math.max(0, i - 1);
      setCurrent(items[i]);
      items[i].querySelector('summary').focus();
      items[i].scrollIntoView({ block: 'nearest' });
    } else if (ev.key === 'o' && current) {
      current.open = !current.open;
    }
  });
  apply();
})();
