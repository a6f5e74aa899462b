/* The kiosk: a touch on a service takes a ticket and shows its number,
   the people ahead, the estimated wait and a QR code to follow it from a
   phone. Plain ES5. */
(function () {
  'use strict';

  var italian = {};
  var busy = false;
  var back = null;

  function $(id) { return document.getElementById(id); }
  function text(el, s) { el.textContent = s; }

  function request(method, url, body, done) {
    var x = new XMLHttpRequest();
    x.open(method, url);
    x.timeout = 15000;
    x.setRequestHeader('Content-Type', 'application/json');
    x.onload = function () {
      var data = null;
      try { data = JSON.parse(x.responseText); } catch (e) { data = null; }
      done(x.status, data);
    };
    x.onerror = x.ontimeout = function () { done(0, null); };
    x.send(body ? JSON.stringify(body) : null);
  }

  // say is the Italian of the server's refusal.
  function say(err) {
    if (!err || !err.message) { return 'Il servizio non risponde: riprovi tra poco o si rivolga al personale.'; }
    var t = italian[err.message];
    if (!t) { return 'Si \u00e8 verificato un errore: riprovi o si rivolga al personale.'; }
    var args = err.args || {};
    return t.replace(/\{\{\s*\.(\w+)\s*\}\}/g, function (_, k) { return args[k] === undefined ? '' : String(args[k]); });
  }

  function problem(msg) {
    var p = $('kiosk-problem');
    text(p, msg || '');
    p.hidden = !msg;
  }

  function reset() {
    if (back) { clearTimeout(back); back = null; }
    $('ticket').hidden = true;
    $('priority').checked = false;
    $('code').value = '';
    busy = false;
  }

  function show(r) {
    problem('');
    text($('ticket-number'), r.label);
    text($('ticket-service'), r.service_name + (r.priority ? ' \u2014 con precedenza' : ''));
    text($('ticket-ahead'), r.ahead === 0 ? 'Nessuno \u00e8 prima di lei.' :
      r.ahead === 1 ? 'C\u2019\u00e8 1 persona prima di lei.' : 'Ci sono ' + r.ahead + ' persone prima di lei.');
    text($('ticket-wait'), r.ahead === 0 || !r.wait_minutes ? 'Sar\u00e0 chiamato a breve.' :
      r.wait_minutes === 1 ? 'Attesa stimata: circa un minuto.' : 'Attesa stimata: circa ' + r.wait_minutes + ' minuti.');
    $('ticket-qr').src = r.url + '/qr.png';
    $('ticket').hidden = false;
    back = setTimeout(reset, 12000);
  }

  function take(url, body) {
    if (busy) { return; }
    busy = true;
    request('POST', url, body, function (status, data) {
      if (status === 200 && data) {
        show(data);
        return;
      }
      busy = false;
      problem(say(data));
    });
  }

  var buttons = document.querySelectorAll('[data-service]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].onclick = function () {
      take('/v1/queue/kiosk/issue', { service: this.getAttribute('data-service'), priority: $('priority').checked });
    };
  }
  $('checkin').onsubmit = function (ev) {
    ev.preventDefault();
    var code = $('code').value.replace(/^\s+|\s+$/g, '');
    if (code) { take('/v1/queue/kiosk/check-in', { code: code }); }
  };
  $('ticket-done').onclick = reset;

  request('GET', '/web/it.json', null, function (status, data) {
    if (status === 200 && data) { italian = data; }
  });
  // The open services change during the day: reload when idle.
  setInterval(function () { if (!busy) { window.location.reload(); } }, 5 * 60 * 1000);
}());
