/* The waiting-room board: follows the queue's events (server-sent events,
   or polling where the browser has none), shows and speaks each call, and
   redraws the last calls and the lines from the server's status. Plain
   ES5 for the browsers of smart TVs. */
(function () {
  'use strict';

  var status = JSON.parse(document.getElementById('initial').textContent || '{}');
  var cursor = status.seq || 0; // the last event seen
  var shownAt = 0;              // when the call on screen was made (ms)
  var voiceOn = false;
  var failures = 0;
  var polling = false;
  var refreshTimer = null;

  function $(id) { return document.getElementById(id); }

  function get(url, done) {
    var x = new XMLHttpRequest();
    x.open('GET', url);
    x.timeout = 10000;
    x.onload = function () {
      if (x.status === 200) {
        try { done(null, JSON.parse(x.responseText)); } catch (e) { done(e); }
      } else {
        done(new Error('status ' + x.status));
      }
    };
    x.onerror = x.ontimeout = function () { done(new Error('network')); };
    x.send();
  }

  function text(el, s) { el.textContent = s; }

  function counterName(code) {
    var cs = status.counters || [];
    for (var i = 0; i < cs.length; i++) {
      if (cs[i].code === code) { return cs[i].name; }
    }
    return code ? 'Sportello ' + code : '';
  }

  function problem(msg) {
    var p = $('problem');
    text(p, msg || '');
    p.hidden = !msg;
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function tick() {
    var d = new Date();
    text($('clock'), pad(d.getHours()) + ':' + pad(d.getMinutes()));
  }

  // spoken reads a label as the voice should say it: "A012" is "A 12".
  function spoken(label) {
    var m = /^([A-Z]+)0*(\d+)$/.exec(label || '');
    return m ? m[1].split('').join(' ') + ' ' + m[2] : label;
  }

  function speak(call) {
    if (!voiceOn || !window.speechSynthesis || !window.SpeechSynthesisUtterance) { return; }
    var u = new SpeechSynthesisUtterance('Numero ' + spoken(call.label) + ', ' + counterName(call.counter).toLowerCase());
    u.lang = 'it-IT';
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^it/i.test(voices[i].lang)) { u.voice = voices[i]; break; }
    }
    window.speechSynthesis.speak(u);
  }

  function flash() {
    var box = document.querySelector('.call');
    box.className = 'call';
    void box.offsetWidth; // restart the animation
    box.className = 'call flash';
  }

  function show(call, at, announce) {
    shownAt = at;
    text($('call-number'), call.label);
    text($('call-counter'), counterName(call.counter));
    if (announce) {
      flash();
      speak(call);
    }
  }

  function render(st) {
    status = st;
    var rows = [];
    var calls = st.last_calls || [];
    var body = $('history');
    while (body.firstChild) { body.removeChild(body.firstChild); }
    for (var i = 0; i < calls.length; i++) {
      var tr = document.createElement('tr');
      var a = document.createElement('td');
      a.className = 'label';
      text(a, calls[i].label);
      var b = document.createElement('td');
      text(b, counterName(calls[i].counter));
      tr.appendChild(a);
      tr.appendChild(b);
      rows.push(tr);
      body.appendChild(tr);
    }
    if (calls.length > 0) {
      var at = Date.parse(calls[0].called_at) || 0;
      if (at > shownAt) { show(calls[0], at, false); }
    } else {
      text($('call-number'), '\u2014');
      text($('call-counter'), '');
      shownAt = 0;
    }
    var list = $('lines');
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var svs = st.services || [];
    for (var j = 0; j < svs.length; j++) {
      if (!svs[j].open && !svs[j].waiting) { continue; }
      var li = document.createElement('li');
      var parts = [['code', svs[j].code], ['name', svs[j].name], ['count', String(svs[j].waiting)]];
      for (var k = 0; k < parts.length; k++) {
        var s = document.createElement('span');
        s.className = parts[k][0];
        text(s, parts[k][1]);
        li.appendChild(s);
      }
      list.appendChild(li);
    }
  }

  // refresh redraws from the status soon, once for a burst of events.
  function refresh() {
    if (refreshTimer) { return; }
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      get('/v1/queue/status', function (err, st) {
        if (err) { problem('Impossibile aggiornare il tabellone: nuovo tentativo in corso\u2026'); return; }
        problem('');
        render(st);
      });
    }, 300);
  }

  function onEvent(e) {
    if (e.seq <= cursor) { return; }
    cursor = e.seq;
    if (e.action === 'call' || e.action === 'recall' || e.action === 'resume') {
      show(e, Date.parse(e.at) || new Date().getTime(), true);
    }
    refresh();
  }

  function onFull(st) {
    cursor = st.seq;
    render(st);
  }

  function poll() {
    polling = true;
    get('/v1/queue/events?poll=1&after=' + cursor, function (err, page) {
      if (err) {
        problem('Connessione al server persa: nuovo tentativo in corso\u2026');
      } else {
        problem('');
        if (page.full) { onFull(page.full); }
        for (var i = 0; i < page.events.length; i++) { onEvent(page.events[i]); }
        cursor = Math.max(cursor, page.seq);
      }
      setTimeout(poll, 3000);
    });
  }

  function follow() {
    if (!window.EventSource) { poll(); return; }
    var es = new window.EventSource('/v1/queue/events?after=' + cursor);
    es.onopen = function () { failures = 0; problem(''); };
    es.onmessage = function (m) { failures = 0; onEvent(JSON.parse(m.data)); };
    es.addEventListener('full', function (m) { failures = 0; onFull(JSON.parse(m.data)); });
    es.onerror = function () {
      failures++;
      problem('Connessione al server persa: nuovo tentativo in corso\u2026');
      // The browser reconnects by itself with Last-Event-ID; if it keeps
      // failing or gives up, poll instead.
      if (es.readyState === 2 || failures > 5) {
        es.close();
        if (!polling) { poll(); }
      }
    };
  }

  $('voice').onclick = function () {
    voiceOn = true;
    $('voice').hidden = true;
    if (window.speechSynthesis && window.SpeechSynthesisUtterance) {
      var u = new SpeechSynthesisUtterance('Annunci vocali attivi');
      u.lang = 'it-IT';
      window.speechSynthesis.speak(u);
    }
  };
  if (!window.speechSynthesis) { $('voice').hidden = true; }

  tick();
  setInterval(tick, 1000);
  render(status);
  follow();
}());
