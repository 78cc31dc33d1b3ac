// One stop of the keyboard walk (tests/accessibility/checks.py), measured in the page: the
// focused element, its focus ring, the background next to the ring and what covers its centre.
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) { return null; }
  const parse = (text) => {
    const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(text || "");
    return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null;
  };
  const backgroundOf = (node) => {
    for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0.5) { return c; }
    }
    return [255, 255, 255, 1];
  };
  const style = getComputedStyle(el);
  const rings = [];
  const width = parseFloat(style.outlineWidth) || 0;
  if (style.outlineStyle === "auto") {
    // the browser's own ring: drawn two-tone (its colour and white) whatever the width says
    rings.push(parse(style.outlineColor), [255, 255, 255, 1]);
  } else if (style.outlineStyle !== "none" && width >= 2) {
    rings.push(parse(style.outlineColor));
  }
  // box-shadow rings: "<colour> 0px 0px 0px <spread>" (not inset), spread >= 2 px
  const shadow = style.boxShadow || "none";
  const ringPattern = /(rgba?\([^)]*\))\s+0px\s+0px\s+(?:[\d.]+px\s+)?([\d.]+)px(?!\s*inset)/g;
  let m;
  while ((m = ringPattern.exec(shadow)) !== null) {
    if (parseFloat(m[2]) >= 2) { rings.push(parse(m[1])); }
  }
  const offset = parseFloat(style.outlineOffset) || 0;
  // The ring lies outside the element (offset >= 0): next to the parent's background.
  const adjacent = offset < 0 ? backgroundOf(el) : backgroundOf(el.parentElement);
  // the first line box: the middle of a link that wraps over two lines may be empty
  const rect = el.getClientRects()[0] || el.getBoundingClientRect();
  const x = rect.left + rect.width / 2;
  const y = rect.top + rect.height / 2;
  const hit = document.elementFromPoint(x, y);
  const covered = !hit || !(hit === el || el.contains(hit) || (el.labels && [...el.labels].some(l => l.contains(hit))));
  // never a field's value (it may be a date of birth): its id or name
  const field = ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName);
  const text = field ? "" : (el.getAttribute("aria-label") || el.innerText || "");
  const name = (text || el.id || el.name || "").trim().slice(0, 40);
  let cover = "";
  if (covered && hit) { cover = hit.tagName.toLowerCase() + (hit.id ? "#" + hit.id : "") + (hit.className && typeof hit.className === "string" ? "." + hit.className.split(" ")[0] : ""); }
  const path = [];
  for (let n = el; n && n !== document.body; n = n.parentElement) {
    path.unshift(Array.prototype.indexOf.call(n.parentElement.children, n));
  }
  return {
    label: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (name ? " \"" + name.replace(/\s+/g, " ") + "\"" : ""),
    rings: rings.filter(Boolean),
    adjacent,
    covered,
    cover: covered ? (cover || "off-screen") : "",
    tabindex: el.tabIndex,
    path,
    inViewport: x >= 0 && y >= 0 && x <= innerWidth && y <= innerHeight,
  };
}
