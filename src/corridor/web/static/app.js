// The dashboard: send the form, swap in the server-rendered result, keep links in step.
(function () {
  'use strict';
  var form = document.getElementById('query');
  var result = document.getElementById('result');
  var status = document.getElementById('status');
  var seq = 0;
  // With CORRIDOR_API_TOKEN set, the page carries the token only when opened as /?token=….
  var tokenMeta = document.querySelector('meta[name=corridor-token]');
  var auth = tokenMeta ? { Authorization: 'Bearer ' + tokenMeta.content } : {};
  var running = null;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== '') params.append(key, value);
    });
    return params.toString();
  }

  function restore() {
    var params = new URLSearchParams(window.location.search);
    ['origin', 'destination', 'commodity', 'scenario', 'growth'].forEach(function (key) {
      if (params.has(key)) form.elements[key].value = params.get(key);
    });
    var picked = params.getAll('close').concat(params.getAll('intervention'));
    form.querySelectorAll('input[type=checkbox]').forEach(function (box) {
      box.checked = picked.indexOf(box.value) >= 0;
    });
    form.querySelectorAll('select[multiple] option').forEach(function (opt) {
      opt.selected = picked.indexOf(opt.value) >= 0;
    });
    if (!params.has('origin') && form.querySelector('.pair')) pick(form.querySelector('.pair'), false);
  }

  function pick(button, go) {
    form.elements.origin.value = button.dataset.origin;
    form.elements.destination.value = button.dataset.destination;
    if (button.dataset.commodity) form.elements.commodity.value = button.dataset.commodity;
    if (go) update();
  }

  function update() {
    var q = query();
    var mine = ++seq;
    result.setAttribute('aria-busy', 'true');
    status.textContent = 'Computing…';
    document.getElementById('dl-json').href = '/api/analyze?' + q;
    document.getElementById('dl-report').href = '/api/report?' + q;
    return fetch('/ui/result?' + q).then(function (r) {
      return r.text().then(function (html) { return { ok: r.ok, html: html }; });
    }).then(function (answer) {
      if (mine !== seq) return;
      result.innerHTML = answer.html;
      result.dataset.query = q;
      result.removeAttribute('aria-busy');
      status.textContent = answer.ok ? '' : 'The server could not answer this question (see above).';
      window.history.replaceState(null, '', '?' + q);
      document.body.dataset.ready = String(mine);
    }).catch(function (err) {
      if (mine !== seq) return;
      result.removeAttribute('aria-busy');
      status.textContent = 'Network error: ' + err;
    });
  }

  function simulate() {
    var bar = document.getElementById('sim-progress');
    var reps = document.getElementById('replications').value;
    bar.hidden = false;
    bar.value = 0;
    status.textContent = 'Simulating…';
    fetch('/api/simulate?' + query() + '&replications=' + encodeURIComponent(reps),
      { method: 'POST', headers: auth })
      .then(function (r) { return r.json().then(function (job) { return { ok: r.ok, job: job }; }); })
      .then(function (answer) {
        if (!answer.ok) {
          var why = answer.job.detail;
          status.textContent = 'Simulation refused: ' + (typeof why === 'string' ? why : JSON.stringify(why));
          return;
        }
        running = answer.job.id;
        document.getElementById('sim-cancel').hidden = false;
        poll(answer.job.id, bar);
      })
      .catch(function (err) { status.textContent = 'Network error: ' + err; });
  }

  function poll(id, bar) {
    fetch('/api/jobs/' + id).then(function (r) { return r.json(); }).then(function (job) {
      bar.value = job.progress;
      if (job.state === 'queued' || job.state === 'running' || job.state === 'cancelling') {
        status.textContent = job.state === 'queued' ? 'Waiting for a free worker…'
          : 'Simulating… ' + Math.round(100 * job.progress) + ' %';
        setTimeout(function () { poll(id, bar); }, 400);
        return;
      }
      if (running === id) { running = null; document.getElementById('sim-cancel').hidden = true; }
      if (job.state === 'cancelled') { status.textContent = 'Simulation cancelled.'; return; }
      if (job.state === 'failed') { status.textContent = 'Simulation failed: ' + job.error; return; }
      return fetch('/ui/job/' + id).then(function (r) { return r.text(); }).then(function (html) {
        var box = document.getElementById('sim-result');
        box.innerHTML = html;
        box.dataset.job = id;
        status.textContent = 'Simulation done.';
        box.scrollIntoView({ block: 'start', behavior: 'smooth' });
      });
    }).catch(function (err) { status.textContent = 'Network error: ' + err; });
  }

  form.addEventListener('change', function () { update(); });
  form.addEventListener('submit', function (e) { e.preventDefault(); update(); });
  form.querySelectorAll('.pair').forEach(function (b) {
    b.addEventListener('click', function () { pick(b, true); });
  });
  var sim = document.getElementById('simulate');
  if (sim) sim.addEventListener('click', simulate);
  var cancel = document.getElementById('sim-cancel');
  if (cancel) cancel.addEventListener('click', function () {
    if (running) fetch('/api/jobs/' + running + '/cancel', { method: 'POST', headers: auth });
  });

  // Tooltips for every element with data-tip (map, charts).
  var tip = document.createElement('div');
  tip.className = 'tcd-tip';
  document.body.appendChild(tip);
  document.addEventListener('mouseover', function (e) {
    var t = e.target.closest ? e.target.closest('[data-tip]') : null;
    if (!t) { tip.style.display = 'none'; return; }
    tip.textContent = t.getAttribute('data-tip');
    tip.style.display = 'block';
  });
  document.addEventListener('mousemove', function (e) {
    tip.style.left = (e.clientX + 12) + 'px';
    tip.style.top = (e.clientY + 12) + 'px';
  });

  restore();
  update();
})();
