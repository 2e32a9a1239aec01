import { configure } from '@testing-library/react';

// findBy… and waitFor give up after 1 s of wall-clock time by default: on a busy 2-core machine a
// render can take longer (update-composer failed so at load 17). The bound guards against a hang
// only, like the tests' own timeout; nothing here measures time.
configure({ asyncUtilTimeout: 25_000 });
