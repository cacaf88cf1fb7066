# The two commands of the README. Each does the whole set-up on a fresh Debian bookworm (as root).
#   make run    set up, build, start the gateway on its built-in demo config
#   make test   set up, build, run every test (Release suite, the ASan/UBSan suite, a bounded fuzz run)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc)
PGO ?= 1

.PHONY: all setup configure build run test test-release test-asan bench clean

all: build

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null

# Release, with the wasmgate binary profile-guided (scripts/build.sh; PGO=0 to build without).
build: setup
	@PGO=$(PGO) bash scripts/build.sh $(BUILD) $(JOBS)

run: build
	@./$(BUILD)/wasmgate run

test: test-release test-asan test-fuzz

test-release: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: setup
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWASMGATE_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1:detect_leaks=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -LE no_asan

# Bounded libFuzzer run (~FUZZ_SECONDS per target) of the request parser, the config loader and
# the wasm module parser, from the seeds in tests/fuzz/corpus/ (tests/fuzz/run.sh).
test-fuzz: setup
	@CC=clang-19 CXX=clang++-19 cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Release -DWASMGATE_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target http_parser_fuzz config_fuzz module_info_fuzz
	@bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
