/**
 * The four steps of the rotation protocol, in order. A module of its own so that errors.ts can name
 * a step without importing event.ts, which imports errors.ts.
 */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];
