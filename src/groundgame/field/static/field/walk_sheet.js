// The walk sheet's Print button (a listener here, since pages run no inline script).
document.querySelector("[data-print]")?.addEventListener("click", () => window.print());
