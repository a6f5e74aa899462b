/* Scans the certificate's QR code with the camera where the browser can
   (BarcodeDetector); pasting the text always works. Plain ES5. */
(function () {
  'use strict';
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  var scan = document.getElementById('scan');
  var video = document.getElementById('camera');
  var text = document.getElementById('text');
  scan.hidden = false;
  scan.onclick = function () {
    var detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      function stop() {
        stream.getTracks().forEach(function (t) { t.stop(); });
        video.hidden = true;
      }
      function look() {
        detector.detect(video).then(function (codes) {
          if (codes.length > 0) {
            stop();
            text.value = codes[0].rawValue;
            text.form.submit();
            return;
          }
          setTimeout(look, 250);
        }, function () { setTimeout(look, 500); });
      }
      look();
    }, function () {
      scan.hidden = true;
    });
  };
}());
