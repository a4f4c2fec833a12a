// The appraisal page: queue the job, follow its progress, swap in the server-rendered result.
(function () {
  'use strict';
  var form = document.getElementById('appraisal-form');
  var bar = document.getElementById('appraisal-progress');
  var status = document.getElementById('appraisal-status');
  var box = document.getElementById('appraisal-result');
  var cancel = document.getElementById('appraisal-cancel');
  var run = document.getElementById('appraisal-run');
  var tokenMeta = document.querySelector('meta[name=corridor-token]');
  var auth = tokenMeta ? { Authorization: 'Bearer ' + tokenMeta.content } : {};
  var running = null;

  function done(text) {
    running = null;
    cancel.hidden = true;
    run.disabled = false;
    status.textContent = text;
  }

  function start() {
    var f = form.elements;
    var params = new URLSearchParams({
      scenario: f.scenario.value,
      budget_usd: String(Number(f.budget_m.value) * 1e6),
      discount_rate: f.discount_rate.value
    });
    bar.hidden = false;
    bar.max = 1;
    bar.value = 0;
    run.disabled = true;
    status.textContent = 'Queueing the appraisal…';
    fetch('/api/appraise?' + params.toString(), { method: 'POST', headers: auth })
      .then(function (r) { return r.json().then(function (job) { return { ok: r.ok, job: job }; }); })
      .then(function (answer) {
        if (!answer.ok) {
          var why = answer.job.detail;
          done('Appraisal refused: ' + (typeof why === 'string' ? why : JSON.stringify(why)));
          return;
        }
        running = answer.job.id;
        box.dataset.job = running;
        cancel.hidden = false;
        poll(running);
      })
      .catch(function (err) { done('Network error: ' + err); });
  }

  function poll(id) {
    fetch('/api/jobs/' + id).then(function (r) { return r.json(); }).then(function (job) {
      // the bar follows the batch of model runs under way: its size is known before it starts
      if (job.total > 0) { bar.max = job.total; bar.value = job.done; }
      if (job.state === 'queued' || job.state === 'running' || job.state === 'cancelling') {
        status.textContent = job.state === 'queued' ? 'Waiting for a free worker…'
          : job.state === 'cancelling' ? 'Cancelling…'
          : job.total > 0 ? 'Appraising: ' + job.phase + ', ' + job.done + ' of ' + job.total
            + ' model runs'
          : 'Appraising: preparing the base…';
        setTimeout(function () { poll(id); }, 500);
        return;
      }
      if (job.state === 'done') { bar.max = 1; bar.value = 1; }
      if (job.state === 'cancelled') { done('Appraisal cancelled.'); return; }
      if (job.state === 'failed') { done('Appraisal failed: ' + job.error); return; }
      return fetch('/ui/appraisal/' + id).then(function (r) { return r.text(); }).then(function (html) {
        box.innerHTML = html;
        box.dataset.done = id;
        done('Appraisal done.');
      });
    }).catch(function (err) { done('Network error: ' + err); });
  }

  form.addEventListener('submit', function (e) { e.preventDefault(); start(); });
  cancel.addEventListener('click', function () {
    if (running) fetch('/api/jobs/' + running + '/cancel', { method: 'POST', headers: auth });
  });
})();
