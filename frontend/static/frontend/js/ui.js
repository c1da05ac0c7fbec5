/** Small DOM helpers the voice pages share: state badges, the error list, CSRF and the token call. */

export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el;
}

/** `data-state` carries the bare state (styles and tests key on it); the text may add who. */
export function setBadge(id, state, label = state) {
  const el = $(id);
  el.dataset.state = state;
  el.textContent = label;
}

/** Show an error to the person (and keep it in the console with its details). */
export function showError(error) {
  const message = typeof error === "string" ? error : error?.message || String(error);
  const code = typeof error === "object" && error?.code ? `${error.code}: ` : "";
  const li = document.createElement("li");
  li.textContent = `${code}${message}`;
  $("errors").append(li);
  console.error(error);
}

export function clearErrors() {
  $("errors").replaceChildren();
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

/**
 * `POST /api/token` with the signed-in session; resolves with `{server_url, participant_token}`.
 * API errors (`{"error": {code, message}}`) are thrown with their code.
 */
export async function requestToken(body) {
  const response = await fetch("/api/token", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    // fall through: a non-JSON answer is reported with its status below
  }
  if (response.status !== 201 || !data?.participant_token) {
    const error = new Error(data?.error?.message || `token request failed with HTTP ${response.status}`);
    error.code = data?.error?.code || `http_${response.status}`;
    throw error;
  }
  return data;
}

export function socketUrl(serverUrl, token) {
  const url = new URL(serverUrl, window.location.href);
  if (url.protocol === "http:") url.protocol = "ws:";
  if (url.protocol === "https:") url.protocol = "wss:";
  url.searchParams.set("access_token", token);
  return url.toString();
}

export function randomRoomName(prefix) {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}
