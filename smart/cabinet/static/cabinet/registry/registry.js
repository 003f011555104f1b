/* Registry forms: an installation form shows the address fields for a polled installation and the
   CLIENTNAME field for one that pushes its reports. */
(function () {
  "use strict";
  const form = document.querySelector('form.regform[data-kind="installation"]');
  if (!form) return;
  const kind = form.querySelector("select[name=kind]");
  if (!kind) return;
  const pulledOnly = ["address", "port", "scheme", "licman_address", "licman_port", "smartlogin_password"];
  function sync() {
    const pushed = kind.value === "pushed", pulled = kind.value === "pulled";
    pulledOnly.forEach((name) => {
      const box = form.querySelector(`[data-field="${name}"]`);
      if (box) box.hidden = pushed;
    });
    const nameBox = form.querySelector('[data-field="name"]');
    if (nameBox) nameBox.hidden = pulled;
  }
  kind.addEventListener("change", sync);
  sync();
})();
