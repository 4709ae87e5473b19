// The guest's active hold survives a reload (sessionStorage: this tab only, gone when the
// tab closes, which is the lifetime a ten-minute hold needs). The token is the key to the
// booking, so it is never put in localStorage or the URL of the booking page.

const key = (slug) => `maitre:hold:${slug}`;

export function loadHold(slug) {
  try {
    const raw = sessionStorage.getItem(key(slug));
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

export function saveHold(slug, hold) {
  try {
    sessionStorage.setItem(key(slug), JSON.stringify(hold));
  } catch {
    // Private mode or full storage: the hold still works, it just won't survive a reload.
  }
}

export function clearHold(slug) {
  try {
    sessionStorage.removeItem(key(slug));
  } catch {
    /* nothing to clear */
  }
}
