// The workbench's one script (issue 24): drag and drop onto the upload form. Everything works without it.
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
