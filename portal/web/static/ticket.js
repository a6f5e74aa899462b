// Sportello online: the live part of a ticket's page. Without it the page
// says everything as of its loading; with it, the position and the wait
// follow the line over server-sent events, and the page alerts (sound,
// vibration, a browser notification if allowed) when the turn is near and
// when the ticket is called, saying the counter in large type.
(function () {
  "use strict";
  var box = document.getElementById("ticket-live");
  if (!box || !window.EventSource) {
    return;
  }
  var d = box.dataset;
  var audio = null;
  var told = { near: false, called: false };

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }

  function beep() {
    if (!audio) {
      return;
    }
    try {
      var o = audio.createOscillator();
      var g = audio.createGain();
      o.frequency.value = 880;
      g.gain.value = 0.2;
      o.connect(g);
      g.connect(audio.destination);
      o.start();
      o.stop(audio.currentTime + 0.5);
    } catch (e) { /* no sound: the text and the vibration remain */ }
  }

  function alertNow(text) {
    beep();
    if (navigator.vibrate) {
      navigator.vibrate([300, 150, 300]);
    }
    if (window.Notification && Notification.permission === "granted") {
      try { new Notification(d.label, { body: text }); } catch (e) { /* some phones only notify from a service worker */ }
    }
  }

  var button = document.getElementById("ticket-alerts");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var AC = window.AudioContext || window.webkitAudioContext;
      if (AC && !audio) {
        audio = new AC();
      }
      if (window.Notification && Notification.permission === "default") {
        Notification.requestPermission();
      }
      button.hidden = true;
      var ok = document.getElementById("ticket-alerts-on");
      if (ok) {
        ok.hidden = false;
      }
    });
  }

  function show(lines, called) {
    box.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      if (called) {
        p.className = "called";
      }
      box.appendChild(p);
    });
  }

  var stream = new EventSource(d.events);
  stream.onmessage = function (m) {
    var t = JSON.parse(m.data);
    if (t.called) {
      var text = fill(d.tCalled, { counter: t.counter });
      show([text], true);
      if (!told.called) {
        told.called = true;
        alertNow(text);
      }
      return;
    }
    if (t.over) {
      show([d.tOver], false);
      stream.close();
      return;
    }
    var lines = [fill(d.tAhead, { ahead: t.ahead }), fill(d.tWait, { minutes: t.minutes })];
    if (t.state === "remote") {
      lines.push(d.tRemote);
    }
    show(lines, false);
    if (t.near && !told.near) {
      told.near = true;
      alertNow(lines[0]);
    }
  };
})();
