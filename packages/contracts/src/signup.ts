import { z } from 'zod';
import { newPasswordSchema } from './auth';

// Self-serve sign-up: a business creates its own workspace once its e-mail is verified. The
// platform can close it (`PUT /admin/settings`); the login page asks `GET /auth/signup` first.

export const signupRequestSchema = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(120).optional(),
  workspaceName: z.string().trim().min(1, 'Name your workspace.').max(120),
  password: newPasswordSchema,
});
export type SignupRequest = z.infer<typeof signupRequestSchema>;

/** The same answer whether or not the address already has an account. */
export const signupAcceptedSchema = z.object({ message: z.string() });
export type SignupAccepted = z.infer<typeof signupAcceptedSchema>;

export const signupConfirmRequestSchema = z.object({
  /** From the link in the verification e-mail; single use, valid 24 hours. */
  token: z.string().min(1).max(512),
});
export type SignupConfirmRequest = z.infer<typeof signupConfirmRequestSchema>;

/** Whether the login page offers "Create a workspace". */
export const signupStatusSchema = z.object({ open: z.boolean() });
export type SignupStatus = z.infer<typeof signupStatusSchema>;

/** Platform-wide switches a platform admin sets. */
export const platformSettingsSchema = z.object({
  /** Anyone may create a workspace after verifying their e-mail. */
  signupEnabled: z.boolean(),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
});
export type PlatformSettings = z.infer<typeof platformSettingsSchema>;

export const updatePlatformSettingsRequestSchema = z.object({ signupEnabled: z.boolean() });
export type UpdatePlatformSettingsRequest = z.infer<typeof updatePlatformSettingsRequestSchema>;
