import { hash, type Options, verify } from '@node-rs/argon2';

// argon2id with the library's defaults (19 MiB, 2 passes: OWASP's minimum for argon2id). The
// library's Algorithm is a const enum, which isolated modules cannot import: 2 is Argon2id.
const OPTIONS: Options = { algorithm: 2 as NonNullable<Options['algorithm']> };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// Checked when the login matches nobody, so an unknown login takes as long as a wrong password.
let decoy: Promise<string> | undefined;

/** Whether the password matches; a missing hash still costs one verification. */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    decoy ??= hashPassword('tocsin decoy password');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
