// The image upload page (images/upload.html). Two requests: the form is checked first
// (POST, answered with the form's messages or with where to send the file), then the
// file itself is PUT there, its progress shown as the browser sends it. The portal
// streams it on into the image service as it arrives and deletes the half-made image
// if the upload breaks off or is refused, so a failure leaves nothing behind.
(function () {
  "use strict";

  function part(form, name) {
    return form.querySelector(`[data-upload-${name}]`);
  }

  function mib(bytes) {
    return `${(bytes / 1048576).toFixed(1)} MiB`;
  }

  function showError(form, text) {
    const box = part(form, "error");
    box.textContent = text;
    box.hidden = false;
  }

  function busy(form, on) {
    form.querySelector("[type=submit]").disabled = on;
    part(form, "cancel").hidden = !on;
  }

  // The server's copy of the fields, with its messages; the chosen file input is moved
  // into it, so the file stays chosen.
  function swapFields(form, html, fileInput) {
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.querySelector("[data-upload-fields]");
    fresh.querySelector("[data-upload-file]").replaceWith(fileInput);
    part(form, "fields").replaceWith(fresh);
    const firstError = fresh.querySelector(".field-error, [data-testid=form-error]");
    if (firstError) firstError.scrollIntoView({ block: "center" });
  }

  function send(form, file, url, csrf) {
    const box = part(form, "progress");
    const bar = box.querySelector("progress");
    const status = part(form, "status");
    const xhr = new XMLHttpRequest();
    box.hidden = false;
    bar.value = 0;
    status.textContent = `0% of ${mib(file.size)}`;
    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const pct = Math.floor((event.loaded * 100) / event.total);
      bar.value = pct;
      status.textContent = `${pct}% — ${mib(event.loaded)} of ${mib(event.total)}`;
    });
    xhr.upload.addEventListener("load", () => {
      bar.value = 100;
      status.textContent = "Sent; the image service is storing it…";
    });
    xhr.addEventListener("load", () => {
      let answer = {};
      try {
        answer = JSON.parse(xhr.responseText);
      } catch (error) {
        answer = {};
      }
      if (xhr.status === 200 && answer.ok) {
        status.textContent = answer.message;
        window.location.assign(answer.image_url);
        return;
      }
      box.hidden = true;
      showError(form, answer.message || `The upload failed (the portal answered ${xhr.status}).`);
      busy(form, false);
    });
    xhr.addEventListener("error", () => {
      box.hidden = true;
      showError(form, "The upload broke off: the connection to the portal was lost. The " +
        "half-made image is deleted, nothing is left; try again.");
      busy(form, false);
    });
    xhr.addEventListener("abort", () => {
      box.hidden = true;
      showError(form, "Upload cancelled. The half-made image is deleted; nothing is left.");
      busy(form, false);
    });
    part(form, "cancel").onclick = () => xhr.abort();
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.send(file);
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-image-upload]");
    if (!form) return;
    event.preventDefault();
    const fileInput = part(form, "file");
    const file = fileInput.files[0];
    form.querySelector("[name=file_size]").value = file ? String(file.size) : "";
    form.querySelector("[name=file_name]").value = file ? file.name : "";
    const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
    part(form, "error").hidden = true;
    busy(form, true);
    part(form, "cancel").hidden = true;
    let answer;
    try {
      const resp = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
      });
      answer = await resp.json();
    } catch (error) {
      showError(form, `The portal did not answer (${error.message}); nothing was uploaded.`);
      busy(form, false);
      return;
    }
    if (!answer.ok) {
      swapFields(form, answer.form, fileInput);
      busy(form, false);
      return;
    }
    busy(form, true);
    send(form, file, answer.upload_url, csrf);
  });
})();
