// Live streams from the hub (see realtime/protocol.py): the floor, one WebSocket per
// sitting, and the commission feed. The server numbers every snapshot and delta; a gap
// means we missed something, so we ask for a fresh snapshot rather than guess. Any drop
// reconnects with backoff, and the new connection starts with a snapshot, so nothing is
// silently lost.

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
// The server pings every ~20 s when idle; hearing nothing for much longer means the
// connection is dead even if the browser hasn't noticed (common on mobile networks).
const SILENCE_MS = 45000;

/**
 * Close a socket without the browser's "WebSocket is closed before the connection is
 * established" warning: one still connecting is closed as soon as it opens instead (its
 * handlers are dropped first, so nothing it says afterwards reaches the page).
 */
export function closeQuietly(ws) {
  ws.onmessage = null;
  ws.onclose = null;
  ws.onerror = null;
  if (ws.readyState === WebSocket.CONNECTING) ws.onopen = () => ws.close(1000);
  else if (ws.readyState === WebSocket.OPEN) ws.close(1000);
}

/** One hub stream at `path`. A close with one of `goneCodes` (the server's "this will
 * never work": unknown night, signed out) stops reconnecting. */
export class LiveSocket {
  constructor(path, { onSnapshot, onDelta, onHello, onStatus }, goneCodes = [4404]) {
    this.url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
    this.handlers = { onSnapshot, onDelta, onHello, onStatus };
    this.goneCodes = goneCodes;
    this.attempt = 0;
    this.closed = false;
    this.seq = 0;
    this.connect();
    // Phones freeze background tabs; coming back, make sure we are live again.
    this.onVisible = () => {
      if (document.visibilityState === "visible" && !this.closed && this.ws?.readyState !== WebSocket.OPEN) {
        this.reconnectNow();
      }
    };
    document.addEventListener("visibilitychange", this.onVisible);
    window.addEventListener("online", this.onVisible);
  }

  connect() {
    this.status("connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.seq = 0;
    this.awaitingSnapshot = true;
    ws.onmessage = (ev) => this.receive(ev.data);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      clearTimeout(this.silence);
      if (this.closed) return;
      if (this.goneCodes.includes(ev.code)) {
        this.status("gone");
        return;
      }
      this.scheduleReconnect();
    };
    ws.onerror = () => ws.readyState === WebSocket.OPEN && ws.close();
    this.armSilence();
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    this.armSilence();
    if (frame.type === "snapshot") {
      this.seq = frame.seq;
      this.awaitingSnapshot = false;
      this.attempt = 0;
      this.status("live");
      this.handlers.onSnapshot(frame.data);
    } else if (frame.type === "delta") {
      if (this.awaitingSnapshot) return; // superseded by the snapshot we asked for
      if (frame.seq !== this.seq + 1) {
        this.resync();
        return;
      }
      this.seq = frame.seq;
      this.handlers.onDelta(frame.data);
    } else if (frame.type === "hello") {
      this.handlers.onHello?.(frame);
    } else if (frame.type === "ping") {
      // A ping carries the last seq sent: if it is ahead of us, a frame went missing.
      if (!this.awaitingSnapshot && frame.seq > this.seq) this.resync();
    }
  }

  resync() {
    this.awaitingSnapshot = true;
    this.status("syncing");
    try {
      this.ws.send(JSON.stringify({ type: "resync" }));
    } catch {
      this.reconnectNow();
    }
  }

  armSilence() {
    clearTimeout(this.silence);
    this.silence = setTimeout(() => this.reconnectNow(), SILENCE_MS);
  }

  scheduleReconnect() {
    this.status("reconnecting");
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    // Jitter, so a venue-wide blip doesn't bring every phone back at the same instant.
    const delay = base / 2 + Math.random() * base;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => !this.closed && this.connect(), delay);
  }

  reconnectNow() {
    clearTimeout(this.timer);
    const old = this.ws;
    this.ws = null;
    if (old) closeQuietly(old);
    if (!this.closed) this.connect();
  }

  status(s) {
    this.handlers.onStatus?.(s);
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.silence);
    document.removeEventListener("visibilitychange", this.onVisible);
    window.removeEventListener("online", this.onVisible);
    if (this.ws) closeQuietly(this.ws);
  }
}

/** A sitting's floor: snapshot = the floor map, delta = the state and price of its tables. */
export class FloorSocket extends LiveSocket {
  constructor(slug, sittingId, handlers) {
    super(`/ws/venues/${encodeURIComponent(slug)}/sittings/${encodeURIComponent(sittingId)}`, handlers);
  }
}
