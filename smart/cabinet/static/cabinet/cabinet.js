/* Cabinet-wide behaviour: the side navigation toggle.
   Wide screens, docked (default): the navigation is pinned on the left; the toggle hides it (remembered across pages).
   Wide screens, undocked ("Unpin the menu", remembered): hidden; the toggle opens it over the page like on a phone.
   Narrow screens (phones): it is hidden; the toggle shows it over the page, Esc or a click outside closes it. */
(function () {
  "use strict";
  const key = "smart.sidenav";
  const narrow = window.matchMedia("(max-width: 800px)");
  const body = document.body;
  const toggles = document.querySelectorAll("[data-toggle-nav]");
  const dockKey = "smart.sidenav.dock";
  const nav = document.getElementById("sidenav");
  const dock = document.querySelector("[data-dock-nav]");
  if (localStorage.getItem(key) === "hidden") body.classList.add("nav-hidden");
  if (localStorage.getItem(dockKey) === "undocked") body.classList.add("nav-undocked");
  function overlay() { return narrow.matches || body.classList.contains("nav-undocked"); }
  function shown() { return overlay() ? body.classList.contains("nav-shown") : !body.classList.contains("nav-hidden"); }
  function sync() {
    toggles.forEach((b) => b.setAttribute("aria-expanded", String(shown())));
    if (dock) {
      const docked = !body.classList.contains("nav-undocked");
      dock.setAttribute("aria-pressed", String(docked));
      dock.textContent = dock.title = docked ? dock.dataset.labelUndock : dock.dataset.labelDock;
    }
  }
  if (dock) dock.addEventListener("click", (ev) => {
    ev.stopPropagation();
    const undock = !body.classList.contains("nav-undocked");
    body.classList.toggle("nav-undocked", undock);
    body.classList.remove("nav-shown", "nav-hidden");
    localStorage.setItem(dockKey, undock ? "undocked" : "docked");
    localStorage.setItem(key, "shown");
    sync();
  });
  toggles.forEach((b) => b.addEventListener("click", (ev) => {
    ev.stopPropagation();
    if (overlay()) body.classList.toggle("nav-shown");
    else {
      body.classList.toggle("nav-hidden");
      localStorage.setItem(key, body.classList.contains("nav-hidden") ? "hidden" : "shown");
    }
    sync();
  }));
  document.addEventListener("click", (ev) => {
    if (overlay() && body.classList.contains("nav-shown") && nav && !nav.contains(ev.target)) {
      body.classList.remove("nav-shown"); sync();
    }
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && body.classList.contains("nav-shown")) { body.classList.remove("nav-shown"); sync(); }
  });
  narrow.addEventListener("change", () => { body.classList.remove("nav-shown"); sync(); });
  sync();
})();
