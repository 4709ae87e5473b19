// Inside the <maitre-booking> frame (?embed=1): tell the host element how tall the page
// is, and where the details sheet is when it opens, so it can scroll there. Only sizes
// and offsets are sent, and only to the origin that framed us (which the page's CSP
// frame-ancestors already limits to the venue's own sites).

const params = new URLSearchParams(location.search);
const claimed = params.get("origin") || "";
const ancestors = location.ancestorOrigins;
const parentOrigin = ancestors && ancestors.length ? ancestors[0] : claimed;

if (window.parent !== window && /^https?:\/\/[^/]+$/.test(parentOrigin)) {
  const tell = (message) => window.parent.postMessage(message, parentOrigin);
  let last = 0;
  const measure = () => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== last) {
      last = height;
      tell({ type: "maitre:height", height });
    }
  };
  new ResizeObserver(measure).observe(document.body);
  window.addEventListener("load", measure);
  measure();

  // The sheet flows below the floor in the frame: bring it into the host page's view.
  const sheet = document.getElementById("sheet");
  if (sheet) {
    let wasHidden = sheet.hidden;
    new MutationObserver(() => {
      if (wasHidden && !sheet.hidden) {
        requestAnimationFrame(() => tell({ type: "maitre:scroll", top: sheet.offsetTop }));
      }
      wasHidden = sheet.hidden;
    }).observe(sheet, { attributes: true, attributeFilter: ["hidden"] });
  }
}
