/* Cabinet-wide behaviour: the side navigation toggle (kept across pages). */
(function () {
  "use strict";
  const key = "smart.sidenav";
  if (localStorage.getItem(key) === "hidden") document.body.classList.add("nav-hidden");
  document.querySelectorAll("[data-toggle-nav]").forEach((b) => b.addEventListener("click", () => {
    document.body.classList.toggle("nav-hidden");
    localStorage.setItem(key, document.body.classList.contains("nav-hidden") ? "hidden" : "shown");
  }));
})();
