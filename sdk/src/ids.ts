// Idempotency keys for chat sends. A key must be unique per message of a user for two minutes
// (the server's dedupe window); a UUID is, and so are 128 bits drawn from the injected `random`.

/** A random idempotency key: crypto.randomUUID when the host has it, else 32 hex digits. */
export function newIdempotencyKey(random: () => number): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  if (uuid) return uuid;
  let key = '';
  while (key.length < 32)
    key += Math.floor(random() * 0xffff)
      .toString(16)
      .padStart(4, '0');
  return key;
}
