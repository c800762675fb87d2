// Progressive enhancement of the letter form; the form works the same without it.
(function () {
  var form = document.querySelector("form.letter");
  if (!form) return;
  var text = form.querySelector("#text");
  var county = form.querySelector("#county");
  var files = form.querySelector("#attachments");
  var token = form.querySelector("input[name=csrf_token]").value;

  // Recognise the county from the text as soon as the citizen leaves the text box.
  text.addEventListener("change", function () {
    if (county.value || !window.fetch) return;
    var body = new FormData();
    body.append("csrf_token", token);
    body.append("text", text.value);
    fetch(form.dataset.locate, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (found) { if (found && found.county && !county.value) county.value = found.county; })
      .catch(function () {});
  });

  // Tell about too many or too large attachments before a long upload on a slow line.
  files.addEventListener("change", function () {
    var max = parseInt(form.dataset.maxFiles, 10), mb = parseInt(form.dataset.maxMb, 10), problem = "";
    if (files.files.length > max) problem = "最多上传" + max + "个附件";
    for (var i = 0; i < files.files.length && !problem; i++) {
      if (files.files[i].size > mb * 1024 * 1024) problem = "附件“" + files.files[i].name + "”超过" + mb + "MB";
    }
    files.setCustomValidity(problem);
    if (problem) files.reportValidity();
  });

  // One tap, one letter: the button is disabled while the letter is on its way.
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.value === "submit") {
      setTimeout(function () { button.disabled = true; button.textContent = "正在提交…"; }, 0);
    }
  });
})();
