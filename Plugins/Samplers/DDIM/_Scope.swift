// Scope file; the owner replaces it.
