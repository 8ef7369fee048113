// None: this rotator reads no environment of its own (the password policy variables are the engine's, core's
// config.ts).
export {};
