/**
 * Identifiers the simulator hands out. A seeded generator keeps a run
 * reproducible: the same seed and the same requests give the same codes.
 */

/** mulberry32: small, fast, good enough for non-secret test identifiers. */
export function createRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** RFC 8628 §6.1: consonants only, so no words and no 0/O or 1/I mix-ups. */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function pick(random: () => number, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

/** `ABCD-EFGH`. */
export function newUserCode(random: () => number): string {
  return `${pick(random, USER_CODE_ALPHABET, 4)}-${pick(random, USER_CODE_ALPHABET, 4)}`;
}

export function newToken(random: () => number, prefix: string, length = 32): string {
  return `${prefix}${pick(random, TOKEN_ALPHABET, length)}`;
}

/** What a person typed (`abcd efgh`, `ABCDEFGH`) in the canonical `ABCD-EFGH` form. */
export function normalizeUserCode(input: string): string {
  const letters = input.toUpperCase().replace(/[^A-Z]/g, '');
  if (letters.length !== 8) return letters;
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}

/**
 * iFlow returns phone numbers masked, `138****5678`. A full number is masked
 * the same way; one that already contains `*` is kept as given.
 */
export function maskPhone(phone: string): string {
  const trimmed = phone.trim();
  if (trimmed.includes('*')) return trimmed;
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length < 7) return digits;
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}
