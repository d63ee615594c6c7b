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
  var list = doc.getElementById('findings');
  var chunks = Array.prototype.slice.call(doc.querySelectorAll('#findings > .chunk'));
  var toolbar = doc.getElementById('toolbar');
  var q = doc.getElementById('q');
  var fcheck = doc.getElementById('fcheck');
  var fsev = doc.getElementById('fsev');
  var fstate = doc.getElementById('fstate');
  var shown = doc.getElementById('shown');
  var filter = { check: '', sev: '', dir: '', base: '', state: '', q: '' };

  // Each finding carries the index of its check, severity, directory and
  // baseline state as a class (k3, s0, d12, b1); the names are in
  // the list's data-facets. A filter is one class on the list plus one rule made of
  // those indices: no per-row writes, and the browser restyles only the
  // chunks in view.
  var facets = list && list.getAttribute('data-facets') ? JSON.parse(list.getAttribute('data-facets')) : {};
  var prefix = { check: 'k', sev: 's', dir: 'd', base: 'b' };
  var facetIndex = {};
  Object.keys(prefix).forEach(function (k) {
    facetIndex[k] = {};
    (facets[k] || []).forEach(function (v, i) { facetIndex[k][v] = i; });
  });
  // Per finding, its facet indices, read from the classes on first use.
  var fvals = null;
  function findingValues() {
    if (fvals) return fvals;
    fvals = findings.map(function (e) {
      var r = {};
      e.className.split(' ').forEach(function (c) {
        for (var k in prefix) if (c.charAt(0) === prefix[k] && /^\w\d+$/.test(c)) r[k] = +c.slice(1);
      });
      return r;
    });
    return fvals;
  }
  // The rules are made once per value (directories on first use): changing
  // a stylesheet makes the browser look at the whole page.
  var sheet = doc.createElement('style');
  doc.head.appendChild(sheet);
  var ruled = {};
  function rule(k, i) {
    var c = prefix[k] + i;
    if (ruled[c]) return;
    ruled[c] = 1;
    sheet.sheet.insertRule('#findings.f' + c + ' .finding:not(.' + c + ') { display: none; }',
      sheet.sheet.cssRules.length);
  }
  ['check', 'sev', 'base'].forEach(function (k) {
    (facets[k] || []).forEach(function (v, i) { rule(k, i); });
  });

  function fillSelect(sel, values) {
    values.slice().sort().forEach(function (v) {
      var o = el('option', null, v || '(none)');
      o.value = v;
      sel.appendChild(o);
    });
  }
  fillSelect(fcheck, facets.check || []);
  fillSelect(fsev, facets.sev || []);
  var states = {};
  groups.forEach(function (e) { states[e.getAttribute('data-state') || ''] = 1; });
  fillSelect(fstate, Object.keys(states));
  toolbar.hidden = false;

  // Search text of each element, built in idle time after load, a slice at
  // a time; a search before it is done finishes it.
  var items = findings.concat(groups);
  var texts = [];
  function buildTexts(deadline) {
    var n = texts.length;
    while (n < items.length && (!deadline || deadline.timeRemaining() > 2 || deadline.didTimeout)) {
      var stop = Math.min(items.length, n + (deadline ? 200 : items.length));
      for (; n < stop; n++) texts.push(items[n].textContent.toLowerCase());
    }
    if (n < items.length && deadline) idle(buildTexts);
  }
  var idle = window.requestIdleCallback ? function (f) { window.requestIdleCallback(f, { timeout: 2000 }); }
    : function (f) { setTimeout(function () { f({ timeRemaining: function () { return 10; }, didTimeout: false }); }, 50); };
  idle(buildTexts);

  var shownF = findings.map(function () { return true; });
  var shownG = groups.map(function () { return true; });
  function isShown(e) {
    var i = findings.indexOf(e);
    if (i >= 0) return shownF[i];
    i = groups.indexOf(e);
    return i >= 0 ? shownG[i] : true;
  }

  function apply() {
    var t0 = performance.now();
    var needle = filter.q.toLowerCase().trim();
    var words = needle ? needle.split(/\s+/) : [];
    if (words.length) buildTexts(null);
    function textOk(i) {
      if (!words.length) return true;
      var s = texts[i];
      for (var w = 0; w < words.length; w++) if (s.indexOf(words[w]) < 0) return false;
      return true;
    }
    // Facets: one class on the list per facet.
    var want = {}, cls = [];
    Object.keys(prefix).forEach(function (k) {
      if (!filter[k]) return;
      var i = facetIndex[k][filter[k]];
      want[k] = i === undefined ? -1 : i;
      rule(k, want[k]);
      cls.push('f' + prefix[k] + want[k]);
    });
    var lc = cls.join(' ');
    if (list && list.getAttribute('data-f') !== lc) {
      var old = list.getAttribute('data-f');
      (old ? old.split(' ') : []).forEach(function (c) { if (cls.indexOf(c) < 0) list.classList.remove(c); });
      cls.forEach(function (c) { list.classList.add(c); });
      list.setAttribute('data-f', lc);
    }
    var fv = cls.length ? findingValues() : null;
    var nf = 0, ng = 0, chunk = -1, inChunk = 0;
    function endChunk() {
      var c = chunks[chunk];
      if (!c) return;
      var hide = inChunk === 0;
      if (c.hidden !== hide) c.hidden = hide;
      var h = (inChunk * 2.6).toFixed(1) + 'em';
      if (c.style.containIntrinsicBlockSize !== h) c.style.containIntrinsicBlockSize = h;
    }
    for (var i = 0; i < findings.length; i++) {
      if (i % 100 === 0) { endChunk(); chunk++; inChunk = 0; }
      var e = findings[i];
      var ok = true;
      if (fv) for (var k in want) if (fv[i][k] !== want[k]) { ok = false; break; }
      var tok = textOk(i);
      // Only the search writes to rows, and only to those that change.
      if (e.hidden === tok) e.hidden = !tok;
      ok = ok && tok;
      shownF[i] = ok;
      if (ok) { nf++; inChunk++; }
    }
    endChunk();
    groups.forEach(function (e, j) {
      var ok = (!filter.state || e.getAttribute('data-state') === filter.state) &&
        textOk(findings.length + j);
      if (e.hidden === ok) e.hidden = !ok;
      shownG[j] = ok;
      if (ok) ng++;
    });
    var active = cls.length || filter.state || words.length;
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
  // A file's lines by number, from its runs [first line, text...].
  var srcCache = {};
  function srcLines(d, f) {
    if (srcCache[f]) return srcCache[f];
    var m = {};
    (d.src[f] || []).forEach(function (run) {
      for (var k = 1; k < run.length; k++) m[String(run[0] + k - 1)] = run[k];
    });
    return (srcCache[f] = m);
  }
  function renderExcerpts(det) {
    var box = det.querySelector('.excerpts');
    if (!box || box.getAttribute('data-done')) return;
    box.setAttribute('data-done', '1');
    var d = D();
    var locs = d.f[+det.id.slice(1)] || [];
    var items = det.querySelectorAll('ol.path > li');
    var byFile = [], index = {};
    locs.forEach(function (l, k) {
      var f = l[0];
      if (!(f in index)) { index[f] = byFile.length; byFile.push({ file: f, locs: [] }); }
      var pm = items[k] && items[k].querySelector('.pm');
      byFile[index[f]].locs.push({ line: l[1], mark: k === 0 ? '!' : String(k), msg: pm ? pm.textContent : '' });
    });
    byFile.forEach(function (g) {
      var src = srcLines(d, g.file);
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
    var d = D();
    var gd = d.groups[+det.getAttribute('data-g')] || ['', '', []];
    var ts = gd[2];
    while (box.firstChild) box.removeChild(box.firstChild);
    var table = el('table', 'threads');
    var head = el('tr');
    ['thread', 'tid', 'state', 'reason', 'waiting', 'parent', 'mutex owner / joins', 'created at', 'labels', 'findings']
      .forEach(function (h) { head.appendChild(el('th', null, h)); });
    table.appendChild(head);
    var max = limit || 200;
    ts.slice(0, max).forEach(function (t) {
      var tr = el('tr', 'thread');
      tr.id = 'p' + t[13] + 't' + t[0];
      tr.appendChild(el('td', null, '#' + t[0] + (t[2] ? ' ' + t[2] : '') + (t[8] ? ' (detached)' : '')));
      tr.appendChild(el('td', null, t[1]));
      tr.appendChild(el('td', null, gd[0]));
      tr.appendChild(el('td', null, gd[1] + (t[3] ? ' (' + t[3] + ')' : '') + (t[9] ? ', timed' : '') + (t[10] ? ' on ' + t[10] : '')));
      tr.appendChild(el('td', null, t[4] ? secs(t[4]) : ''));
      tr.appendChild(el('td', null, t[5] ? '#' + t[5] : ''));
      tr.appendChild(el('td', null, t[6] ? 'held by #' + t[6] : t[7] ? 'joins #' + t[7] : ''));
      tr.appendChild(el('td', null, t[12] >= 0 ? d.created[t[12]] : ''));
      tr.appendChild(el('td', null, (t[11] || []).map(function (kv) { return kv[0] + '=' + kv[1]; }).join(', ')));
      var fl = el('td');
      (t[14] || []).forEach(function (f) {
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
    if (det && !isShown(det)) clear();
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
    return findings.filter(function (e, i) { return shownF[i]; })
      .concat(groups.filter(function (e, i) { return shownG[i]; }));
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
