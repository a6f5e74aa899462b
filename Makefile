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
# Packages whose tests run goroutines: tested again under the race detector.
RACE_PKGS  := ./store/... ./desk/... ./queue/... ./central/...

# The version the programs' --version and the packages carry: FyneApp.toml's,
# with git describe's commit after a "+" (a plain go build says "dev+COMMIT").
APP_VERSION := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
APP_BUILD   := $(shell sed -n 's/^ *Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
GIT_DESCRIBE := $(shell git describe --always --dirty 2>/dev/null)
VERSION     ?= $(APP_VERSION)$(if $(GIT_DESCRIBE),+git.$(subst -,.,$(GIT_DESCRIBE)))
LDFLAGS     := -X sportello/version.Version=$(VERSION)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run build test bench deps clean

run: deps build
	./$(BIN) --demo

build:
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $(BIN) .
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o bin/sportellod ./cmd/sportellod

test: deps
	$(GO) vet -tags $(TEST_TAGS) ./...
	$(GO) test -tags $(TEST_TAGS) ./...
	$(GO) test -race -short -tags $(TEST_TAGS) $(RACE_PKGS)

# Benchmarks: the first run builds a 3,000,000-person database in $$TMPDIR
# (about two minutes) and reuses it afterwards.
bench:
	$(GO) test -tags $(TEST_TAGS) -run '^$$' -bench . -timeout 60m ./...

deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf bin
