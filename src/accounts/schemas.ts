import path from 'node:path';
import * as z from 'zod';

const rfc3339 = z.iso.datetime({ offset: true });

/** `cliproxy/auth/<provider>-<account id>.json`, mode 0600. */
export const tokenFileSchema = z
  .object({
    type: z.string().min(1),
    access_token: z.string(),
    refresh_token: z.string(),
    api_key: z.string(),
    email: z.string(),
    phone: z.string().optional(),
    expired: rfc3339,
    last_refresh: rfc3339,
    token_type: z.string(),
    scope: z.string(),
    needs_login: z.boolean().optional(),
  })
  .loose();

export type TokenFile = z.output<typeof tokenFileSchema>;

export const NICKNAME_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;

export const accountEntrySchema = z
  .object({
    email: z.string(),
    phone: z.string().optional(),
    nickname: z.string().regex(NICKNAME_PATTERN, 'nickname must be 1-32 of A-Z a-z 0-9 . _ -'),
    // Resolved inside cliproxy/auth: a path here (`../x`) would send a
    // login's tokens, and a logout's delete, outside it.
    tokenFile: z
      .string()
      .refine(
        (name) => path.basename(name) === name && name.endsWith('.json'),
        'must be a file name ending in .json, with no directory',
      ),
    createdAt: rfc3339,
    lastUsedAt: rfc3339.nullable(),
    paused: z.boolean(),
  })
  .loose();

export type AccountEntry = z.output<typeof accountEntrySchema>;

export const providerAccountsSchema = z
  .object({
    default: z.string().nullable(),
    accounts: z.record(z.string(), accountEntrySchema),
  })
  .loose();

/** `cliproxy/accounts.json`. */
export const accountsFileSchema = z
  .object({
    version: z.literal(1),
    providers: z.record(z.string(), providerAccountsSchema),
  })
  .loose()
  .superRefine((file, ctx) => {
    for (const [providerId, provider] of Object.entries(file.providers)) {
      if (provider.default !== null && !(provider.default in provider.accounts)) {
        ctx.addIssue({
          code: 'custom',
          path: ['providers', providerId, 'default'],
          message: `names account "${provider.default}", which is not in the file`,
        });
      }
      const seen = new Set<string>();
      for (const [id, entry] of Object.entries(provider.accounts)) {
        if (seen.has(entry.nickname)) {
          ctx.addIssue({
            code: 'custom',
            path: ['providers', providerId, 'accounts', id, 'nickname'],
            message: `nickname "${entry.nickname}" is used twice`,
          });
        }
        seen.add(entry.nickname);
      }
    }
  });

export type AccountsFile = z.output<typeof accountsFileSchema>;
