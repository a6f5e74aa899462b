# Sportello: `make run` opens the desk on a demo municipality, `make test` runs
# every check. Both install the Debian packages Fyne's cgo build needs when
# they are missing.

TAGS       := sqlite_fts5
TEST_TAGS  := ci,$(TAGS)
GO         ?= go
BIN        := bin/sportello
# Fyne's GLFW driver needs the GL, X11 and Wayland headers; go-sqlite3 needs gcc.
# The certificate preview renders in-process (PDFium in WebAssembly): no package.
DEB_PKGS   := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev \
              wayland-protocols
# The portal's browser tests (axe-core, the journey, the keyboard) run in
# Debian's chromium; verify reads a PDF's page with poppler's pdftotext and
# pdftoppm; the tests tamper with PDFs through qpdf and read printed QR codes
# back with zbarimg. Only the tests need them.
TEST_DEB_PKGS := chromium poppler-utils qpdf zbar-tools
# Packages whose tests run goroutines: tested again under the race detector.
RACE_PKGS  := ./store/... ./desk/... ./queue/... ./central/...

# The version the programs' --version and the packages carry: FyneApp.toml's,
# with git describe's commit after a "+" (a plain go build says "dev+COMMIT").
APP_VERSION := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
APP_BUILD   := $(shell sed -n 's/^ *Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
GIT_DESCRIBE := $(shell git describe --always --dirty 2>/dev/null)
VERSION     ?= $(APP_VERSION)$(if $(GIT_DESCRIBE),+git.$(subst -,.,$(GIT_DESCRIBE)))
LDFLAGS     := -X sportello/version.Version=$(VERSION)

comma := ,
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run run-server build test bench deps test-deps clean package package-deps package-server package-linux package-windows test-windows

run: deps build
	./$(BIN) --demo

# The citizens' portal on a demo register: http://127.0.0.1:8421, sign in
# as a demonstration citizen (the database is made on the first run).
run-server: deps
	$(GO) build -tags $(TAGS) -o bin/sportellod ./cmd/sportellod
	./bin/sportellod serve --db demo-server.db --demo

build:
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $(BIN) .
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o bin/sportellod ./cmd/sportellod

test: deps test-deps test-windows
	$(GO) vet -tags $(TEST_TAGS) ./...
	$(GO) test -tags $(TEST_TAGS) ./...
	$(GO) test -race -short -tags $(TEST_TAGS) $(RACE_PKGS)

# Benchmarks: the first run builds a 3,000,000-person database in $$TMPDIR
# (about two minutes) and reuses it afterwards.
bench:
	$(GO) test -tags $(TEST_TAGS) -run '^$$' -bench . -timeout 60m ./...

test-deps:
	$(call install_missing,$(TEST_DEB_PKGS))

deps:
	$(call install_missing,$(DEB_PKGS))

clean:
	rm -rf bin dist

# ---- Windows and packages (issue 15) ----
# The Windows desk is cross-compiled with Debian's mingw-w64; `make test`
# vets and builds every package for Windows (a cold build takes minutes,
# then the cache answers). `make package` builds into dist/ the Linux desk
# (fyne package: tar.xz; and a .deb), the Windows desk (.exe with icon and
# version resources) and its MSI (msitools' wixl), and sportellod's .deb.
WIN_PKGS   := gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64
PKG_PKGS   := $(WIN_PKGS) msitools wixl xz-utils systemd
WIN_ENV    := GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc
FYNE_TOOLS := fyne.io/tools/cmd/fyne@v1.7.4
FYNE       := $(shell $(GO) env GOPATH)/bin/fyne
DIST       := dist
ARCH       := $(shell dpkg --print-architecture)
# MSI and Windows resource versions are numbers only.
WIN_VERSION := $(APP_VERSION).$(APP_BUILD)

define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

# Every package vetted and built for Windows. With the ci tag Fyne's test
# driver stands in for its GL one, so this compiles all of Sportello's
# Windows code (and SQLite with mingw) without go-gl's C, which takes a cold
# cross-build about 8 minutes of CPU; make package-windows builds the real
# desk.
test-windows:
	$(call install_missing,$(WIN_PKGS))
	$(WIN_ENV) $(GO) vet -tags $(TEST_TAGS) ./...
	$(WIN_ENV) $(GO) build -tags $(TEST_TAGS) ./...

package-deps: deps
	$(call install_missing,$(PKG_PKGS))
	@[ -x $(FYNE) ] && $(FYNE) version 2>/dev/null | grep -q 1.7.4 || $(GO) install $(FYNE_TOOLS)

package: package-server package-linux package-windows
	@rm -rf $(DIST)/stage; ls -l $(DIST)

# sportellod's .deb: binary, unit, settings, the system user (postinst)
package-server: package-deps build
	mkdir -p $(DIST) && rm -rf $(DIST)/sportellod_*.deb $(DIST)/stage/sportellod
	st=$(DIST)/stage/sportellod; \
	install -D -m 0755 bin/sportellod $$st/usr/bin/sportellod && \
	install -D -m 0644 docs/sportellod.service $$st/lib/systemd/system/sportellod.service && \
	install -D -m 0640 packaging/sportellod.yaml $$st/etc/sportellod/sportellod.yaml && \
	install -D -m 0644 packaging/deb/sportellod/README.Debian $$st/usr/share/doc/sportellod/README.Debian && \
	install -d -m 0750 $$st/var/lib/sportellod && \
	packaging/deb.sh packaging/deb/sportellod $$st $(VERSION) $(DIST)/sportellod_$(VERSION)_$(ARCH).deb
	rm -rf $(DIST)/stage/sportellod

# The Linux desk: fyne package's tar.xz from the binary make build made, and a .deb of it
package-linux: package-deps build
	mkdir -p $(DIST) && rm -rf $(DIST)/sportello_*.deb $(DIST)/sportello_*.tar.xz $(DIST)/stage/sportello
	# (fyne package counts the build up in FyneApp.toml: the file is put back as it was)
	cp FyneApp.toml $(DIST)/FyneApp.toml.orig; \
	$(FYNE) package --os linux --executable $(BIN) --icon assets/icon.png --name Sportello \
		--app-id it.comune.sportello --app-version $(APP_VERSION) --app-build $(APP_BUILD) --release; \
		rc=$$?; cp $(DIST)/FyneApp.toml.orig FyneApp.toml; rm $(DIST)/FyneApp.toml.orig; exit $$rc
	mv Sportello.tar.xz $(DIST)/sportello_$(VERSION)_linux_$(ARCH).tar.xz
	st=$(DIST)/stage/sportello; mkdir -p $$st/x $$st/usr && \
	tar -xJf $(DIST)/sportello_$(VERSION)_linux_$(ARCH).tar.xz -C $$st/x && \
	src=$$(find $$st/x -type d -path '*/usr/local' | head -1) && cp -a $$src/. $$st/usr/ && \
	rm -rf $$st/x && \
	install -D -m 0644 packaging/config.example.yaml $$st/usr/share/doc/sportello/config.example.yaml && \
	packaging/deb.sh packaging/deb/sportello $$st $(VERSION) $(DIST)/sportello_$(VERSION)_$(ARCH).deb
	rm -rf $(DIST)/stage/sportello

# The Windows desk: icon, version and manifest resources, a GUI .exe, the MSI
package-windows: package-deps
	mkdir -p $(DIST) && rm -f $(DIST)/sportello.exe $(DIST)/sportello.com $(DIST)/sportello_*.msi
	$(GO) run ./packaging/winicon assets/icon.png $(DIST)/sportello.ico
	sed -e 's|@ICON@|$(CURDIR)/$(DIST)/sportello.ico|' -e 's|@MANIFEST@|$(CURDIR)/packaging/sportello.exe.manifest|' \
		-e 's|@VERSION@|$(VERSION)|g' -e 's|@VERSION_COMMA@|$(subst .,$(comma),$(WIN_VERSION))|g' \
		packaging/sportello.rc.in > $(DIST)/sportello.rc
	x86_64-w64-mingw32-windres -O coff -o rsrc_windows_amd64.syso $(DIST)/sportello.rc
	# sportello.exe has no console (the Start menu's); sportello.com is the same program with one,
	# which a command prompt runs for "sportello enrol ..." (it picks .com before .exe) and waits for.
	$(WIN_ENV) $(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS) -H=windowsgui' -o $(DIST)/sportello.exe . && \
	$(WIN_ENV) $(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $(DIST)/sportello.com . ; \
		rc=$$?; rm -f rsrc_windows_amd64.syso; exit $$rc
	wixl -a x64 -D Version=$(APP_VERSION) -D Exe=$(DIST)/sportello.exe -D Console=$(DIST)/sportello.com -D Icon=$(DIST)/sportello.ico \
		-D ConfigExample=packaging/config.example.yaml -o $(DIST)/sportello_$(VERSION)_x64.msi packaging/sportello.wxs
	rm -f $(DIST)/sportello.rc
