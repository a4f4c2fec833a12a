// Render /openapi.json as a readable list of endpoints (no CDN, no framework).
(function () {
  'use strict';
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  fetch('/openapi.json').then(function (r) { return r.json(); }).then(function (spec) {
    var main = document.getElementById('docs');
    main.textContent = '';
    main.appendChild(el('p', '', spec.info.description || ''));
    Object.keys(spec.paths).sort().forEach(function (path) {
      var ops = spec.paths[path];
      Object.keys(ops).forEach(function (method) {
        var op = ops[method];
        var sec = el('section', 'endpoint');
        var h = el('h2');
        h.appendChild(el('span', 'method ' + method, method.toUpperCase()));
        h.appendChild(el('code', '', ' ' + path));
        sec.appendChild(h);
        sec.appendChild(el('p', '', op.description || op.summary || ''));
        var params = op.parameters || [];
        if (params.length) {
          var t = el('table');
          var head = el('tr');
          ['name', 'in', 'type', 'required', 'description'].forEach(function (c) { head.appendChild(el('th', '', c)); });
          t.appendChild(head);
          params.forEach(function (p) {
            var row = el('tr');
            var s = p.schema || {};
            var type = s.type === 'array' ? 'array of ' + ((s.items || {}).type || '') : (s.type || '');
            if (s.default !== undefined) type += ' = ' + JSON.stringify(s.default);
            [p.name, p.in, type, p.required ? 'yes' : '', p.description || (s.description || '')].forEach(function (c) {
              row.appendChild(el('td', '', String(c)));
            });
            t.appendChild(row);
          });
          sec.appendChild(t);
        }
        main.appendChild(sec);
      });
    });
  });
})();
