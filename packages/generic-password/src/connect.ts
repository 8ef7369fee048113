// None: there is no target to connect to; the secret lives only in Secrets Manager.
export {};
