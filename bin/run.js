#!/usr/bin/env node
import { execute, settings } from '@oclif/core';

// Always the built commands: with NODE_ENV=development or test in a user's shell, oclif would
// otherwise look for TypeScript sources (and warn when it finds no typescript to read them).
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });
