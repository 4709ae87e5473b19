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
    // The body, not the document: the document is never shorter than the frame itself,
    // so it could grow the frame but never shrink it.
    const height = Math.ceil(document.body.getBoundingClientRect().height);
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

// The booking's own page (manage, cancel, pay) opens in a tab of its own: it is the
// guest's key, and it needs the whole window.
document.getElementById("done-manage")?.setAttribute("target", "_blank");
