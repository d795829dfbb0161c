// The workbench's one script (issue 24): drag and drop onto the upload form, and the progress of a background job
// (compile, page images, the 督查 merge and report) shown in place. Everything works without it: the form posts as
// it is, and a page with a running job refreshes itself (<noscript> meta refresh) instead of being polled.
(function () {
  var job = document.getElementById("job");
  if (!job || !job.dataset.poll) return;
  var state = document.getElementById("job-state"), message = document.getElementById("job-message");
  function poll() {
    fetch(job.dataset.poll, {credentials: "same-origin", cache: "no-store"}).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (data) {
      if (!data || !data.state || data.state === "done" || data.state === "failed") {
        window.location.replace(job.dataset.page);  // the finished page: its result, the new page images
        return;
      }
      if (state) state.textContent = data.text;
      if (message) message.textContent = data.message;  // text, never markup
      window.setTimeout(poll, 1500);
    }).catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1500);
})();
(function () {
  var drop = document.getElementById("drop"), input = document.getElementById("files"),
      form = document.getElementById("upload-form");
  if (!drop || !input || !form) return;
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    if (!e.dataTransfer || !e.dataTransfer.files.length) return;
    input.files = e.dataTransfer.files;
    drop.firstChild.textContent = "正在上传 " + e.dataTransfer.files.length + " 个文件…";
    form.submit();
  });
})();
