// huiqi pages: small enhancements; every page also works without this script.
(function () {
  "use strict";

  // A header checkbox ticks every checkbox of the same name in its form.
  document.querySelectorAll("input[data-check-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var form = box.form || document;
      form.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]').forEach(function (other) {
        other.checked = box.checked;
      });
    });
  });

  // Buttons that do a lot at once ask first.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });

  // A running job's page follows its progress without reloading, then shows the result.
  var job = document.querySelector("[data-job]");
  if (job) {
    var bar = document.getElementById("job-bar");
    var step = document.getElementById("job-step");
    var elapsed = document.getElementById("job-elapsed");
    var poll = function () {
      fetch("/jobs/" + job.dataset.job + "/progress", { credentials: "same-origin", cache: "no-store" })
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (state) {
          if (!state) { return; }
          if (state.state !== "running") { window.location.reload(); return; }
          step.textContent = state.step;
          elapsed.textContent = Math.round(state.elapsed);
          if (state.percent === null) { bar.removeAttribute("value"); } else { bar.value = state.percent; }
          window.setTimeout(poll, 600);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    window.setTimeout(poll, 400);
  }

  // Forms that upload show that the upload is under way.
  document.querySelectorAll('form[enctype="multipart/form-data"]').forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector('button[type=submit]');
      if (button) { button.disabled = true; button.textContent = "正在上传……"; }
    });
  });
})();
