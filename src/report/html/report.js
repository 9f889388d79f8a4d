// The report's only script: shows the selected step of a counterexample (its diff, what it
// read, the shared state after it). Inline, no network; the swimlanes work without it.
(function () {
  'use strict';
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function isObj(v) { return v !== null && typeof v === 'object'; }
  function flat(v) { return !isObj(v) || (Array.isArray(v) ? v.every(function (x) { return !isObj(x); }) : Object.keys(v).length === 0); }
  // Pretty JSON whose values at changed paths (or under them) are highlighted.
  function render(v, path, changed, indent) {
    var hit = changed.has(path);
    var out;
    var under = function (k) { return changed.has(path === '' ? k : path + '.' + k); };
    if (flat(v) && Array.isArray(v) && !hit && Object.keys(v).some(under)) {
      // A short array of values on one line, with the changed elements marked.
      out = '[' + v.map(function (x, i) { var t = esc(JSON.stringify(x)); return under(String(i)) ? '<mark>' + t + '</mark>' : t; }).join(',') + ']';
    } else if (flat(v)) out = esc(JSON.stringify(v));
    else {
      var pad = '  '.repeat(indent + 1);
      var keys = Object.keys(v);
      var arr = Array.isArray(v);
      var parts = keys.map(function (k) {
        var p = path === '' ? k : path + '.' + k;
        return pad + (arr ? '' : esc(JSON.stringify(k)) + ': ') + render(v[k], p, changed, indent + 1);
      });
      out = (arr ? '[' : '{') + '\n' + parts.join(',\n') + '\n' + '  '.repeat(indent) + (arr ? ']' : '}');
    }
    return hit ? '<mark>' + out + '</mark>' : out;
  }
  function list(items, empty) {
    return items.length ? '<ul class="diff">' + items.join('') + '</ul>' : '<p class="none">' + empty + '</p>';
  }
  function show(section, data, index) {
    var rows = section.querySelectorAll('tr.step');
    rows.forEach(function (r) { r.classList.toggle('selected', Number(r.dataset.step) === index); });
    var s = data.steps[index - 1];
    var changed = new Set(s.changes.map(function (c) { return c.path; }));
    var html = '<div class="nav"><button type="button" data-go="-1" aria-label="previous step">↑</button><button type="button" data-go="1" aria-label="next step">↓</button></div>' +
      '<h3 class="step-title">Step ' + s.index + ' of ' + data.steps.length + ' · ' + esc(s.thread) + ' on core ' + s.core + '</h3>' +
      '<p><code class="action">' + esc(s.action) + '</code><br><span class="source">' + esc(s.source) + '</span>' +
      (s.preempts ? '<br><span class="none">preemption: the thread that ran before could have continued</span>' : '') + '</p>' +
      (s.via.length ? '<p class="none">after local steps ' + esc(s.via.join(', ')) + '</p>' : '') +
      (s.failures.length ? '<h4>Assertions failed</h4><ul class="diff failures">' + s.failures.map(function (f) { return '<li>✗ ' + esc(f) + '</li>'; }).join('') + '</ul>' : '') +
      '<h4>Changes</h4>' + list(s.changes.map(function (c) {
        return '<li class="change"><span class="path">' + esc(c.path) + '</span>: <span class="old">' + esc(c.before) + '</span> → <span class="new">' + esc(c.after) + '</span></li>';
      }), 'no store to shared state') +
      '<h4>Read</h4>' + list(s.reads.map(function (c) {
        return '<li><span class="path">' + esc(c.path) + '</span> = ' + esc(c.value) + '</li>';
      }), 'nothing shared') +
      '<h4>Shared state after step ' + s.index + '</h4><pre class="state">' + render(s.state, '', changed, 0) + '</pre>';
    var detail = section.querySelector('.detail');
    detail.innerHTML = html;
    detail.dataset.step = String(index);
    detail.querySelectorAll('button[data-go]').forEach(function (b) {
      b.addEventListener('click', function () { go(section, data, index + Number(b.dataset.go)); });
    });
  }
  function go(section, data, index) {
    if (index < 1 || index > data.steps.length) return;
    show(section, data, index);
    var row = section.querySelector('tr.step[data-step="' + index + '"]');
    if (row) { row.focus({ preventScroll: true }); row.scrollIntoView({ block: 'nearest' }); }
  }
  document.querySelectorAll('section.cx').forEach(function (section) {
    var data = JSON.parse(section.querySelector('script.cx-data').textContent);
    section.querySelectorAll('tr.step').forEach(function (row) {
      var index = Number(row.dataset.step);
      row.addEventListener('click', function () { show(section, data, index); });
      row.addEventListener('keydown', function (e) {
        if (e.key === 'ArrowDown' || e.key === 'j') { e.preventDefault(); go(section, data, index + 1); }
        else if (e.key === 'ArrowUp' || e.key === 'k') { e.preventDefault(); go(section, data, index - 1); }
        else if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); show(section, data, index); }
      });
    });
    if (data.steps.length) show(section, data, data.steps.length); // start at the step that fails
  });
})();
