// The field app's device store: IndexedDB with every record encrypted (AES-GCM, WebCrypto).
//
// The data key comes from the server (released to the logged-in user's password, /api/v1/sync/unlock) and is kept
// on the phone only wrapped by a key derived from that password (PBKDF2-SHA-256), so opening the copy offline
// needs the worker's password too. In memory the key is a non-extractable CryptoKey; nothing readable is stored.
export const DB_NAME = "shegong-field";
const VERSION = 1;
const PBKDF2_ROUNDS = 210000;

let dbPromise = null;
let dataKey = null;

export function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("meta", { keyPath: "k" });
        db.createObjectStore("recipients", { keyPath: "id" });
        const outbox = db.createObjectStore("outbox", { keyPath: "key" });
        outbox.createIndex("seq", "seq");
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab deleting the database (logout, wipe) must not wait on this one.
        db.onversionchange = () => { db.close(); dbPromise = null; };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    });
  }
  return dbPromise;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(name, mode = "readonly") {
  const db = await open();
  return db.transaction(name, mode).objectStore(name);
}

export async function getMeta(k) {
  const row = await done((await store("meta")).get(k));
  return row ? row.v : undefined;
}

export async function setMeta(k, v) {
  await done((await store("meta", "readwrite")).put({ k, v }));
}

export async function wipe() {
  dataKey = null;
  if (dbPromise) {
    (await dbPromise).close();
    dbPromise = null;
  }
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

// -- keys ------------------------------------------------------------------------------------------------------

const enc = new TextEncoder();
const dec = new TextDecoder();
function b64(bytes) {
  // In slices: spreading a photo's worth of bytes into one call overflows the stack.
  const view = new Uint8Array(bytes);
  let text = "";
  for (let i = 0; i < view.length; i += 0x8000) text += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(text);
}
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function passwordKey(password, salt) {
  const base = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", salt, iterations: PBKDF2_ROUNDS, hash: "SHA-256" },
    base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

async function useRawKey(raw) {
  dataKey = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

// Keep the server's key wrapped by the password, then hold it in memory.
export async function keepKey(rawB64, password) {
  const raw = unb64(rawB64);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapped = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await passwordKey(password, salt), raw);
  await setMeta("wrapped", { salt: b64(salt), iv: b64(iv), data: b64(wrapped) });
  await useRawKey(raw);
  raw.fill(0);
}

// Open the device's copy offline with the password. False: wrong password (or nothing kept).
export async function unwrapKey(password) {
  const wrapped = await getMeta("wrapped");
  if (!wrapped) return false;
  try {
    const key = await passwordKey(password, unb64(wrapped.salt));
    const raw = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(wrapped.iv) }, key, unb64(wrapped.data)));
    await useRawKey(raw);
    raw.fill(0);
    return true;
  } catch (error) {
    return false;
  }
}

export const unlocked = () => dataKey !== null;
export const hasKey = async () => Boolean(await getMeta("wrapped"));

async function seal(value) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, dataKey, enc.encode(JSON.stringify(value)));
  return { iv: b64(iv), ct: b64(ct) };
}

async function unseal(box) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(box.iv) }, dataKey, unb64(box.ct));
  return JSON.parse(dec.decode(plain));
}

export async function setSealed(k, value) { await setMeta(k, await seal(value)); }
export async function getSealed(k) {
  const box = await getMeta(k);
  return box ? unseal(box) : undefined;
}

// -- recipients ------------------------------------------------------------------------------------------------

export async function putRecipients(rows) {
  const sealed = await Promise.all(rows.map(async (row) => ({ id: row.id, ...(await seal(row)) })));
  const db = await open();
  const tx = db.transaction("recipients", "readwrite");
  for (const row of sealed) tx.objectStore("recipients").put(row);
  await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
}

export async function keepRecipients(ids) {
  const keep = new Set(ids);
  const db = await open();
  const tx = db.transaction("recipients", "readwrite");
  const keys = await done(tx.objectStore("recipients").getAllKeys());
  for (const id of keys) if (!keep.has(id)) tx.objectStore("recipients").delete(id);
  await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
}

export async function recipients() {
  const rows = await done((await store("recipients")).getAll());
  return Promise.all(rows.map(unseal));
}

// -- the outbox ------------------------------------------------------------------------------------------------
// Each item: key (the client-generated idempotency key), kind, seq (order of capture), state (waiting, sending,
// sent, conflict, attention), created_at, message; what it says (payload and its label) is sealed.

export async function enqueue(kind, label, payload) {
  const key = crypto.randomUUID();
  const seq = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  const sealed = await seal({ label, payload });
  const item = { key, kind, seq, state: "waiting", created_at: new Date().toISOString(), message: "", ...sealed };
  await done((await store("outbox", "readwrite")).put(item));
  return item;
}

export async function outbox() {
  const rows = await done((await store("outbox")).index("seq").getAll());
  return Promise.all(rows.map(async (row) => ({ ...row, ...(await unseal(row)) })));
}

export async function setState(key, state, message = "", extra = {}) {
  const os = await store("outbox", "readwrite");
  const row = await done(os.get(key));
  if (!row) return;
  await done(os.put({ ...row, state, message, ...extra }));
}

export async function drop(key) {
  await done((await store("outbox", "readwrite")).delete(key));
}
