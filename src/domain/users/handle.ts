import { z } from 'zod';

// A user's handle: a leaf module of zod only, so the web console validates with it too.
export const handleSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits, ".", "_" or "-", up to 63 characters');
