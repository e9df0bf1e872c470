// FileFormats: see the target comment in Package.swift. (Scope file; the owner replaces it.)
