/**
 * The WebSocket handshake's MACs, computed with WebCrypto so that the bridge (Node 20) and the
 * extension (service worker) run the same code. Each side proves it holds the pairing key by
 * an HMAC-SHA256 over both fresh nonces, the extension origin and the token id; the role label
 * differs, so a proof one side produced can never be replayed as the other side's.
 */
import { HANDSHAKE_LABEL } from './messages';

export type HandshakeRole = 'bridge' | 'extension';

export interface HandshakeContext {
  origin: string;
  tokenId: string;
  clientNonce: string;
  bridgeNonce: string;
}

function b64urlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToB64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** 32 fresh random bytes, base64url: a nonce or a pairing key. */
export function randomB64url(bytes = 32): string {
  return bytesToB64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function message(role: HandshakeRole, c: HandshakeContext): Uint8Array<ArrayBuffer> {
  // Newline-separated: none of the fields can contain one (base64url, ids, an origin).
  const text = [HANDSHAKE_LABEL, role, c.origin, c.tokenId, c.clientNonce, c.bridgeNonce].join('\n');
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(new ArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
}

async function importKey(keyB64url: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', b64urlToBytes(keyB64url), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

export async function handshakeProof(keyB64url: string, role: HandshakeRole, c: HandshakeContext): Promise<string> {
  const sig = await crypto.subtle.sign('HMAC', await importKey(keyB64url), message(role, c));
  return bytesToB64url(new Uint8Array(sig));
}

/** Constant-time (subtle.verify); false for anything malformed rather than throwing. */
export async function verifyHandshakeProof(keyB64url: string, role: HandshakeRole, c: HandshakeContext, proof: string): Promise<boolean> {
  try {
    return await crypto.subtle.verify('HMAC', await importKey(keyB64url), b64urlToBytes(proof), message(role, c));
  } catch {
    return false;
  }
}
