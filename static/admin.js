// Back office enhancements. Every form works without this file; it adds the live
// Markdown preview and the paywall-cut button to the article editor.
(function () {
  'use strict';
  var body = document.getElementById('body');
  var pane = document.getElementById('live-preview');
  var form = body && body.form;
  if (body && pane && form) {
    var timer = null;
    var csrf = form.querySelector('input[name=csrf]');
    var refresh = function () {
      var data = new URLSearchParams();
      data.set('csrf', csrf ? csrf.value : '');
      data.set('body', body.value);
      fetch('/admin/preview', { method: 'POST', body: data, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { pane.innerHTML = html; pane.setAttribute('data-ready', '1'); })
        .catch(function () { pane.textContent = 'Preview unavailable; save to see the article.'; });
    };
    body.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    refresh();
    var cut = document.getElementById('insert-cut');
    if (cut) {
      cut.hidden = false;
      cut.addEventListener('click', function () {
        var marker = '\n<!-- paywall -->\n';
        var at = body.selectionStart || body.value.length;
        body.value = body.value.slice(0, at) + marker + body.value.slice(at);
        body.focus();
        refresh();
      });
    }
  }
  var headline = document.getElementById('headline');
  var slug = document.getElementById('slug');
  if (headline && slug && !slug.value) {
    headline.addEventListener('input', function () {
      slug.placeholder = headline.value.toLowerCase().normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    });
  }
})();
