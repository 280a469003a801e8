/**
 * The extension's stable identity.
 *
 * Chrome derives an extension id from the manifest `key` (base64 of the RSA
 * public key in DER/SubjectPublicKeyInfo form): sha256(DER), first 32 hex
 * digits, each digit 0-9a-f mapped to a-p. Pinning the key keeps the id the
 * same for every unpacked load on every machine, so the bridge can trust
 * exactly one origin: chrome-extension://<EXTENSION_ID>.
 *
 * The matching private key is NOT in the repository (it is only needed to sign
 * a .crx for store-less distribution). To rotate: generate a new pair with
 *   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem
 *   openssl rsa -in key.pem -pubout -outform DER | base64 -w0
 * then update both constants below (the e2e test checks that they agree).
 *
 * Pure constants only: imported by wxt.config.ts, the extension and the bridge (it lives in
 * shared/ so that the bridge and its tests never load a file of the extension's WXT project).
 */

/** Base64 DER public key, written into manifest.json as `key`. */
export const EXTENSION_PUBLIC_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvQy7ieDHh72qkqg8QGHZ4NaJrWkr8hAm8kSq17xfzCxwnayCsjdA8+BiUsQyKcYKDN2VVfZCadg1b+KKsJx9OjlKyEQ3D/lcnhMszAMjBQiYfO9cuTvmx/CkLy6cbd7IpJBZv26qJTL11plF3pcRvwXmDLGiR13i3jIdxMRZLkNLf0SlMuiGpjbkwmXWH2K/EOlSX7/aFotAzikePsBpm9wrHfIDNk91Byezz8hlK5Cuni2fRdUqTmaWEe31AKRxDMaZAi1q/08oR305nGU95KfEBHTROlB7pmgC5hQvhqJ4fMkfJSaeLbULCNYXJQ5id1IBgOfgsWm6gHA/SEAl6wIDAQAB';

/** Chrome/Chromium extension id derived from EXTENSION_PUBLIC_KEY. */
export const EXTENSION_ID = 'cecebljahdhogcjfihcheahabdjoppkk';

/** Origin of the extension's pages and service worker in Chromium browsers. */
export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}`;

/** Add-on id used for Firefox builds (Firefox ignores `key`). */
export const FIREFOX_ADDON_ID = 'mailmover@mailmover.local';
