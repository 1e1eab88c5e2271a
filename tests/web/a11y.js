// Run by test_accessibility.py in a page: marks every visible, enabled control with
// data-a11y=<index> and answers how many there are and those without an accessible name (a
// label, aria-label/labelledby, or text; an image's alt counts as text).
(() => {
  const controls = [...document.querySelectorAll("a[href], button, input, select, textarea")]
    .filter((el) => !el.disabled && el.getClientRects().length > 0);
  const unnamed = [];
  controls.forEach((el, i) => {
    el.dataset.a11y = String(i);
    const labelled = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    const text = (el.textContent || "").trim() || [...el.querySelectorAll("img[alt]")].map((img) => img.alt).join("");
    const named = ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName)
      ? labelled || (el.labels && el.labels.length > 0)
      : labelled || text;
    if (!named) unnamed.push(el.outerHTML.slice(0, 120));
  });
  return { count: controls.length, unnamed };
})
