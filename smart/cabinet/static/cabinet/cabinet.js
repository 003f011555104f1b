/* Cabinet-wide behaviour: the side navigation toggle.
   Wide screens: the navigation is pinned on the left; the toggle hides it (remembered across pages).
   Narrow screens (phones): it is hidden; the toggle shows it over the page, Esc or a click outside closes it. */
(function () {
  "use strict";
  const key = "smart.sidenav";
  const narrow = window.matchMedia("(max-width: 800px)");
  const body = document.body;
  const toggles = document.querySelectorAll("[data-toggle-nav]");
  const nav = document.getElementById("sidenav");
  if (localStorage.getItem(key) === "hidden") body.classList.add("nav-hidden");
  function shown() { return narrow.matches ? body.classList.contains("nav-shown") : !body.classList.contains("nav-hidden"); }
  function sync() { toggles.forEach((b) => b.setAttribute("aria-expanded", String(shown()))); }
  toggles.forEach((b) => b.addEventListener("click", (ev) => {
    ev.stopPropagation();
    if (narrow.matches) body.classList.toggle("nav-shown");
    else {
      body.classList.toggle("nav-hidden");
      localStorage.setItem(key, body.classList.contains("nav-hidden") ? "hidden" : "shown");
    }
    sync();
  }));
  document.addEventListener("click", (ev) => {
    if (narrow.matches && body.classList.contains("nav-shown") && nav && !nav.contains(ev.target)) {
      body.classList.remove("nav-shown"); sync();
    }
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && body.classList.contains("nav-shown")) { body.classList.remove("nav-shown"); sync(); }
  });
  narrow.addEventListener("change", () => { body.classList.remove("nav-shown"); sync(); });
  sync();
})();
