// The one-line embed: `<script src="<api>/public/forms/<formId>/embed.js" async></script>`.
// A small self-contained script (no dependencies, ES2017) that reads the published config from the
// CDN (`<cdn>/public/forms/<formId>/current.json`, then the versioned file it names; never the
// API), renders the form next to the script tag (or into `data-target`), fills hidden fields from
// the page's query string, and posts to the config's submit URL as a CORS "simple request"
// (text/plain JSON, no custom headers, so no preflight); the idempotency key travels in the body.
// Every tenant-supplied string is set with textContent or as a property, never parsed as HTML;
// colours are re-checked as hex. The config's shape is `publishedFormConfigSchema` (contracts):
// the script checks its format marker and the parts it reads, and shows "not available" otherwise.

/** The script, with the CDN's base URL baked in (the API serves it; it knows its CDN). */
export function embedScript(configBase: string): string {
  return embedSource.replace('__CONFIG_BASE__', () =>
    JSON.stringify(configBase.replace(/\/$/, '')),
  );
}

const embedSource = String.raw`(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var src = new URL(script.src, location.href);
  var match = src.pathname.match(/^(.*)\/public\/forms\/([^\/]+)\/embed\.js$/);
  if (!match) return;
  var api = src.origin + match[1];
  var formId = decodeURIComponent(match[2]);
  if (!/^fm_[0-9a-z]{20}$/.test(formId)) return;
  var cdn = __CONFIG_BASE__;
  var configDir = cdn + '/public/forms/' + formId + '/';
  var targetSelector = script.getAttribute('data-target');
  var mount = (targetSelector && document.querySelector(targetSelector)) || null;
  if (!mount) {
    mount = document.createElement('div');
    script.parentNode.insertBefore(mount, script.nextSibling);
  }
  mount.className = (mount.className ? mount.className + ' ' : '') + 'sb-form';

  function el(tag, props) {
    var node = document.createElement(tag);
    for (var k in props || {}) node[k] = props[k];
    return node;
  }
  function hex(value, fallback) {
    return typeof value === 'string' && /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(value) ? value : fallback;
  }
  function safeUrl(value) {
    try {
      var u = new URL(value, api);
      return u.protocol === 'https:' || u.origin === src.origin ? u.href : null;
    } catch (e) {
      return null;
    }
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + '-' + Math.random().toString(36).slice(2);
  }

  function getJson(url) {
    return fetch(url, { credentials: 'omit' }).then(function (res) {
      if (!res.ok) throw new Error('unavailable');
      return res.json();
    });
  }
  var pathPattern = new RegExp('^public/forms/' + formId + '/v[0-9]{1,9}[.][0-9a-f]{12}[.]json$');

  getJson(configDir + 'current.json')
    .then(function (pointer) {
      if (!pointer || pointer.format !== 'switchboard.form-config-pointer/1' || pointer.formId !== formId) throw new Error('invalid');
      if (pointer.status !== 'live' || !pathPattern.test(pointer.configPath)) throw new Error('unavailable');
      return getJson(cdn + '/' + pointer.configPath);
    })
    .then(function (cfg) {
      if (!cfg || cfg.format !== 'switchboard.form-config/1' || cfg.id !== formId || !Array.isArray(cfg.fields)) throw new Error('invalid');
      var submitUrl = typeof cfg.submitUrl === 'string' && safeUrl(cfg.submitUrl);
      if (!submitUrl) throw new Error('invalid');
      render(cfg, submitUrl);
    })
    .catch(function () {
      mount.textContent = 'This form is not available.';
    });

  function render(cfg, submitUrl) {
    var branding = cfg.branding || {};
    var colors = branding.colors || {};
    var primary = hex(colors.primary, '#2563eb');
    var text = hex(colors.text, '#111827');
    var form = el('form', { noValidate: true });
    form.style.cssText = 'font-family:system-ui,sans-serif;max-width:32rem;display:grid;gap:.75rem;padding:1rem;border-radius:.5rem;';
    form.style.color = text;
    form.style.background = hex(colors.background, '#ffffff');
    var logo = branding.logoUrl && safeUrl(branding.logoUrl);
    if (logo) {
      var img = el('img', { src: logo, alt: branding.displayName || '' });
      img.style.cssText = 'max-height:3rem;max-width:12rem;';
      form.appendChild(img);
    }
    var params = new URLSearchParams(location.search);
    var fields = [];
    cfg.fields.forEach(function (f) {
      if (f.type === 'hidden') {
        fields.push({ f: f, read: function () { return (f.queryParam && params.get(f.queryParam)) || f.defaultValue || ''; } });
        return;
      }
      var wrap = el('div');
      wrap.style.cssText = 'display:grid;gap:.25rem;';
      var id = 'sb-' + formId + '-' + f.key;
      var label = el('label', { htmlFor: id, textContent: f.label + (f.required ? ' *' : '') });
      var input;
      var read;
      if (f.type === 'textarea') {
        input = el('textarea', { id: id, rows: 4 });
      } else if (f.type === 'select') {
        input = el('select', { id: id });
        input.appendChild(el('option', { value: '', textContent: f.placeholder || '' }));
        (f.options || []).forEach(function (o) { input.appendChild(el('option', { value: o.value, textContent: o.label })); });
      } else if (f.type === 'multi-select') {
        input = el('div', { id: id });
        (f.options || []).forEach(function (o) {
          var box = el('input', { type: 'checkbox', value: o.value });
          var row = el('label');
          row.appendChild(box);
          row.appendChild(document.createTextNode(' ' + o.label));
          input.appendChild(row);
        });
        read = function () {
          return Array.prototype.filter.call(input.querySelectorAll('input'), function (b) { return b.checked; }).map(function (b) { return b.value; });
        };
      } else if (f.type === 'checkbox') {
        input = el('input', { id: id, type: 'checkbox' });
        read = function () { return input.checked; };
      } else {
        var types = { email: 'email', phone: 'tel', number: 'number', date: 'date' };
        input = el('input', { id: id, type: types[f.type] || 'text' });
      }
      if (f.placeholder && 'placeholder' in input) input.placeholder = f.placeholder;
      if (f.type !== 'checkbox') wrap.appendChild(label);
      wrap.appendChild(input);
      if (f.type === 'checkbox') wrap.appendChild(label);
      if (f.helpText) wrap.appendChild(el('small', { textContent: f.helpText }));
      var error = el('small', { role: 'alert' });
      error.style.color = '#b91c1c';
      wrap.appendChild(error);
      form.appendChild(wrap);
      fields.push({ f: f, error: error, read: read || function () { return input.value; } });
    });
    // Honeypot: invisible to people, tempting to bots.
    var trap = el('div', { ariaHidden: 'true' });
    trap.style.cssText = 'position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden;';
    var honey = el('input', { type: 'text', name: 'website', tabIndex: -1, autocomplete: 'off' });
    trap.appendChild(honey);
    form.appendChild(trap);
    var status = el('p', { role: 'status' });
    var button = el('button', { type: 'submit', textContent: cfg.submitLabel || 'Send' });
    button.style.cssText = 'padding:.6rem 1rem;border:0;border-radius:.375rem;color:#fff;cursor:pointer;';
    button.style.background = primary;
    form.appendChild(button);
    form.appendChild(status);
    mount.textContent = '';
    mount.appendChild(form);
    var key = newKey();

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var values = {};
      fields.forEach(function (x) {
        if (x.error) x.error.textContent = '';
        values[x.f.key] = x.read();
      });
      button.disabled = true;
      status.textContent = '';
      fetch(submitUrl, {
        method: 'POST',
        credentials: 'omit',
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify({ fields: values, website: honey.value, idempotencyKey: key }),
      })
        .then(function (res) {
          return res.json().catch(function () { return {}; }).then(function (body) { return { status: res.status, body: body }; });
        })
        .then(function (r) {
          button.disabled = false;
          if (r.status === 202) {
            var redirect = cfg.redirectUrl && safeUrl(cfg.redirectUrl);
            if (redirect) { location.assign(redirect); return; }
            mount.textContent = '';
            mount.appendChild(el('p', { textContent: cfg.successMessage || 'Thank you! We will be in touch.' }));
            return;
          }
          var err = (r.body && r.body.error) || {};
          if (r.status === 422 && err.fields) {
            fields.forEach(function (x) { if (x.error && err.fields[x.f.key]) x.error.textContent = err.fields[x.f.key]; });
            status.textContent = err.message || 'Please check the form.';
          } else if (r.status === 429) {
            status.textContent = 'Too many attempts. Please wait a moment and try again.';
          } else {
            status.textContent = 'Something went wrong. Please try again.';
          }
          key = newKey();
        })
        .catch(function () {
          button.disabled = false;
          status.textContent = 'Could not send. Check your connection and try again.';
        });
    });
  }
})();
`;
