# Sportello: `make run` opens the desk on a demo municipality, `make test` runs
# every check. Both install the Debian packages Fyne's cgo build needs when
# they are missing.

TAGS       := sqlite_fts5
TEST_TAGS  := ci,$(TAGS)
GO         ?= go
BIN        := bin/sportello
# Fyne's GLFW driver needs the GL, X11 and Wayland headers; go-sqlite3 needs gcc;
# the certificate preview draws the page with poppler's pdftoppm, and verify
# reads a PDF's page with pdftotext and pdftoppm; the tests tamper with PDFs
# through qpdf and read printed QR codes back with zbarimg.
DEB_PKGS   := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev \
              wayland-protocols poppler-utils qpdf zbar-tools
# The portal's browser tests (axe-core, the journey, the keyboard) run in
# Debian's chromium; only the tests need it.
TEST_DEB_PKGS := chromium
# Packages whose tests run goroutines: tested again under the race detector.
RACE_PKGS  := ./store/... ./desk/... ./queue/... ./central/...

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run run-server build test bench deps test-deps clean

run: deps build
	./$(BIN) --demo

# The citizens' portal on a demo register: http://127.0.0.1:8421, sign in
# as a demonstration citizen (the database is made on the first run).
run-server: deps
	$(GO) build -tags $(TAGS) -o bin/sportellod ./cmd/sportellod
	./bin/sportellod serve --db demo-server.db --demo

build:
	$(GO) build -tags $(TAGS) -o $(BIN) .
	$(GO) build -tags $(TAGS) -o bin/sportellod ./cmd/sportellod

test: deps test-deps
	$(GO) vet -tags $(TEST_TAGS) ./...
	$(GO) test -tags $(TEST_TAGS) ./...
	$(GO) test -race -short -tags $(TEST_TAGS) $(RACE_PKGS)

# Benchmarks: the first run builds a 3,000,000-person database in $$TMPDIR
# (about two minutes) and reuses it afterwards.
bench:
	$(GO) test -tags $(TEST_TAGS) -run '^$$' -bench . -timeout 60m ./...

test-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(TEST_DEB_PKGS)"

deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf bin
