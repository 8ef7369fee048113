// None: the secret names no host, user or master, so the engine's pending-field guard is all there is to check.
export {};
