// Entry point of `wasmgate run [--config FILE] [--workers N]` (called by tools/).
//
// Public header. Call from the main thread; blocks until the gateway has drained.
#pragma once

// argv[0] is the program; a leading "run" argument is skipped. Returns the exit code:
// 0 after a drain, 1 when the configuration or a listener fails, 2 on bad arguments.
int runGateway(int argc, char** argv);
