// <maitre-booking venue="slug"></maitre-booking>: the venue's booking page inside the
// venue's own site. Load with one tag:
//   <script src="https://your-maitre/embed.js" async></script>
// The booking flow runs in an iframe on Maitre's own origin, so nothing on the host page
// can read what the guest types or books; the frame only tells this element its height
// (and where to scroll when the details open). Messages from anywhere else are ignored.
// The venue allows the host site in the console (Brand > Embed), which Maitre sends as
// the page's CSP frame-ancestors.
(() => {
  // The frame's title for the host page's screen readers, in the languages the booking
  // page speaks (the page itself takes its words from Maitre's catalogues).
  const TITLES = { en: "Book a table", it: "Prenota un tavolo", fr: "Réserver une table" };
  const script = document.currentScript;
  const maitre = new URL(script ? script.src : "/", location.href).origin;
  if (customElements.get("maitre-booking")) return;

  class MaitreBooking extends HTMLElement {
    connectedCallback() {
      if (this.frame) return;
      const slug = this.getAttribute("venue") || "";
      const src = new URL(`/v/${encodeURIComponent(slug)}`, maitre);
      src.searchParams.set("embed", "1");
      src.searchParams.set("origin", location.origin);
      const host = this.getAttribute("host");
      if (host) src.searchParams.set("host", host);
      // The language the guest is reading the venue's site in: the element's own `lang`,
      // else the page's. Maitre falls back to the guest's browser for one it does not speak.
      const lang = (this.getAttribute("lang") || document.documentElement.lang || "")
        .slice(0, 2).toLowerCase();
      if (/^[a-z]{2}$/.test(lang)) src.searchParams.set("lang", lang);
      const frame = document.createElement("iframe");
      frame.src = src.href;
      frame.title = this.getAttribute("title") || TITLES[lang] || TITLES.en;
      frame.loading = "eager";
      frame.referrerPolicy = "strict-origin";
      frame.setAttribute("allow", "payment");
      Object.assign(frame.style, {
        display: "block", width: "100%", height: "640px", border: "0", colorScheme: "normal",
      });
      const root = this.attachShadow({ mode: "closed" });
      root.append(frame);
      this.frame = frame;
      this.onMessage = (event) => {
        if (event.origin !== maitre || event.source !== frame.contentWindow) return;
        const data = event.data || {};
        if (data.type === "maitre:height" && Number.isFinite(data.height)) {
          frame.style.height = `${Math.max(200, Math.min(20000, Math.ceil(data.height)))}px`;
        } else if (data.type === "maitre:scroll" && Number.isFinite(data.top)) {
          const top = frame.getBoundingClientRect().top + window.scrollY + data.top - 12;
          window.scrollTo({ top, behavior: "smooth" });
        }
      };
      window.addEventListener("message", this.onMessage);
    }

    disconnectedCallback() {
      if (this.onMessage) window.removeEventListener("message", this.onMessage);
    }
  }

  customElements.define("maitre-booking", MaitreBooking);
})();
