import { z } from 'zod';
import { BRIDGE_NAME } from '../bridge-defaults';

/**
 * GET /health's answer: who is listening, and nothing else (the route is open, for discovery).
 * The extension counts a bridge as found only when the body has this shape.
 */
export const HealthBodySchema = z.object({ name: z.literal(BRIDGE_NAME), version: z.string() });
export type HealthBody = z.infer<typeof HealthBodySchema>;
